// Proves a store's state snapshot: read in bounded chunks from one read transaction (entries
// applied after it opened are not in it), asked again or from chunk 0 with the same bytes, and
// installed on another store it gives the same catalog, rows, index entries, auto-increment
// counters and applied index and term, leaving that store's changelog and node-local state.
// A damaged chunk fails with SNAPSHOT_INVALID and the install leaves the old state whole.
import { describe, expect, it } from 'vitest';
import { TideError } from '../../services/base/errors.js';
import { encodeBatch } from '../../services/storage/batch-codec.js';
import { wholeIndex } from '../../services/storage/index-key.js';
import type { Store } from '../../services/storage/store.js';
import type { BatchChange, IndexDef, TableDef } from '../../services/storage/types.js';
import { readStateSnapshot } from '../support/state-snapshot-chunks.js';
import { useTempStores } from '../support/temp-stores.js';

const byLabel: IndexDef = { id: 1, name: 'by_label', unique: false, parts: [{ position: 1, direction: 'asc' }] };
const items: TableDef = {
  id: 1,
  version: 1,
  database: 'app',
  name: 'items',
  columns: [
    { name: 'id', type: 'BIGINT', length: null, nullable: false, autoIncrement: true },
    { name: 'label', type: 'TEXT', length: null, nullable: true, autoIncrement: false },
  ],
  primaryKey: [0],
};
const indexedItems: TableDef = { ...items, version: 2, indexes: [byLabel] };
const other: TableDef = { ...items, name: 'other' };

const openStore = useTempStores('tidedb-state-snapshot-').open;

async function applyChanges(store: Store, changes: readonly BatchChange[], term = 1n): Promise<void> {
  await store.apply([{ index: store.appliedIndex() + 1n, term, kind: 'batch', data: encodeBatch({ proposedAtMs: 1, changes }) }]);
}

function inserts(from: number, count: number): BatchChange[] {
  return Array.from({ length: count }, (_, at) => ({ kind: 'row', tableId: 1, schemaVersion: 2, op: 'c', before: null, after: [BigInt(from + at), `label ${(from + at) % 97} ${'x'.repeat(30)}`] }) as const);
}

// A store with a table, an index on it, 3,000 rows and an auto-increment counter, applied
// through index 5 in term 2.
async function populated(): Promise<Store> {
  const store = openStore();
  await applyChanges(store, [{ kind: 'create_table', table: items }]);
  await applyChanges(store, [{ kind: 'create_index', table: indexedItems, indexId: 1 }]);
  await applyChanges(store, inserts(0, 1_500));
  await applyChanges(store, inserts(1_500, 1_500));
  await applyChanges(store, [{ kind: 'auto_increment', tableId: 1, next: 3_001n }], 2n);
  return store;
}

function state(store: Store): unknown {
  const table = store.table('app', 'items');
  return {
    applied: store.appliedIndex(),
    term: store.appliedTerm(),
    tables: store.allTables(),
    nextTableId: store.nextTableId(),
    autoIncrement: store.autoIncrementNext(1),
    rows: table === undefined ? [] : [...store.scanRows(table)].map(({ row }) => row),
    index: table === undefined ? [] : [...store.scanIndex(table, byLabel, wholeIndex)].map((entry) => entry.key.toString('hex')),
  };
}

