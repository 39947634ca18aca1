// Proves an entry with many row changes applies in slices that give the event loop back, that
// it says so (`applying()`) until it commits, so readers can wait for it, and that the result
// equals what one synchronous transaction gives (same rows, same changelog, same applied index).
import { describe, expect, it } from 'vitest';
import { changesPerSyncApplyMax } from '../../services/base/limits.js';
import { encodeBatch } from '../../services/storage/batch-codec.js';
import { lsnOf } from '../../services/storage/lsn.js';
import type { BatchChange, TableDef } from '../../services/storage/types.js';
import { useTempStores } from '../support/temp-stores.js';
import { rowChanges } from '../support/row-changes.js';

const items: TableDef = {
  id: 1,
  version: 1,
  database: 'app',
  name: 'items',
  columns: [
    { name: 'id', type: 'BIGINT', length: null, nullable: false, autoIncrement: false },
    { name: 'label', type: 'TEXT', length: null, nullable: true, autoIncrement: false },
  ],
  primaryKey: [0],
};
const rowCount = 40_000;
const createTable = { term: 1n, kind: 'batch' as const, data: encodeBatch({ proposedAtMs: 1, changes: [{ kind: 'create_table', table: items }] }) };
const manyRows = (): BatchChange[] => Array.from({ length: rowCount }, (_, at) => ({ kind: 'row', tableId: 1, schemaVersion: 1, op: 'c', before: null, after: [BigInt(at), `label ${at} ${'x'.repeat(40)}`] }));

const openStore = useTempStores('tidedb-sliced-').open;

describe('sliced apply', () => {
  it('applies a big entry in slices, telling readers to wait until it has committed whole', async () => {
    expect(rowCount).toBeGreaterThan(changesPerSyncApplyMax);
    const sliced = openStore();
    expect(sliced.apply([{ index: 1n, ...createTable }])).toBeUndefined(); // small: synchronous
    const entry = { index: 2n, term: 1n, kind: 'batch' as const, data: encodeBatch({ proposedAtMs: 2, changes: manyRows() }) };
    const applying = sliced.apply([entry]);
    expect(applying).toBeInstanceOf(Promise);
    let turns = 0;
    const appliedIndexMeanwhile = new Set<bigint>();
    const changesMeanwhile = new Set<number>();
    const waitedReads: Promise<number>[] = [];
    const ticker = setInterval(() => {
      turns++;
      appliedIndexMeanwhile.add(sliced.appliedIndex());
      // The changelog offers nothing of the entry until it commits (the Kafka publisher reads it).
      changesMeanwhile.add(rowChanges(sliced).length);
      const pending = sliced.applying();
      expect(pending).not.toBeNull();
      // A reader that waits, as the write path's readers do, sees the entry whole.
      waitedReads.push(pending!.then(() => [...sliced.scanRows(items)].length));
    }, 0);
    await applying;
    clearInterval(ticker);
    expect(turns).toBeGreaterThan(0); // the loop ran while the entry applied
    expect(appliedIndexMeanwhile).toEqual(new Set([1n])); // the applied index moved only at commit
    expect(changesMeanwhile).toEqual(new Set([0]));
    expect(new Set(await Promise.all(waitedReads))).toEqual(new Set([rowCount]));
    expect(sliced.applying()).toBeNull();
    expect(sliced.appliedIndex()).toBe(2n);

    // Every row, in key order, and one changelog record per change, numbered within the entry.
    const expected = manyRows().map((change) => (change.kind === 'row' ? change.after : null));
    expect([...sliced.scanRows(items)].map(({ row }) => row)).toEqual(expected);
    const changes = rowChanges(sliced, 0n, rowCount + 10);
    expect(changes).toHaveLength(rowCount);
    expect(changes.map((change) => change.lsn)).toEqual(Array.from({ length: rowCount }, (_, at) => lsnOf(2n, at)));
  });

  it('rolls back a big entry whose apply fails midway, leaving the store as it was', async () => {
    const store = openStore();
    store.apply([{ index: 1n, ...createTable }]);
    // The last row repeats the first one's key: apply asserts on it, as on a diverged replica.
    const rows = manyRows();
    rows.push({ kind: 'row', tableId: 1, schemaVersion: 1, op: 'c', before: null, after: [0n, 'again'] });
    const entry = { index: 2n, term: 1n, kind: 'batch' as const, data: encodeBatch({ proposedAtMs: 2, changes: rows }) };
    await expect(store.apply([entry])).rejects.toThrow(/create of an existing row/);
    expect(store.appliedIndex()).toBe(1n);
    expect([...store.scanRows(items)]).toHaveLength(0);
    expect(rowChanges(store)).toHaveLength(0);
  });

  it('applies a big entry that changes the catalog in one synchronous transaction', () => {
    const store = openStore();
    const entry = { index: 1n, term: 1n, kind: 'batch' as const, data: encodeBatch({ proposedAtMs: 1, changes: [{ kind: 'create_table', table: items }, ...manyRows()] }) };
    expect(store.apply([entry])).toBeUndefined();
    expect(store.appliedIndex()).toBe(1n);
    expect([...store.scanRows(items)]).toHaveLength(rowCount);
  });
});
