// Proves the LMDB store applies committed batches in index order, survives a reopen (catalog, rows,
// applied index, counters), refuses out-of-order or key-changing applies unchanged, and numbers changes by lsn.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeBatch } from '../../services/storage/batch-codec.js';
import { encodeRowKey } from '../../services/storage/key-codec.js';
import { lsnOf } from '../../services/storage/lsn.js';
import { Store } from '../../services/storage/store.js';
import type { BatchChange, ChangeBatch, Row, TableDef } from '../../services/storage/types.js';
import { rowChanges } from '../support/row-changes.js';

const users: TableDef = {
  id: 1,
  version: 1,
  database: 'app',
  name: 'users',
  columns: [
    { name: 'id', type: 'BIGINT', length: null, nullable: false, autoIncrement: true },
    { name: 'name', type: 'VARCHAR', length: 20, nullable: true, autoIncrement: false },
    { name: 'score', type: 'DOUBLE', length: null, nullable: true, autoIncrement: false },
  ],
  primaryKey: [0],
};
const tags: TableDef = {
  id: 2,
  version: 1,
  database: 'app',
  name: 'tags',
  columns: [
    { name: 'tag', type: 'VARCHAR', length: 20, nullable: false, autoIncrement: false },
    { name: 'n', type: 'INT', length: null, nullable: false, autoIncrement: false },
  ],
  primaryKey: [0, 1],
};

const create = (after: Row, tableId = 1): BatchChange => ({ kind: 'row', tableId, schemaVersion: 1, op: 'c', before: null, after });
const batch = (changes: BatchChange[], proposedAtMs = 1000): ChangeBatch => ({ proposedAtMs, changes });
// The fields of a Raft entry carrying `changes`, as apply receives them.
const batchEntry = (changes: BatchChange[], proposedAtMs = 1000) => ({ term: 1n, kind: 'batch' as const, data: encodeBatch(batch(changes, proposedAtMs)) });
const noopEntry = { term: 1n, kind: 'noop' as const, data: new Uint8Array(0) };

let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tidedb-store-'));
  store = Store.open(join(dir, 'db'));
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function reopen(): Promise<void> {
  await store.close();
  store = Store.open(join(dir, 'db'));
}

function keyOf(table: TableDef, row: Row): Buffer {
  return encodeRowKey(table, row);
}

function allRows(table: TableDef): Row[] {
  return [...store.scanRows(table)].map(({ row }) => row);
}

