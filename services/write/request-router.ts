// Where a request runs in a cluster. A linearizable read runs on the node it reached, leader or
// follower, once that node has applied through a read index the leader confirmed (the
// sequencer asks for it): `servesReadsHere` says when a follower can. Writes (and the cluster's
// admin requests: membership, leadership transfer) execute only on the leader, on applied state that
// holds everything committed; a request that reaches a follower is sent on to the leader over
// HTTP, and its answer returned as it is, once this node has applied what it wrote (read your
// writes on the node the client talks to), so the client never has to find the leader. With no
// leader, the router waits a bounded time for one, then answers NOT_LEADER (retriable): a
// request never hangs. A request already forwarded once is never forwarded again, so a stale
// view of the leader cannot make two nodes pass a request back and forth.
import { TideError } from '../base/errors.js';
import { leaderWaitMsMax, lsnWaitMsMax } from '../base/limits.js';
import { indexOfLsn } from '../storage/lsn.js';
import type { Principal } from '../users/privilege-check.js';
import { appliedOrLate } from './applied-or-late.js';
import { identityHeaders } from './forwarded-identity.js';
import { PeerHttpError } from './peer-http-client.js';
import type { PeerHttpAnswer, PeerHttpClient } from './peer-http-client.js';
import { peerSignatureHeader, signPeerBody } from './peer-signature.js';

// What the router needs of Raft.
export interface LeadershipView {
  readonly status: { readonly role: string };
  readonly detail: { readonly leaderId: number | null };
  leaderReady(): Promise<void>;
  // Resolves once this node has applied through `index`.
  waitApplied(index: bigint): Promise<void>;
}

export type Routed = { readonly kind: 'local' } | { readonly kind: 'forwarded'; readonly status: number; readonly body: string };

// The header a forwarded request carries: the id of the node that forwarded it.
export const forwardedByHeader = 'x-tidedb-forwarded-by';

export interface ForwardTarget {
  readonly method: 'POST' | 'DELETE';
  readonly path: string;
}

// Routes only members of the cluster may call (their requests are signed).
export const internalPathPrefix = '/v1/internal/';

