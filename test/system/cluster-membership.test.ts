// Membership changes on real processes, under the clients of cluster-workload.ts: a fourth node
// joins a running three-node cluster from an empty data dir (--join), is added as a learner
// through a follower (which sends the request on to the leader), catches up, is promoted; an
// original node is removed and stopped; leadership is handed to the new node, which then removes
// itself. The history must
// be linearizable, every acknowledged insert on every remaining node exactly once, and their
// rows equal. The admin routes' refusals carry their codes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterProcesses } from './cluster-processes.js';
import { underWorkload } from './cluster-workload.js';
import type { NodeProcess } from './node-process.js';
import { sleep } from './node-process.js';

let cluster: ClusterProcesses;

beforeAll(async () => {
  cluster = await ClusterProcesses.start(3);
});
afterAll(async () => cluster?.stop());

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown> & { error?: { code: string } };
}

async function call(node: NodeProcess, method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${node.url}${path}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

// Repeats a retriable refusal (a change pending, a learner behind) until it goes through.
async function untilAccepted(attempt: () => Promise<Answer>): Promise<Answer> {
  for (let tries = 0; ; tries++) {
    const answer = await attempt();
    if (answer.status !== 503 || tries === 100) return answer;
    await sleep(100);
  }
}

async function view(node: NodeProcess): Promise<{ leader_id: number; members: { id: number; role: string; voter: boolean }[] }> {
  return (await (await fetch(`${node.url}/v1/cluster`)).json()) as { leader_id: number; members: { id: number; role: string; voter: boolean }[] };
}

describe('membership changes on a running cluster', () => {
  it('adds a node from empty, promotes it, removes an old one, hands it leadership, and lets it remove itself, under reads and writes, linearizably', async () => {
    // The nodes the clients use and whose rows are compared: node 4 once it is a voter, never
    // the removed one once it is removed.
    let members: NodeProcess[] = [...cluster.nodes];
    await underWorkload(
      cluster,
      async () => {
        const { node: joining, peer, http } = await cluster.startJoining();
        const leader = await cluster.leader(15_000, members);
        const follower = members.find((node) => node !== leader)!;
        expect((await call(follower, 'POST', '/v1/cluster/members', { id: 4, peer: 'no-port', http })).status).toBe(400);
        const added = await untilAccepted(() => call(follower, 'POST', '/v1/cluster/members', { id: 4, peer, http, role: 'learner' }));
        expect(added.status, JSON.stringify(added.body)).toBe(200);
        expect((await call(leader, 'POST', '/v1/cluster/members', { id: 4, peer, http })).body.error?.code).toBe('MEMBER_EXISTS');
        expect((await call(leader, 'POST', '/v1/cluster/members/9/promote')).body.error?.code).toBe('MEMBER_NOT_FOUND');
        expect((await call(leader, 'POST', '/v1/cluster/leader', { id: 4 })).body.error?.code).toBe('MEMBER_NOT_VOTER');

        const promoted = await untilAccepted(() => call(leader, 'POST', '/v1/cluster/members/4/promote'));
        expect(promoted.status, JSON.stringify(promoted.body)).toBe(200);
        // Answered once applied on the leader; the others apply it in their own time.
        expect((await view(leader)).members.find((member) => member.id === 4)).toMatchObject({ voter: true });
        members = [...members, joining];
        await sleep(1_000);

        // Remove an original follower, then stop it: three voters remain, the new one among them.
        const removedId = cluster.nodes.indexOf(follower) + 1;
        const removal = await untilAccepted(() => call(leader, 'DELETE', `/v1/cluster/members/${removedId}`));
        expect(removal.status, JSON.stringify(removal.body)).toBe(200);
        members = members.filter((node) => node !== follower);
        await follower.stop();
        await sleep(1_000);

        const transfer = await untilAccepted(() => call(leader, 'POST', '/v1/cluster/leader', { id: 4 }));
        expect(transfer.status, JSON.stringify(transfer.body)).toBe(200);
        expect((await cluster.leader(15_000, members)) === joining).toBe(true);
        const configuration = (await view(joining)).members.map((member) => `${member.id}:${member.voter ? 'voter' : 'learner'}`);
        expect(configuration).toEqual(members.map((node) => `${cluster.nodes.indexOf(node) + 1}:voter`).sort());
        await sleep(1_000);

        // The leader removes itself: answered as done (it stepped down as the change applied),
        // and the two others go on without it.
        const selfRemoval = await untilAccepted(() => call(joining, 'DELETE', '/v1/cluster/members/4'));
        expect(selfRemoval.status, JSON.stringify(selfRemoval.body)).toBe(200);
        members = members.filter((node) => node !== joining);
        await joining.stop();
        await cluster.leader(15_000, members);
      },
      () => members,
    );
  }, 120_000);
});
