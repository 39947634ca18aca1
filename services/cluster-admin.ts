// The cluster's admin requests (POST /v1/cluster/members and the rest): each runs on the
// leader, sent on there as writes are (write/request-router.ts), and answers once it has taken
// effect on the leader: a membership change when its entry is applied there, a transfer when
// another node leads. Refusals carry the stable codes of raft-node.ts.
import { TideError } from './base/errors.js';
import type { ConfigChange, Membership } from './raft/core/membership.js';
import type { RaftNode } from './raft/node/raft-node.js';
import type { ClusterAdminRequest } from './http/cluster-routes.js';
import type { Principal } from './users/privilege-check.js';
import type { ForwardTarget, RequestRouter } from './write/request-router.js';

type AdminRequest = ClusterAdminRequest;

// How often a transfer looks whether the new leader is known yet (its first append comes within
// a tick, 100 ms).
const leaderPollMs = 5;

export interface AdminAnswer {
  readonly status: number;
  readonly body: string;
}

export class ClusterAdmin {
  constructor(
    private readonly raft: RaftNode,
    private readonly router: RequestRouter,
    // How long a transfer may take before it is reported failed: an election timeout or two.
    private readonly transferWaitMs: number,
  ) {}

  async run(request: AdminRequest, forwardedBy: string | undefined, principal: Principal | undefined): Promise<AdminAnswer> {
    const routed = await this.router.route(JSON.stringify(request.kind === 'add' ? { id: request.id, peer: request.peer, http: request.http, role: request.role } : request.kind === 'transfer' ? { id: request.id } : {}), forwardedBy, targetOf(request), principal);
    if (routed.kind === 'forwarded') return { status: routed.status, body: routed.body };
    if (request.kind === 'transfer') return this.transfer(request.id);
    const change = changeOf(request);
    const { index, applied } = this.raft.changeMembership(change);
    await applied.catch((error: unknown) => {
      // A leader that removes itself steps down as the entry is handed out to apply, which
      // fails its waiters with OUTCOME_UNKNOWN; the configuration it adopted says the change
      // did take effect (it was committed), so that is the answer.
      if (!tookEffect(this.raft.membership, change)) throw error;
    });
    return answer({ index: index.toString(), members: membersJson(this.raft.membership) });
  }

  private async transfer(to: number): Promise<AdminAnswer> {
    const deadline = Date.now() + this.transferWaitMs;
    await this.raft.transferLeadership(to, this.transferWaitMs);
    // This node steps down on the target's vote request, which carries the higher term; it
    // learns who won only from the new leader's first append. Until then the leader is unknown,
    // not another: wait for it within the same bound.
    while (this.raft.detail.leaderId === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, leaderPollMs));
    // Done only when this node knows `to` as the leader: it may have stepped down for another
    // reason (lost its quorum, another node won) with the transfer unfinished.
    const { leaderId } = this.raft.detail;
    if (leaderId !== to) throw new TideError('LEADER_TRANSFER_FAILED', `node ${to} did not take over within ${this.transferWaitMs} ms (the leader is ${leaderId ?? 'unknown'})`);
    return answer({ leader_id: to });
  }
}

function changeOf(request: Exclude<AdminRequest, { kind: 'transfer' }>): ConfigChange {
  switch (request.kind) {
    case 'add':
      return { kind: request.role === 'voter' ? 'addVoter' : 'addLearner', id: request.id, peer: request.peer, http: request.http };
    case 'promote':
      return { kind: 'promote', id: request.id };
    case 'remove':
      return { kind: 'remove', id: request.id };
  }
}

function tookEffect(membership: Membership, change: ConfigChange): boolean {
  const role = membership.members.find((member) => member.id === change.id)?.role ?? null;
  switch (change.kind) {
    case 'addLearner':
      return role === 'learner';
    case 'addVoter':
    case 'promote':
      return role === 'voter';
    case 'remove':
      return role === null;
  }
}

function targetOf(request: AdminRequest): ForwardTarget {
  switch (request.kind) {
    case 'add':
      return { method: 'POST', path: '/v1/cluster/members' };
    case 'promote':
      return { method: 'POST', path: `/v1/cluster/members/${request.id}/promote` };
    case 'remove':
      return { method: 'DELETE', path: `/v1/cluster/members/${request.id}` };
    case 'transfer':
      return { method: 'POST', path: '/v1/cluster/leader' };
  }
}

export function membersJson(membership: Membership): Record<string, unknown>[] {
  return membership.members.map((member) => ({ id: member.id, role: member.role, peer_address: member.peer || null, http_url: member.http || null }));
}

function answer(body: Record<string, unknown>): AdminAnswer {
  return { status: 200, body: JSON.stringify(body) };
}