// A request of one SELECT (or EXPLAIN), which reads and never writes: a follower can serve it.
// A text test, before parsing: anything it misses (a leading comment, say) goes to the leader,
// which serves it just as well. HTTP and the MySQL protocol route by the same test.
export function isOneQueryText(sql: string): boolean {
  return /^[\s(]*(select|explain)\b/i.test(sql) && !/;\s*\S/.test(sql);
}

const sqlTarget: ForwardTarget = { method: 'POST', path: '/v1/sql' };

export class RequestRouter {
  constructor(
    private readonly nodeId: number,
    private readonly raft: LeadershipView,
    // Each voter's HTTP base URL.
    private readonly httpUrls: ReadonlyMap<number, string>,
    // The cluster secret: it signs the client identity a forwarded request carries, and the
    // body of one forwarded to an internal route.
    private readonly secret: string,
    // Sends to the leader's URL, http:// or https:// (trusting the cluster's CA).
    private readonly peerHttp: PeerHttpClient,
    private readonly waitMs: number = leaderWaitMsMax,
  ) {}

  // A follower that knows its leader can ask it for read indexes, and so serve linearizable
  // reads itself; with no leader known, a read is routed as a write is (waited for, forwarded).
  servesReadsHere(): boolean {
    return this.raft.status.role === 'follower' && this.raft.detail.leaderId !== null;
  }

  // `body` is the request's JSON; `forwardedBy` its forwarding header, if any; `at` the route
  // it is sent on to, on the leader (POST /v1/sql unless given); `principal` the client's
  // account (undefined: the node itself), which the leader checks privileges against.
  async route(body: string, forwardedBy: string | undefined, at: ForwardTarget = sqlTarget, principal?: Principal): Promise<Routed> {
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      const role = this.raft.status.role;
      if (role === 'leader') {
        await this.withinDeadline(this.raft.leaderReady(), deadline);
        return { kind: 'local' };
      }
      const leaderId = this.raft.detail.leaderId;
      const url = leaderId === null ? undefined : this.httpUrls.get(leaderId);
      if (forwardedBy === undefined && leaderId !== null && leaderId !== this.nodeId && url !== undefined) {
        const answer = await this.forward(url, body, at, principal);
        if (answer !== null) {
          await this.appliedHere(answer);
          return answer;
        }
      } else if (forwardedBy !== undefined && leaderId !== null) {
        // Forwarded here by a node that took this one for the leader: let it look again.
        throw new TideError('NOT_LEADER', `node ${this.nodeId} is not the leader; node ${leaderId} is`);
      }
      if (Date.now() >= deadline) throw new TideError('NOT_LEADER', `no leader answered within ${this.waitMs} ms`);
      await sleep(leaderPollMs);
    }
  }

  // The leader's answer, or null when it did not take the request (unreachable, or no longer
  // the leader): both are safe to try again.
  private async forward(url: string, body: string, at: ForwardTarget, principal: Principal | undefined): Promise<Routed | null> {
    const signed = { forwardedBy: String(this.nodeId), method: at.method, path: at.path, body: at.method === 'DELETE' ? '' : body };
    const identity = identityHeaders(this.secret, signed, principal ?? null);
    const headers: Record<string, string> = { [forwardedByHeader]: String(this.nodeId), ...identity, ...(at.method === 'DELETE' ? {} : { 'content-type': 'application/json' }) };
    // Internal routes (a follower's transaction commit, id reservations) write without SQL:
    // they also take the body's own signature (peer-signature.ts).
    if (at.path.startsWith(internalPathPrefix)) headers[peerSignatureHeader] = signPeerBody(this.secret, body);
    let answer: PeerHttpAnswer;
    try {
      answer = await this.peerHttp.send(`${url}${at.path}`, { method: at.method, headers, ...(at.method === 'DELETE' ? {} : { body }) });
    } catch (error) {
      if (!(error instanceof PeerHttpError)) throw error;
      if (error.stage === 'connect') return null;
      // Waiting would not help, and the client must learn what to fix.
      if (error.stage === 'tls') throw new TideError('FORWARD_TLS_FAILED', `node ${this.nodeId} could not forward to the leader at ${url} over HTTPS: ${error.message} (is the leader's certificate signed by the CA of --tls-ca?)`);
      throw new TideError('OUTCOME_UNKNOWN', `the leader at ${url} took the request but gave no answer; it may or may not have taken effect`);
    }
    if (answer.status === 503 && /"code":"(NOT_LEADER|SHUTTING_DOWN)"/.test(answer.body)) return null;
    return { kind: 'forwarded', status: answer.status, body: answer.body };
  }

  // Waits until this node has applied what the leader's answer says it did (the lsn its
  // answer ends with), so that the client's next request here sees its write: without it, a
  // table created through this node could still be unknown to the subscription opened here
  // right after, or to a stale read. Bounded (appliedOrLate): the write has committed anyway.
  private async appliedHere(answer: Routed): Promise<void> {
    if (answer.kind !== 'forwarded' || answer.status !== 200) return;
    const lsn = lastLsnOf(answer.body);
    if (lsn !== null) await appliedOrLate(this.raft.waitApplied(indexOfLsn(lsn)), lsnWaitMsMax);
  }

  private async withinDeadline(ready: Promise<void>, deadline: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TideError('NOT_LEADER', 'this leader has not yet applied its first entry (no quorum?)')), Math.max(0, deadline - Date.now()));
    });
    try {
      await Promise.race([ready, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}

const leaderPollMs = 50;
// Enough of an answer's end to hold `"lsn":"<20 digits>"}` and some trailing space.
const answerTailChars = 64;

// The lsn of an answer of /v1/sql, the last member of its top-level object (`lsn` follows
// `results`, sql-route.ts): the last `"lsn":"` in the text is it, whatever the rows hold (a
// quote inside a string value is escaped, and a JSON column's own members come before it).
// Null for an answer without one (an admin route's).
export function lastLsnOf(body: string): bigint | null {
  // The tail only: a forwarded answer can be a big result, not worth scanning whole.
  const match = /"lsn":"(\d{1,20})"\}\s*$/.exec(body.slice(-answerTailChars));
  return match === null ? null : BigInt(match[1]!);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
