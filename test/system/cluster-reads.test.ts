// Linearizable reads served by followers (ReadIndex): a read sent to a follower runs there —
// the request carries the header of a request forwarded once, which a node never forwards
// again, so only a follower that serves it itself can answer — and sees every write the leader
// acknowledged before it was sent. A follower cut off from the leader answers no read rather
// than a stale one. The same with --lease-reads, where the leader skips the heartbeat round.
import { afterEach, describe, expect, it } from 'vitest';
import { identityHeaders } from '../../services/write/forwarded-identity.js';
import { forwardedByHeader } from '../../services/write/request-router.js';
import { ClusterProcesses, clusterSecret } from './cluster-processes.js';
import type { NodeProcess } from './node-process.js';

let cluster: ClusterProcesses | null = null;
afterEach(async () => {
  await cluster?.stop();
  cluster = null;
});

// A read that must run on `node` itself: it would be refused rather than forwarded. It says it
// was forwarded, which a node believes only when signed with the cluster secret.
async function readHere(node: NodeProcess): Promise<{ status: number; value: unknown; code: string | undefined }> {
  const request = JSON.stringify({ sql: 'SELECT v FROM reg WHERE k = 1' });
  const identity = identityHeaders(clusterSecret, { forwardedBy: '99', method: 'POST', path: '/v1/sql', body: request }, null);
  const response = await fetch(`${node.url}/v1/sql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [forwardedByHeader]: '99', ...identity },
    body: request,
  });
  const body = (await response.json()) as { results?: { rows: unknown[][] }[]; error?: { code: string } };
  return { status: response.status, value: body.results?.[0]?.rows[0]?.[0], code: body.error?.code };
}

async function followersSeeEachWrite(extraArgs: readonly string[]): Promise<void> {
  cluster = await ClusterProcesses.start(3, { partitionable: true, extraArgs });
  const leader = await cluster.leader();
  const followers = cluster.nodes.filter((node) => node !== leader);
  expect((await leader.sql('CREATE TABLE reg (k INT PRIMARY KEY, v INT)')).status).toBe(200);
  expect((await leader.sql('INSERT INTO reg VALUES (1, 0)')).status).toBe(200);
  for (let value = 1; value <= 60; value++) {
    expect((await leader.sql('UPDATE reg SET v = ? WHERE k = 1', [value])).status).toBe(200);
    // Acknowledged by the leader: any read sent from now on, to any node, must see it.
    const read = await readHere(followers[value % 2]!);
    expect(read, `read ${value}`).toEqual({ status: 200, value, code: undefined });
  }

  // A follower cut off from the others: no read there succeeds while the leader moves on.
  const cutOff = followers[0]!;
  cluster.isolate(cutOff);
  expect((await leader.sql('UPDATE reg SET v = -1 WHERE k = 1')).status).toBe(200);
  for (let attempt = 0; attempt < 3; attempt++) {
    const read = await readHere(cutOff);
    expect(read.status, JSON.stringify(read)).toBe(503);
    expect(read.code).toBe('NOT_LEADER');
  }
  cluster.heal();
  // Healed, it serves reads again, and the newest value.
  for (let attempt = 0; ; attempt++) {
    const read = await readHere(cutOff);
    if (read.status === 200) {
      expect(read.value).toBe(-1);
      break;
    }
    expect(attempt, JSON.stringify(read)).toBeLessThan(100);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('linearizable reads on followers', () => {
  it('see every write acknowledged before them, and fail rather than answer stale when cut off', async () => {
    await followersSeeEachWrite([]);
  });

  it('do the same with --lease-reads', async () => {
    await followersSeeEachWrite(['--lease-reads', 'true']);
  });
});
