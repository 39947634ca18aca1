// Proves apply keeps secondary index entries equal to a rebuild from the rows: through seeded
// random inserts, updates and deletes, an index built on a populated table, a drop of an index
// and of its table; and that range scans over an index return exactly the entries in range.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeBatch } from '../../services/storage/batch-codec.js';
import { indexEntryOf, indexRangeBytes, inRange, wholeIndex } from '../../services/storage/index-key.js';
import type { IndexRange } from '../../services/storage/index-key.js';
import { Store } from '../../services/storage/store.js';
import type { BatchChange, IndexDef, Row, TableDef } from '../../services/storage/types.js';
import { seededRandom } from '../support/seeded-random.js';
import { useTempStores } from '../support/temp-stores.js';

const byGroup: IndexDef = { id: 1, name: 'by_group', unique: false, parts: [{ position: 1, direction: 'asc' }, { position: 2, direction: 'desc' }] };
const byCode: IndexDef = { id: 2, name: 'by_code', unique: true, parts: [{ position: 3, direction: 'asc' }] };
const base: TableDef = {
  id: 1,
  version: 1,
  database: 'app',
  name: 'things',
  columns: [
    { name: 'id', type: 'BIGINT', length: null, nullable: false, autoIncrement: false },
    { name: 'grp', type: 'INT', length: null, nullable: true, autoIncrement: false },
    { name: 'score', type: 'DOUBLE', length: null, nullable: true, autoIncrement: false },
    { name: 'code', type: 'VARCHAR', length: 20, nullable: true, autoIncrement: false },
  ],
  primaryKey: [0],
};
const indexed: TableDef = { ...base, indexes: [byGroup, byCode] };

const stores = useTempStores('tidedb-index-');
const openStore = stores.open;

async function applyChanges(store: Store, changes: readonly BatchChange[]): Promise<void> {
  await store.apply([{ index: store.appliedIndex() + 1n, term: 1n, kind: 'batch', data: encodeBatch({ proposedAtMs: 1, changes }) }]);
}

function stored(store: Store, table: TableDef, index: IndexDef, range: IndexRange = wholeIndex): string[] {
  return [...store.scanIndex(table, index, range)].map((entry) => `${entry.key.toString('hex')}>${entry.rowKey.toString('hex')}`);
}

// What the index must hold: an entry per row, in byte order of keys.
function rebuilt(store: Store, table: TableDef, index: IndexDef, range: IndexRange = wholeIndex): string[] {
  const { start, end } = indexRangeBytes(table, index, range);
  return [...store.scanRows(table)]
    .map(({ row }) => indexEntryOf(table, index, row))
    .filter((entry) => inRange(entry.key, start, end))
    .sort((a, b) => Buffer.compare(a.key, b.key))
    .map((entry) => `${entry.key.toString('hex')}>${entry.rowKey.toString('hex')}`);
}

function randomRow(random: () => number, id: bigint, codes: Set<string>): Row {
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  let code: string | null = null;
  // Codes are unique among rows (the leader would refuse a duplicate); NULL may repeat.
  if (random() < 0.8) {
    do code = `c${Math.floor(random() * 10_000)}`;
    while (codes.has(code));
  }
  return [id, pick([null, 1n, 2n, 3n, -7n]), pick([null, -1.5, 0, 2.25, 1e10]), code];
}

