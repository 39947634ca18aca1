// Interactive transactions in a cluster of three real node processes: a transaction served by a
// follower reads its snapshot there and commits through the leader (changes, read set and
// auto-increment reservations over the leader's internal routes); two transactions on two
// different nodes that read and write the same row conflict at the leader, and the loser
// changes nothing; a follower's snapshot holds every write acknowledged before BEGIN; a
// repeatable-read transaction's current reads travel with its commit. The leader's internal
// routes answer only members of the cluster.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TxClient } from '../transactions/tx-http.js';
import { ClusterProcesses } from './cluster-processes.js';
import type { NodeProcess } from './node-process.js';

let cluster: ClusterProcesses;
let leader: NodeProcess;
let followers: NodeProcess[];

beforeAll(async () => {
  cluster = await ClusterProcesses.start(3);
  leader = await cluster.leader();
  followers = cluster.nodes.filter((node) => node !== leader);
  expect((await leader.sql('CREATE TABLE acct (id INT PRIMARY KEY, n INT)')).status).toBe(200);
  expect((await leader.sql('INSERT INTO acct VALUES (1, 0), (2, 0)')).status).toBe(200);
  expect((await leader.sql('CREATE TABLE seq (id INT PRIMARY KEY AUTO_INCREMENT, v INT)')).status).toBe(200);
}, 60_000);
afterAll(async () => cluster.stop());

it('commits a transaction served by a follower through the leader', async () => {
  const follower = new TxClient(followers[0]!.url);
  const tx = await follower.open();
  expect(await follower.rows('SELECT n FROM acct WHERE id = 1', tx)).toEqual([[0]]);
  await follower.rows('UPDATE acct SET n = n + 5 WHERE id = 1', tx);
  const inserted = await follower.sql('INSERT INTO seq (v) VALUES (7)', tx);
  const id = (inserted.body['results'] as { last_insert_id: number }[])[0]!.last_insert_id;
  expect(id).toBeGreaterThan(0);
  // Not visible outside before the commit.
  expect((await new TxClient(leader.url).rows('SELECT n FROM acct WHERE id = 1'))).toEqual([[0]]);
  const commit = await follower.commit(tx);
  expect(commit.status).toBe(200);
  expect(commit.body['tx_id']).toMatch(/^[0-9]+$/);
  // The follower answered once it applied the commit: a stale read there already sees it.
  const stale = await followers[0]!.post({ sql: 'SELECT n FROM acct WHERE id = 1', consistency: 'stale' });
  expect(stale.body.results?.[0]?.rows).toEqual([[5]]);
  expect(await new TxClient(leader.url).rows('SELECT id, v FROM seq')).toEqual([[id, 7]]);
}, 30_000);

it('begins a snapshot on a follower after everything the leader acknowledged before BEGIN', async () => {
  const onLeader = new TxClient(leader.url);
  const follower = new TxClient(followers[1]!.url);
  for (let value = 1; value <= 10; value++) {
    expect((await onLeader.sql('UPDATE acct SET n = ? WHERE id = 1', undefined, [100 + value])).status).toBe(200);
    const tx = await follower.open();
    expect(await follower.rows('SELECT n FROM acct WHERE id = 1', tx)).toEqual([[100 + value]]);
    await follower.rollback(tx);
  }
}, 30_000);

it('detects a conflict between transactions on two different nodes', async () => {
  const [one, two] = [new TxClient(followers[0]!.url), new TxClient(followers[1]!.url)];
  const [first, second] = [await one.open(), await two.open()];
  for (const [client, tx] of [[one, first], [two, second]] as const) {
    const [[n]] = (await client.rows('SELECT n FROM acct WHERE id = 2', tx)) as [[number]];
    await client.rows('UPDATE acct SET n = ? WHERE id = 2', tx, [Number(n) + 1]);
  }
  expect((await one.commit(first)).status).toBe(200);
  const lost = await two.commit(second);
  expect(lost).toMatchObject({ status: 409, body: { error: { code: 'TX_CONFLICT' } } });
  expect(await new TxClient(leader.url).rows('SELECT n FROM acct WHERE id = 2')).toEqual([[1]]);
}, 30_000);

it('validates a repeatable-read transaction\'s current reads on the leader from their own index', async () => {
  const onLeader = new TxClient(leader.url);
  const follower = new TxClient(followers[0]!.url);
  expect((await onLeader.sql('INSERT INTO acct VALUES (3, 0)')).status).toBe(200);
  const appliedThere = async (n: number): Promise<void> => {
    for (let tries = 0; tries < 100; tries++) {
      const stale = await followers[0]!.post({ sql: 'SELECT n FROM acct WHERE id = 3', consistency: 'stale' });
      if (JSON.stringify(stale.body.results?.[0]?.rows) === JSON.stringify([[n]])) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`the follower did not apply n = ${n}`);
  };
  const attempt = async (between: number | null): Promise<number> => {
    const opened = await follower.post('/v1/tx', { isolation: 'repeatable-read' });
    const tx = opened.body['tx'] as string;
    const [[before]] = (await follower.rows('SELECT n FROM acct WHERE id = 3', tx)) as [[number]];
    expect((await onLeader.sql('UPDATE acct SET n = n + 10 WHERE id = 3')).status).toBe(200);
    await appliedThere(before + 10);
    // A current read: the follower's newest row, the leader's commit included.
    await follower.rows('UPDATE acct SET n = n + 1 WHERE id = 3', tx);
    if (between !== null) expect((await onLeader.sql('UPDATE acct SET n = ? WHERE id = 3', undefined, [between])).status).toBe(200);
    return (await follower.commit(tx)).status;
  };
  expect(await attempt(null)).toBe(200);
  expect(await onLeader.rows('SELECT n FROM acct WHERE id = 3')).toEqual([[11]]);
  // Written again after the current read: a lost update, refused.
  expect(await attempt(500)).toBe(409);
  expect(await onLeader.rows('SELECT n FROM acct WHERE id = 3')).toEqual([[500]]);
}, 30_000);

it('refuses the internal commit route to a caller that is not a member', async () => {
  const forged = { snapshot_index: '1', batch: '', row_keys: [], row_ranges: [], index_ranges: [], table_ids: [], locked_row_keys: [] };
  const answer = await new TxClient(leader.url).post('/v1/internal/tx/commit', forged);
  expect(answer).toMatchObject({ status: 401, body: { error: { code: 'PEER_AUTH_FAILED' } } });
});
