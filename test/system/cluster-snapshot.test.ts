// A follower catches up by snapshot: three real node processes with small Raft log segments
// and a short compaction margin; one follower is stopped while the others take enough writes
// to compact their logs past it, then restarted while writes go on. It must be sent a snapshot,
// install it, continue from the log, and end with the same rows as the others (stale reads,
// each node's own state).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterProcesses } from './cluster-processes.js';
import type { NodeProcess } from './node-process.js';
import { sleep } from './node-process.js';

let cluster: ClusterProcesses;

beforeAll(async () => {
  cluster = await ClusterProcesses.start(3, { extraArgs: ['--raft-segment-bytes', '4096', '--raft-keep-entries', '20', '--raft-compaction-interval-ms', '100'] });
  const leader = await cluster.leader();
  const response = await leader.sql('CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(64))');
  expect(response.status, JSON.stringify(response.body)).toBe(200);
});
afterAll(async () => cluster?.stop());

async function view(node: NodeProcess): Promise<Record<string, unknown>> {
  return (await (await fetch(`${node.url}/v1/cluster`)).json()) as Record<string, unknown>;
}

async function insertThrough(leader: NodeProcess, from: number, count: number): Promise<void> {
  for (let id = from; id < from + count; id++) {
    const response = await leader.sql('INSERT INTO t VALUES (?, ?)', [id, `row ${id} ${'x'.repeat(40)}`]);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
  }
}

async function rowsOf(node: NodeProcess): Promise<unknown[][]> {
  const response = await node.post({ sql: 'SELECT id, v FROM t ORDER BY id', consistency: 'stale' });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.results![0]!.rows;
}

describe('a follower far behind a compacted log', () => {
  it('catches up by snapshot and then from the log, while writes continue', async () => {
    const leader = await cluster.leader();
    const follower = cluster.nodes.find((node) => node !== leader)!;
    await insertThrough(leader, 0, 20);
    await follower.stop();
    // Enough entries to fill many 4 KiB segments, then time for compaction rounds.
    await insertThrough(leader, 20, 300);
    await sleep(500);
    await insertThrough(leader, 320, 10);
    await sleep(300);

    await follower.start();
    // Writes go on while it catches up.
    await insertThrough(leader, 330, 100);
    await cluster.converged();

    expect(Number((await view(leader))['snapshots_sent'])).toBeGreaterThanOrEqual(1);
    expect(Number((await view(follower))['snapshots_installed'])).toBeGreaterThanOrEqual(1);
    const expected = await rowsOf(leader);
    expect(expected).toHaveLength(430);
    for (const node of cluster.nodes) expect(await rowsOf(node)).toEqual(expected);
    // And it goes on from the log after the snapshot.
    await insertThrough(leader, 430, 5);
    await cluster.converged();
    expect(await rowsOf(follower)).toHaveLength(435);
  }, 120_000);
});
