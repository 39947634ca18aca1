// The changelog's retention window on a real node: what goes (whole entries past the age or
// size bound, never what Kafka has yet to take), and what a stream asking for a pruned
// position gets: 410 with the oldest position kept, from which, or from a snapshot, it goes on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangelogRetention } from '../../services/cdc/changelog-retention.js';
import { indexOfLsn } from '../../services/storage/lsn.js';
import { startInProcessNode } from '../http/in-process-node.js';
import type { InProcessNode } from '../http/in-process-node.js';
import { subscribe } from './stream-client.js';

let node: InProcessNode;
let port: number;
const lsns: bigint[] = [];

beforeAll(async () => {
  node = await startInProcessNode();
  port = await node.listen();
  await node.sql({ sql: 'CREATE TABLE log (id INT PRIMARY KEY, note TEXT)' });
  for (let id = 0; id < 20; id += 2) {
    const response = await node.sql({ sql: 'INSERT INTO log VALUES (?, ?), (?, ?)', params: [id, 'x', id + 1, 'y'] });
    lsns.push(BigInt(response.body['lsn'] as string));
  }
});
afterAll(async () => node.close());

const allLsns = (): bigint[] => node.store.readChanges(0n, 1_000).map((record) => record.lsn);
const hour = 3_600_000;

describe('changelog retention', () => {
  it('keeps what is younger than the window and smaller than the size bound', async () => {
    const retention = new ChangelogRetention(node.store, { window: { ageMs: hour, bytes: 2 ** 40 }, keepAfter: () => 'any' });
    expect(await retention.pruneOnce()).toBe(0n);
    // The table's creation and its 20 rows.
    expect(allLsns()).toHaveLength(21);
  });

  it('never prunes past what Kafka has taken, and only whole entries', async () => {
    // The publisher has taken the first change of the fourth entry only: three entries may go.
    const published = lsns[3]!;
    const retention = new ChangelogRetention(node.store, { window: { ageMs: 0, bytes: 2 ** 40 }, keepAfter: () => published, now: () => Date.now() + hour });
    const through = await retention.pruneOnce();
    expect(indexOfLsn(through)).toBe(indexOfLsn(lsns[2]!));
    expect(allLsns()[0]).toBe(lsns[3]);
    expect(allLsns()).toHaveLength(14);
    // With nothing published at all, nothing goes.
    const none = new ChangelogRetention(node.store, { window: { ageMs: 0, bytes: 0 }, keepAfter: () => null });
    expect(await none.pruneOnce()).toBe(through);
  });

  it('prunes the oldest entries while over the size bound, whatever their age', async () => {
    const retention = new ChangelogRetention(node.store, { window: { ageMs: hour, bytes: 0 }, keepAfter: () => 'any' });
    const through = await retention.pruneOnce();
    expect(allLsns()).toEqual([]);
    expect(node.store.changelogPrunedThrough()).toBe(through);
    expect(indexOfLsn(through)).toBe(indexOfLsn(lsns.at(-1)!));
  });

  it('answers 410 CHANGES_EXPIRED with the oldest position for a pruned one; that position and a snapshot still work', async () => {
    const expired = await subscribe(port, `table=log&from=${lsns[0]}`);
    expect(expired.status).toBe(410);
    const body = await expired.errorBody();
    const oldest = node.store.changelogPrunedThrough().toString();
    expect(body).toMatchObject({ error: { code: 'CHANGES_EXPIRED', oldest_lsn: oldest } });

    const resumed = await subscribe(port, `table=log&from=${oldest}`);
    expect(resumed.status).toBe(200);
    await node.sql({ sql: 'INSERT INTO log VALUES (100, ?)', params: ['after'] });
    expect((await resumed.waitFor((event) => event.type === 'change')).key).toEqual({ id: 100 });
    resumed.close();

    const snapshot = await subscribe(port, 'table=log&snapshot=true');
    await snapshot.waitFor((event) => event.type === 'snapshot_end');
    expect(snapshot.events.filter((event) => event.op === 'r')).toHaveLength(21);
    snapshot.close();
  });
});
