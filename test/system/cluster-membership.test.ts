// Membership changes on real processes: a fourth node joins a running three-node cluster from
// an empty data dir (--join) while a client keeps writing, is added as a learner through a
// follower (which forwards to the leader), catches up, is promoted, an original node is
// removed and stopped, and leadership is handed to the new node. Every acknowledged write is on
// every remaining node exactly once, and their rows are equal. The admin routes' refusals
// carry their codes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterProcesses } from './cluster-processes.js';
import type { NodeProcess } from './node-process.js';
import { sleep } from './node-process.js';

let cluster: ClusterProcesses;

beforeAll(async () => {
  cluster = await ClusterProcesses.start(3);
  const response = await (await cluster.leader()).sql('CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(64))');
  expect(response.status, JSON.stringify(response.body)).toBe(200);
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

async function rowsOf(node: NodeProcess): Promise<unknown[][]> {
  const response = await node.post({ sql: 'SELECT id FROM t ORDER BY id', consistency: 'stale' });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.results![0]!.rows;
}

describe('membership changes on a running cluster', () => {
  it('adds a node from empty, promotes it, removes an old one and hands it leadership, under writes', async () => {
    // A client writing all along, through whichever node leads now; acknowledged ids are kept.
    const acknowledged: number[] = [];
    let writing = true;
    // Whom the client asks for the leader: node 4 names none until it is added, node 2 none
    // once stopped.
    let voters = [...cluster.nodes];
    const writer = (async () => {
      for (let id = 1; writing; id++) {
        const leader = await cluster.leader(5_000, voters).catch(() => null);
        if (leader === null) continue;
        const response = await leader.sql('INSERT INTO t VALUES (?, ?)', [id, `row ${id}`]).catch(() => null);
        if (response?.status === 200) acknowledged.push(id);
      }
    })();

    const { node: joining, peer, http } = await cluster.startJoining();
    await sleep(200);
    const leader = await cluster.leader(15_000, voters);
    const follower = cluster.nodes.find((node) => node !== leader && node !== joining)!;
    expect((await call(follower, 'POST', '/v1/cluster/members', { id: 4, peer: 'no-port', http })).status).toBe(400);
    const added = await untilAccepted(() => call(follower, 'POST', '/v1/cluster/members', { id: 4, peer, http, role: 'learner' }));
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect((await call(leader, 'POST', '/v1/cluster/members', { id: 4, peer, http })).body.error?.code).toBe('MEMBER_EXISTS');
    expect((await call(leader, 'POST', '/v1/cluster/members/9/promote')).body.error?.code).toBe('MEMBER_NOT_FOUND');

    voters = [...cluster.nodes];
    const promoted = await untilAccepted(() => call(leader, 'POST', '/v1/cluster/members/4/promote'));
    expect(promoted.status, JSON.stringify(promoted.body)).toBe(200);
    // Answered once applied on the leader; the others apply it in their own time.
    expect((await view(leader)).members.find((member) => member.id === 4)).toMatchObject({ voter: true });

    // Remove an original follower, then stop it: three voters remain, the new one among them.
    const removed = follower;
    const removal = await untilAccepted(() => call(leader, 'DELETE', `/v1/cluster/members/${cluster.nodes.indexOf(removed) + 1}`));
    expect(removal.status, JSON.stringify(removal.body)).toBe(200);
    const remaining = cluster.nodes.filter((node) => node !== removed);
    voters = remaining;
    await removed.stop();

    const transfer = await untilAccepted(() => call(leader, 'POST', '/v1/cluster/leader', { id: 4 }));
    expect(transfer.status, JSON.stringify(transfer.body)).toBe(200);
    expect((await cluster.leader(15_000, remaining)) === joining).toBe(true);
    await sleep(300);
    writing = false;
    await writer;

    await cluster.converged(20_000, remaining);
    const members = (await view(joining)).members.map((member) => `${member.id}:${member.voter ? 'voter' : 'learner'}`);
    expect(members).toHaveLength(3);
    expect(members).toContain('4:voter');
    const expected = await rowsOf(joining);
    const ids = expected.map((row) => Number(row[0]));
    expect(acknowledged.length).toBeGreaterThan(10);
    for (const id of acknowledged) expect(ids).toContain(id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const node of remaining) expect(await rowsOf(node)).toEqual(expected);
  }, 90_000);
});
