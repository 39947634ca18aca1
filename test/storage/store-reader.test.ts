// Proves a reader store (Store.openReader, what a node's session processes read through) sees
// what the store that applies has committed once it refreshes, with the catalog those commits
// were applied to: new tables and versions, row counts and counters, in read views too.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeBatch } from '../../services/storage/batch-codec.js';
import { Store } from '../../services/storage/store.js';
import type { BatchChange, Row, TableDef } from '../../services/storage/types.js';

const items: TableDef = {
  id: 1,
  version: 1,
  database: 'app',
  name: 'items',
  columns: [
    { name: 'id', type: 'BIGINT', length: null, nullable: false, autoIncrement: true },
    { name: 'name', type: 'VARCHAR', length: 20, nullable: true, autoIncrement: false },
  ],
  primaryKey: [0],
};
const itemsV2: TableDef = { ...items, version: 2, columns: [...items.columns, { name: 'qty', type: 'INT', length: null, nullable: true, autoIncrement: false }] };

const create = (after: Row, schemaVersion = 1): BatchChange => ({ kind: 'row', tableId: 1, schemaVersion, op: 'c', before: null, after });
let nextIndex = 1n;
const applyBatch = (store: Store, changes: BatchChange[]): void => {
  const done = store.apply([{ index: nextIndex++, term: 1n, kind: 'batch', data: encodeBatch({ proposedAtMs: 1000, changes }) }]);
  expect(done).toBeUndefined();
};

let dir: string;
let owner: Store;
let reader: Store;

beforeEach(() => {
  nextIndex = 1n;
  dir = mkdtempSync(join(tmpdir(), 'tidedb-reader-'));
  owner = Store.open(join(dir, 'db'));
  reader = Store.openReader(join(dir, 'db'));
});

afterEach(async () => {
  await reader.close();
  await owner.close();
  rmSync(dir, { recursive: true, force: true });
});

const rowsOf = (store: Store, table: TableDef): Row[] => [...store.scanRows(table)].map(({ row }) => row);

describe('Store.openReader', () => {
  it('sees a table created after it opened, and its rows, once refreshed', () => {
    applyBatch(owner, [{ kind: 'create_table', table: items }, create([1n, 'a'])]);
    expect(reader.table('app', 'items')).toBeUndefined();
    reader.refresh();
    expect(reader.appliedIndex()).toBe(1n);
    expect(reader.table('app', 'items')?.version).toBe(1);
    expect(rowsOf(reader, items)).toEqual([[1n, 'a']]);
    expect(reader.rowCount(1)).toBe(1);
  });

  it('moves its catalog epoch only when the catalog changed, not for rows', () => {
    applyBatch(owner, [{ kind: 'create_table', table: items }]);
    reader.refresh();
    const epoch = reader.catalogEpoch();
    applyBatch(owner, [create([1n, 'a']), { kind: 'auto_increment', tableId: 1, next: 2n }]);
    reader.refresh();
    expect(reader.catalogEpoch()).toBe(epoch);
    // Counters are read where apply keeps them, never from a stale copy.
    expect(reader.rowCount(1)).toBe(1);
    expect(reader.autoIncrementNext(1)).toBe(2n);
    applyBatch(owner, [{ kind: 'alter_table', table: itemsV2 }]);
    reader.refresh();
    expect(reader.catalogEpoch()).toBeGreaterThan(epoch);
    expect(reader.table('app', 'items')?.version).toBe(2);
  });

  it('reads a row of a version its catalog has not loaded yet, as the version it plans with', async () => {
    applyBatch(owner, [{ kind: 'create_table', table: items }, create([1n, 'a'])]);
    reader.refresh();
    applyBatch(owner, [{ kind: 'alter_table', table: itemsV2 }, create([2n, 'b', 7n], 2)]);
    // No refresh: lmdb-js renews its read transaction on a timer, as between a statement's
    // slices, and the next read already holds the row written in version 2.
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(reader.table('app', 'items')?.version).toBe(1);
    expect(rowsOf(reader, items)).toEqual([[1n, 'a'], [2n, 'b']]);
  });

  it('opens read views at the newest commit, with its catalog', () => {
    applyBatch(owner, [{ kind: 'create_table', table: items }, create([1n, 'a'])]);
    const view = reader.openReadView();
    try {
      expect(view.appliedIndex).toBe(1n);
      expect(view.table('app', 'items')?.version).toBe(1);
      expect([...view.scanRows(items)].map(({ row }) => row)).toEqual([[1n, 'a']]);
      applyBatch(owner, [create([2n, 'b'])]);
      // The view is one snapshot: the owner's later commit is not in it.
      expect([...view.scanRows(items)].map(({ row }) => row)).toEqual([[1n, 'a']]);
    } finally {
      view.done();
    }
  });

  it('refuses to apply', () => {
    expect(() => reader.apply([{ index: 1n, term: 1n, kind: 'noop', data: new Uint8Array(0) }])).toThrow(/apply to a reader/);
  });
});