describe('Store', () => {
  it('starts empty: applied index 0, first table id 1, no tables', () => {
    expect(store.appliedIndex()).toBe(0n);
    expect(store.nextTableId()).toBe(1);
    expect(store.allTables()).toEqual([]);
    expect(store.readChanges(0n, 10)).toEqual([]);
  });

  it('applies create_table and rows; getRow finds them and scanRows yields them in key order', () => {
    store.apply([
      { index: 1n, ...batchEntry([{ kind: 'create_table', table: users }, create([30n, 'c', 3.5]), create([-5n, 'a', null]), create([7n, null, 1.0])]) },
      { index: 2n, ...batchEntry([{ kind: 'create_table', table: tags }, create(['b', 2n], 2), create(['a', 9n], 2), create(['b', -1n], 2), create(['', 0n], 2)]) },
    ]);
    expect(store.appliedIndex()).toBe(2n);
    expect(store.table('app', 'users')).toEqual(users);
    expect(store.table('other', 'users')).toBeUndefined();
    expect(store.nextTableId()).toBe(3);
    expect(store.getRow(users, keyOf(users, [7n, null, null]))).toEqual([7n, null, 1]);
    expect(store.getRow(users, keyOf(users, [8n, null, null]))).toBeUndefined();
    expect(allRows(users)).toEqual([[-5n, 'a', null], [7n, null, 1], [30n, 'c', 3.5]]);
    expect(allRows(tags)).toEqual([['', 0n], ['a', 9n], ['b', -1n], ['b', 2n]]);
  });

  it('reads back every changelog record of a range whole, large and small binary values alike', () => {
    // The changelog's reader unpacks each record in lmdb-js's shared read buffer; a later record
    // (or one too large for that buffer) must not change what an earlier one read.
    const files: TableDef = { ...users, id: 1, name: 'files', columns: [users.columns[0]!, { name: 'data', type: 'BLOB', length: null, nullable: true, autoIncrement: false }] };
    const sizes = [3, 200_000, 0, 17, 70_000, 1];
    const rows: Row[] = sizes.map((size, at) => [BigInt(at), Uint8Array.from({ length: size }, (_, n) => (n * 31 + at) % 256)]);
    store.apply([{ index: 1n, ...batchEntry([{ kind: 'create_table', table: files }, ...rows.map((row) => create(row, 1))]) }]);
    const changes = store.readChanges(lsnOf(1n, 1), 100);
    expect(changes.map((change) => (change.op === 'ddl' ? null : change.after))).toEqual(rows.map(([id, data]) => [id, expect.objectContaining({ length: (data as Uint8Array).length })]));
    changes.forEach((change, at) => {
      expect(change.op === 'ddl' ? null : Buffer.from(change.after![1] as Uint8Array).equals(Buffer.from(rows[at]![1] as Uint8Array)), `record ${at}`).toBe(true);
    });
  });

  it('applies batch entries and noop entries as they come from the log', () => {
    store.apply([
      { index: 1n, ...noopEntry },
      { index: 2n, ...batchEntry([{ kind: 'create_table', table: users }, create([1n, 'x', 2.0])]) },
      { index: 3n, ...batchEntry([{ kind: 'row', tableId: 1, schemaVersion: 1, op: 'u', before: [1n, 'x', 2.0], after: [1n, 'y', 2.5] }]) },
    ]);
    expect(store.appliedIndex()).toBe(3n);
    expect(allRows(users)).toEqual([[1n, 'y', 2.5]]);
    const [row] = allRows(users);
    expect(typeof row?.[0]).toBe('bigint');
  });

  it("keeps the applied entry's term beside the applied index, across a reopen, with terms past 2^53", async () => {
    expect(store.appliedTerm()).toBe(0n);
    store.apply([
      { index: 1n, ...noopEntry, term: 2n },
      { index: 2n, ...noopEntry, term: 2n ** 60n },
    ]);
    expect(store.appliedTerm()).toBe(2n ** 60n);
    await reopen();
    expect(store.appliedIndex()).toBe(2n);
    expect(store.appliedTerm()).toBe(2n ** 60n);
  });

  it('keeps catalog, rows, applied index, table ids and auto-increment counters across a reopen', async () => {
    store.apply([
      { index: 1n, ...batchEntry([{ kind: 'create_table', table: users }, create([1n, 'ann', 0.5]), { kind: 'auto_increment', tableId: 1, next: 2n }]) },
      { index: 2n, ...batchEntry([create([2n ** 63n - 1n, 'max', null]), { kind: 'auto_increment', tableId: 1, next: 2n ** 63n }]) },
      { index: 3n, ...batchEntry([{ kind: 'create_table', table: tags }]) },
    ]);
    await reopen();
    expect(store.appliedIndex()).toBe(3n);
    expect(store.allTables()).toEqual([users, tags]);
    expect(store.table('app', 'tags')).toEqual(tags);
    expect(store.nextTableId()).toBe(3);
    expect(store.autoIncrementNext(1)).toBe(2n ** 63n);
    expect(store.autoIncrementNext(2)).toBe(1n);
    expect(allRows(users)).toEqual([[1n, 'ann', 0.5], [2n ** 63n - 1n, 'max', null]]);
    // And it goes on applying where it stopped.
    store.apply([{ index: 4n, ...batchEntry([create(['z', 1n], 2)]) }]);
    expect(allRows(tags)).toEqual([['z', 1n]]);
  });

  it('refuses an entry whose index is not applied + 1 and changes nothing', async () => {
    store.apply([{ index: 1n, ...batchEntry([{ kind: 'create_table', table: users }, create([1n, 'a', null])]) }]);
    for (const index of [1n, 3n, 0n]) {
      expect(() => store.apply([{ index, ...batchEntry([create([2n, 'b', null])]) }])).toThrow();
    }
    // A batch of several entries with a gap fails as a whole: the valid first one is not kept.
    expect(() =>
      store.apply([
        { index: 2n, ...batchEntry([create([3n, 'c', null])]) },
        { index: 4n, ...batchEntry([create([4n, 'd', null])]) },
      ]),
    ).toThrow();
    await reopen();
    expect(store.appliedIndex()).toBe(1n);
    expect(allRows(users)).toEqual([[1n, 'a', null]]);
    expect(rowChanges(store).map((record) => record.after)).toEqual([[1n, 'a', null]]);
  });

  it('rolls back an entry whose change fails mid-batch: nothing of it is on disk', async () => {
    store.apply([{ index: 1n, ...batchEntry([{ kind: 'create_table', table: users }, create([1n, 'a', null])]) }]);
    const deleteMissing: BatchChange = { kind: 'row', tableId: 1, schemaVersion: 1, op: 'd', before: [99n, null, null], after: null };
    expect(() => store.apply([{ index: 2n, ...batchEntry([create([2n, 'b', null]), deleteMissing]) }])).toThrow();
    await reopen();
    expect(store.appliedIndex()).toBe(1n);
    expect(allRows(users)).toEqual([[1n, 'a', null]]);
    expect(store.readChanges(lsnOf(2n, 0), 100)).toEqual([]);
  });

  it('refuses an update that changes the primary key (the executor sends delete + create)', () => {
    store.apply([{ index: 1n, ...batchEntry([{ kind: 'create_table', table: users }, create([1n, 'a', null])]) }]);
    const moveKey: BatchChange = { kind: 'row', tableId: 1, schemaVersion: 1, op: 'u', before: [1n, 'a', null], after: [2n, 'a', null] };
    expect(() => store.apply([{ index: 2n, ...batchEntry([moveKey]) }])).toThrow();
    expect(store.appliedIndex()).toBe(1n);
    expect(allRows(users)).toEqual([[1n, 'a', null]]);
    // The same move as delete + create is fine.
    store.apply([{ index: 2n, ...batchEntry([{ kind: 'row', tableId: 1, schemaVersion: 1, op: 'd', before: [1n, 'a', null], after: null }, create([2n, 'a', null])]) }]);
    expect(allRows(users)).toEqual([[2n, 'a', null]]);
  });

  it('drop_table removes the rows and the name, but tableById still answers', async () => {
    await store.apply([
      { index: 1n, ...batchEntry([{ kind: 'create_table', table: users }, create([1n, 'a', null]), create([2n, 'b', null])]) },
      { index: 2n, ...batchEntry([{ kind: 'create_table', table: tags }, create(['t', 1n], 2)]) },
      { index: 3n, ...batchEntry([{ kind: 'drop_table', tableId: 1 }]) },
    ]);
    const check = (): void => {
      expect(store.table('app', 'users')).toBeUndefined();
      expect(store.tableById(1)).toEqual(users);
      expect(allRows(users)).toEqual([]);
      expect(store.getRow(users, keyOf(users, [1n, null, null]))).toBeUndefined();
      expect(allRows(tags)).toEqual([['t', 1n]]); // the neighbour table is untouched
    };
    check();
    await reopen();
    check();
    // The name is free again, under a new id.
    const again: TableDef = { ...users, id: 3 };
    store.apply([{ index: 4n, ...batchEntry([{ kind: 'create_table', table: again }, create([5n, 'new', null], 3)]) }]);
    expect(store.table('app', 'users')).toEqual(again);
    expect(allRows(again)).toEqual([[5n, 'new', null]]);
    expect(allRows(users)).toEqual([]);
  });

  it('refuses a table id that is not the next one (assert)', () => {
    expect(() => store.apply([{ index: 1n, ...batchEntry([{ kind: 'create_table', table: tags }]) }])).toThrow();
    expect(store.appliedIndex()).toBe(0n);
  });

  it('readChanges returns row and schema changes with lsn = (index << 20) | offset, in order, from an lsn, with a limit', () => {
    store.apply([
      { index: 1n, ...batchEntry([{ kind: 'create_table', table: users }, create([1n, 'a', null]), create([2n, 'b', 1.5])], 111) },
      { index: 2n, ...noopEntry },
      {
        index: 3n,
        ...batchEntry(
          [
            { kind: 'row', tableId: 1, schemaVersion: 1, op: 'u', before: [1n, 'a', null], after: [1n, 'a2', 2.0] },
            { kind: 'auto_increment', tableId: 1, next: 10n },
            { kind: 'row', tableId: 1, schemaVersion: 1, op: 'd', before: [2n, 'b', 1.5], after: null },
          ],
          333,
        ),
      },
    ]);
    const all = store.readChanges(0n, 100);
    // The offset counts row and schema changes: counter changes have no lsn.
    expect(all).toEqual([
      { lsn: (1n << 20n) | 0n, op: 'ddl', kind: 'create_table', database: users.database, tableId: 1, schemaVersion: 1, table: users.name, ddl: null, tsMs: 111 },
      { lsn: (1n << 20n) | 1n, tableId: 1, schemaVersion: 1, op: 'c', before: null, after: [1n, 'a', null], tsMs: 111 },
      { lsn: (1n << 20n) | 2n, tableId: 1, schemaVersion: 1, op: 'c', before: null, after: [2n, 'b', 1.5], tsMs: 111 },
      { lsn: (3n << 20n) | 0n, tableId: 1, schemaVersion: 1, op: 'u', before: [1n, 'a', null], after: [1n, 'a2', 2], tsMs: 333 },
      { lsn: (3n << 20n) | 1n, tableId: 1, schemaVersion: 1, op: 'd', before: [2n, 'b', 1.5], after: null, tsMs: 333 },
    ]);
    expect(store.readChanges(lsnOf(1n, 2), 2).map((record) => record.lsn)).toEqual([lsnOf(1n, 2), lsnOf(3n, 0)]);
    expect(store.readChanges(lsnOf(2n, 0), 100).map((record) => record.lsn)).toEqual([lsnOf(3n, 0), lsnOf(3n, 1)]);
    expect(store.readChanges(lsnOf(3n, 2), 100)).toEqual([]);
    expect(store.readChanges(0n, 1)).toHaveLength(1);
  });

  it('refuses an auto-increment counter that moves backwards (assert)', () => {
    store.apply([{ index: 1n, ...batchEntry([{ kind: 'create_table', table: users }, { kind: 'auto_increment', tableId: 1, next: 5n }]) }]);
    expect(() => store.apply([{ index: 2n, ...batchEntry([{ kind: 'auto_increment', tableId: 1, next: 5n }]) }])).toThrow();
    expect(store.autoIncrementNext(1)).toBe(5n);
  });

  it('keeps node-local values apart from replicated state, across a reopen', async () => {
    await store.putLocal('checkpoint', 42n);
    await reopen();
    expect(store.getLocal('checkpoint')).toBe(42n);
    expect(store.appliedIndex()).toBe(0n);
  });
});