describe('state snapshot', () => {
  it('installs on another store the source state as of the read transaction, in bounded chunks', async () => {
    const source = await populated();
    const expected = state(source);
    const reader = source.openStateSnapshot(16 * 1024);
    expect([reader.index, reader.term]).toEqual([5n, 2n]);
    // Writes after the snapshot opened are not in it.
    await applyChanges(source, inserts(3_000, 10), 2n);
    const chunks: Uint8Array[] = [];
    for (let number = 0; ; number++) {
      const { data, last } = reader.chunk(number);
      expect(data.length).toBeLessThanOrEqual(16 * 1024 + 5);
      chunks.push(data);
      if (last) break;
    }
    reader.done();
    expect(chunks.length).toBeGreaterThan(10);

    const target = openStore();
    await applyChanges(target, [{ kind: 'create_table', table: other }]);
    await applyChanges(target, [{ kind: 'create_table', table: { ...other, id: 2, name: 'gone' } }]);
    await target.putLocal('kafka_checkpoint', 7n);
    const changelogBefore = target.readChanges(0n, 100);
    await target.installStateSnapshot(chunks);
    expect(state(target)).toEqual(expected);
    expect(target.table('app', 'other')).toBeUndefined();
    expect(target.table('app', 'gone')).toBeUndefined();
    expect(target.getLocal('kafka_checkpoint')).toBe(7n);
    // The changelog is the node's own; its records up to the new applied index stay readable.
    expect(target.readChanges(0n, 100)).toEqual(changelogBefore);
  });

  it('gives a chunk asked again, or the whole sequence asked from chunk 0, with the same bytes', async () => {
    const source = await populated();
    const reader = source.openStateSnapshot(8 * 1024);
    const first = [reader.chunk(0).data, reader.chunk(1).data];
    expect(Buffer.from(reader.chunk(1).data).equals(Buffer.from(first[1]!))).toBe(true);
    const second = reader.chunk(2);
    expect(Buffer.from(reader.chunk(0).data).equals(Buffer.from(first[0]!))).toBe(true);
    expect(Buffer.from(reader.chunk(1).data).equals(Buffer.from(first[1]!))).toBe(true);
    expect(Buffer.from(reader.chunk(2).data).equals(Buffer.from(second.data))).toBe(true);
    // Any other chunk is read again from the start, the same.
    expect(Buffer.from(reader.chunk(1).data).equals(Buffer.from(first[1]!))).toBe(true);
    expect(Buffer.from(reader.chunk(3).data).length).toBeGreaterThan(5);
    expect(Buffer.from(reader.chunk(2).data).equals(Buffer.from(second.data))).toBe(true);
    reader.done();
  });

  it('refuses a damaged chunk with SNAPSHOT_INVALID and keeps the old state whole', async () => {
    const source = await populated();
    const { chunks } = readStateSnapshot(source, 16 * 1024);
    const target = openStore();
    await applyChanges(target, [{ kind: 'create_table', table: other }]);
    const before = state(target);
    const damaged = chunks.map((chunk) => Buffer.from(chunk));
    const victim = damaged[Math.floor(damaged.length / 2)]!;
    victim.writeUInt8(victim.readUInt8(victim.length - 3) ^ 0x40, victim.length - 3);
    const failure = await target.installStateSnapshot(damaged).then(() => null, (error: unknown) => error);
    expect(failure).toBeInstanceOf(TideError);
    expect((failure as TideError).code).toBe('SNAPSHOT_INVALID');
    expect(state(target)).toEqual(before);
    expect(target.table('app', 'other')).toBeDefined();
    expect(target.applying()).toBeNull();
  });

  it('installs in slices that give the event loop back, telling readers to wait until it has committed', async () => {
    const source = openStore();
    await applyChanges(source, [{ kind: 'create_table', table: items }]);
    await applyChanges(source, [{ kind: 'create_index', table: indexedItems, indexId: 1 }]);
    await applyChanges(source, inserts(0, 20_000));
    const { chunks } = readStateSnapshot(source, 64 * 1024);
    const target = openStore();
    let turns = 0;
    const pendingSeen = new Set<boolean>();
    // Sampled until the install has committed (the checkpoint that follows it, a sync off the
    // loop, is not something readers wait for).
    const ticker = setInterval(() => {
      if (target.appliedIndex() === source.appliedIndex()) return;
      turns++;
      pendingSeen.add(target.applying() !== null);
    }, 0);
    await target.installStateSnapshot(chunks);
    clearInterval(ticker);
    expect(turns).toBeGreaterThan(1);
    expect(pendingSeen).toEqual(new Set([true]));
    expect(target.applying()).toBeNull();
    expect(state(target)).toEqual(state(source));
  }, 60_000);
});