describe('secondary index maintenance', () => {
  it('equals a rebuild from the rows after every batch of random inserts, updates and deletes', async () => {
    const random = seededRandom(Number(process.env['SEED'] ?? 6006));
    const store = openStore();
    await applyChanges(store, [{ kind: 'create_table', table: indexed }]);
    const rows = new Map<bigint, Row>();
    const codes = new Set<string>();
    for (let batch = 0; batch < 60; batch++) {
      const changes: BatchChange[] = [];
      const touched = new Set<bigint>();
      for (let at = 0; at < 10; at++) {
        const id = BigInt(Math.floor(random() * 40));
        if (touched.has(id)) continue;
        touched.add(id);
        const before = rows.get(id) ?? null;
        if (before !== null) codes.delete(String(before[3]));
        const after = before !== null && random() < 0.4 ? null : randomRow(random, id, codes);
        if (after === null) rows.delete(id);
        else {
          rows.set(id, after);
          if (after[3] !== null) codes.add(String(after[3]));
        }
        changes.push({ kind: 'row', tableId: 1, schemaVersion: 1, op: before === null ? 'c' : after === null ? 'd' : 'u', before, after });
      }
      await applyChanges(store, changes);
      for (const index of [byGroup, byCode]) expect(stored(store, indexed, index)).toEqual(rebuilt(store, indexed, index));
    }
    expect(rows.size).toBeGreaterThan(10);
    // Range scans: bounds on a prefix of the parts, inclusive and exclusive, ASC and DESC parts.
    const ranges: IndexRange[] = [
      { low: { values: [1n], inclusive: true }, high: { values: [2n], inclusive: true } },
      { low: { values: [1n], inclusive: false }, high: null },
      { low: null, high: { values: [null], inclusive: true } },
      { low: { values: [2n, 2.25], inclusive: true }, high: { values: [2n, -1.5], inclusive: false } },
    ];
    for (const range of ranges) {
      const found = stored(store, indexed, byGroup, range);
      expect(found).toEqual(rebuilt(store, indexed, byGroup, range));
    }
    const nulls = [...store.scanIndex(indexed, byGroup, { low: null, high: { values: [null], inclusive: true } })];
    expect(nulls.length).toBe([...rows.values()].filter((row) => row[1] === null).length);
  });

  it('builds an index over a populated table in slices, and drops it and the table with their entries', async () => {
    const store = openStore();
    await applyChanges(store, [{ kind: 'create_table', table: base }]);
    const rows: BatchChange[] = Array.from({ length: 3_000 }, (_, at) => ({ kind: 'row', tableId: 1, schemaVersion: 1, op: 'c', before: null, after: [BigInt(at), BigInt(at % 7), at / 3, `code ${at}`] }));
    await applyChanges(store, rows);
    const withIndex: TableDef = { ...base, version: 2, indexes: [byGroup] };
    const applying = store.apply([{ index: store.appliedIndex() + 1n, term: 1n, kind: 'batch', data: encodeBatch({ proposedAtMs: 1, changes: [{ kind: 'create_index', table: withIndex, indexId: 1 }] }) }]);
    expect(applying).toBeInstanceOf(Promise);
    await applying;
    expect(store.table('app', 'things')?.version).toBe(2);
    expect(stored(store, withIndex, byGroup)).toHaveLength(3_000);
    expect(stored(store, withIndex, byGroup)).toEqual(rebuilt(store, withIndex, byGroup));

    const withoutIndex: TableDef = { ...base, version: 3, indexes: [] };
    await applyChanges(store, [{ kind: 'drop_index', table: withoutIndex, indexId: 1 }]);
    expect(stored(store, withIndex, byGroup)).toEqual([]);

    const again: TableDef = { ...base, version: 4, indexes: [byCode] };
    await applyChanges(store, [{ kind: 'create_index', table: again, indexId: 2 }]);
    expect(stored(store, again, byCode)).toHaveLength(3_000);
    await applyChanges(store, [{ kind: 'drop_table', tableId: 1 }]);
    expect(stored(store, again, byCode)).toEqual([]);
  });

  it('keeps index definitions across a reopen, as part of the table version', async () => {
    const dir = stores.dir();
    const first = Store.open(join(dir, 'db'));
    await applyChanges(first, [{ kind: 'create_table', table: indexed }]);
    await first.close();
    const second = Store.open(join(dir, 'db'));
    try {
      expect(second.table('app', 'things')?.indexes).toEqual([byGroup, byCode]);
    } finally {
      await second.close();
    }
  });
});
