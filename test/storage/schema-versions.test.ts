// Proves rows and changelog records are read with the schema version that wrote them once a table
// has a new version: a real Store applies an alter_table batch between writes, and reads, reopens and raw LMDB bytes show it.
import { mkdtempSync, rmSync } from 'node:fs';
import { isDdlRecord } from '../../services/storage/types.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeBatch, encodeBatch } from '../../services/storage/batch-codec.js';
import { encodeRowKey, tablePrefix } from '../../services/storage/key-codec.js';
import { packr } from '../../services/storage/row-codec.js';
import { Store } from '../../services/storage/store.js';
import type { BatchChange, ColumnDef, Row, TableDef } from '../../services/storage/types.js';
import { rowChanges } from '../support/row-changes.js';

const column = (name: string, type: ColumnDef['type'], nullable = true): ColumnDef => ({ name, type, length: type === 'VARCHAR' ? 40 : null, nullable, autoIncrement: false });

// Version 2 drops `score` and adds `email`, keeping `id` and `name` in new positions.
const usersV1: TableDef = { id: 1, version: 1, database: 'app', name: 'users', columns: [column('id', 'BIGINT', false), column('name', 'VARCHAR'), column('score', 'DOUBLE')], primaryKey: [0] };
const usersV2: TableDef = { ...usersV1, version: 2, columns: [column('name', 'VARCHAR'), column('id', 'BIGINT', false), column('email', 'TEXT')], primaryKey: [1] };

let dir: string;
let store: Store;
let index = 0n;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tidedb-versions-'));
  store = Store.open(join(dir, 'db'));
  index = 0n;
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function apply(changes: BatchChange[], proposedAtMs = 1000): void {
  index += 1n;
  const done = store.apply([{ index, term: 1n, kind: 'batch', data: encodeBatch({ proposedAtMs, changes }) }]);
  expect(done).toBeUndefined(); // small batches apply synchronously
}

const row = (table: TableDef, op: 'c' | 'u' | 'd', before: Row | null, after: Row | null): BatchChange => ({ kind: 'row', tableId: table.id, schemaVersion: table.version, op, before, after });

async function reopen(): Promise<void> {
  await store.close();
  store = Store.open(join(dir, 'db'));
}

// Two rows written in version 1, the table moved to version 2, one row written in version 2.
function writeAcrossVersions(): void {
  apply([{ kind: 'create_table', table: usersV1 }, row(usersV1, 'c', null, [1n, 'ann', 1.5]), row(usersV1, 'c', null, [2n, 'bob', null])], 100);
  apply([{ kind: 'alter_table', table: usersV2 }], 200);
  apply([row(usersV2, 'c', null, ['cy', 3n, 'cy@example.com'])], 300);
}

describe('schema versions', () => {
  it('reads rows of both versions in the current shape: added column NULL, dropped column left out', async () => {
    writeAcrossVersions();
    for (const pass of ['live', 'reopened']) {
      const current = store.table('app', 'users');
      expect(current, pass).toEqual(usersV2);
      expect([...store.scanRows(current!)].map((entry) => entry.row), pass).toEqual([
        ['ann', 1n, null],
        ['bob', 2n, null],
        ['cy', 3n, 'cy@example.com'],
      ]);
      expect(store.getRow(current!, encodeRowKey(current!, ['ann', 1n, null])), pass).toEqual(['ann', 1n, null]);
      // A reader still working in version 1 gets every row in version 1's shape.
      expect([...store.scanRows(usersV1)].map((entry) => entry.row), pass).toEqual([
        [1n, 'ann', 1.5],
        [2n, 'bob', null],
        [3n, 'cy', null],
      ]);
      await reopen();
    }
  });

  it('keeps every version in the catalog: tableVersion answers each, tableById and allTables the current', async () => {
    writeAcrossVersions();
    for (const pass of ['live', 'reopened']) {
      expect(store.tableVersion(1, 1), pass).toEqual(usersV1);
      expect(store.tableVersion(1, 2), pass).toEqual(usersV2);
      expect(store.tableVersion(1, 3), pass).toBeUndefined();
      expect(store.tableVersion(1, 0), pass).toBeUndefined();
      expect(store.tableById(1), pass).toEqual(usersV2);
      expect(store.allTables(), pass).toEqual([usersV2]);
      await reopen();
    }
    // A table's drop applies in slices, whatever its size.
    index += 1n;
    await store.apply([{ index, term: 1n, kind: 'batch', data: encodeBatch({ proposedAtMs: 1000, changes: [{ kind: 'drop_table', tableId: 1 }] }) }]);
    await reopen();
    expect(store.table('app', 'users')).toBeUndefined();
    expect(store.tableVersion(1, 1)).toEqual(usersV1); // the changelog outlives the table
    expect(store.tableById(1)).toEqual(usersV2);
  });

  it('reads changelog records with the version that wrote them, in its shape', async () => {
    writeAcrossVersions();
    // An old row changed in version 2: its images are in version 2's shape, as executed.
    apply([row(usersV2, 'u', ['bob', 2n, null], ['bob', 2n, 'bob@example.com'])], 400);
    await reopen();
    expect(rowChanges(store).map(({ schemaVersion, op, before, after, tsMs }) => ({ schemaVersion, op, before, after, tsMs }))).toEqual([
      { schemaVersion: 1, op: 'c', before: null, after: [1n, 'ann', 1.5], tsMs: 100 },
      { schemaVersion: 1, op: 'c', before: null, after: [2n, 'bob', null], tsMs: 100 },
      { schemaVersion: 2, op: 'c', before: null, after: ['cy', 3n, 'cy@example.com'], tsMs: 300 },
      { schemaVersion: 2, op: 'u', before: ['bob', 2n, null], after: ['bob', 2n, 'bob@example.com'], tsMs: 400 },
    ]);
    // The DOUBLE 1.5 of version 1 is restored by version 1's definition, which version 2 lacks.
    expect(typeof rowChanges(store)[0]!.after![0]).toBe('bigint');
  });

  it('stores the catalog as (table id) → state and (table id, version) → definition, and rows with their version', async () => {
    writeAcrossVersions();
    await store.close();
    const root = open({ path: join(dir, 'db'), maxDbs: 8 });
    const catalog = root.openDB<Buffer, Buffer>({ name: 'catalog', keyEncoding: 'binary', encoding: 'binary' });
    const rows = root.openDB<Buffer, Buffer>({ name: 'rows', keyEncoding: 'binary', encoding: 'binary' });
    const entries = [...catalog.getRange({})].map(({ key, value }) => ({ key: key.toString('hex'), value: packr.unpack(value) as unknown }));
    expect(entries).toEqual([
      { key: '00000001', value: { version: 2, dropped: false } },
      { key: '0000000100000001', value: usersV1 },
      { key: '0000000100000002', value: usersV2 },
    ]);
    const versions = [...rows.getRange({ start: tablePrefix(1) })].map(({ value }) => [...value.subarray(0, 5)]);
    expect(versions).toEqual([
      [1, 0, 0, 0, 1],
      [1, 0, 0, 0, 1],
      [1, 0, 0, 0, 2],
    ]);
    await root.close();
    store = Store.open(join(dir, 'db'));
  });

  it('decodes a batch whose rows follow an alter_table in the same batch with the new version', () => {
    const changes: BatchChange[] = [{ kind: 'alter_table', table: usersV2 }, row(usersV2, 'c', null, ['dee', 4n, null])];
    const decoded = decodeBatch(encodeBatch({ proposedAtMs: 1, changes }), (id, version) => (id === 1 && version === 1 ? usersV1 : undefined));
    expect(decoded.changes).toEqual(changes);
    // A lookup that answers another version than asked is caught, not decoded with the wrong columns.
    expect(() => decodeBatch(encodeBatch({ proposedAtMs: 1, changes: [row(usersV2, 'c', null, ['dee', 4n, null])] }), () => usersV1)).toThrow();
  });

  it('renames a table as a version under the same id: found by its new name only, after a reopen too', async () => {
    writeAcrossVersions();
    const renamed: TableDef = { ...usersV2, version: 3, database: 'crm', name: 'people' };
    apply([{ kind: 'alter_table', table: renamed }]);
    for (const pass of ['live', 'reopened']) {
      expect(store.table('app', 'users'), pass).toBeUndefined();
      expect(store.table('crm', 'people'), pass).toEqual(renamed);
      expect([...store.scanRows(renamed)].map((entry) => entry.row[1]), pass).toEqual([1n, 2n, 3n]);
      await reopen();
    }
    // Renaming onto a live table is divergence.
    apply([{ kind: 'create_table', table: { ...usersV1, id: 2, name: 'other' } }]);
    expect(() => apply([{ kind: 'alter_table', table: { ...renamed, version: 4, database: 'app', name: 'other' } }])).toThrow();
  });

  it('replaces every row of a rewritten table with the batch\'s rewritten rows, writing no change records', async () => {
    writeAcrossVersions();
    const changesBefore = store.readChanges(0n, 100).length;
    // Version 3 retypes `id` to VARCHAR: a key change, so the rows come again, keyed anew.
    const usersV3: TableDef = { ...usersV2, version: 3, columns: [column('name', 'VARCHAR'), column('id', 'VARCHAR', false)], primaryKey: [1] };
    const rewritten: Row[] = [['ann', '1'], ['bob', '2'], ['cy', '3']];
    index += 1n;
    const changes: BatchChange[] = [{ kind: 'alter_table', table: usersV3, rewrite: true }, ...rewritten.map((image): BatchChange => ({ kind: 'rewritten_row', tableId: 1, schemaVersion: 3, row: image }))];
    // A rewrite touches every row of the table: it applies in slices, whatever its size.
    await store.apply([{ index, term: 1n, kind: 'batch', data: encodeBatch({ proposedAtMs: 500, changes }) }]);
    for (const pass of ['live', 'reopened']) {
      expect([...store.scanRows(usersV3)].map((entry) => entry.row), pass).toEqual(rewritten);
      expect(store.getRow(usersV3, encodeRowKey(usersV3, ['ann', '1'])), pass).toEqual(['ann', '1']);
      // The alter_table's schema-change record, and none for the rows.
      expect(store.readChanges(0n, 100).slice(changesBefore).map((record) => (isDdlRecord(record) ? record.kind : record.op)), pass).toEqual(['alter_table']);
      await reopen();
    }
  });

  it('refuses a row change in a version other than the current one, changing nothing (assert)', () => {
    writeAcrossVersions();
    const before = store.appliedIndex();
    expect(() => apply([row(usersV1, 'c', null, [9n, 'old', null])])).toThrow();
    expect(store.appliedIndex()).toBe(before);
    expect([...store.scanRows(usersV2)]).toHaveLength(3);
  });

  it('refuses a new version that skips one, changes the key or a type, or adds a NOT NULL column (assert)', () => {
    apply([{ kind: 'create_table', table: usersV1 }]);
    const refused: TableDef[] = [
      { ...usersV2, version: 3 },
      { ...usersV2, primaryKey: [0] },
      { ...usersV2, columns: [column('name', 'TEXT'), column('id', 'BIGINT', false), column('email', 'TEXT')] },
      { ...usersV2, columns: [column('name', 'VARCHAR'), column('id', 'BIGINT', false), column('email', 'TEXT', false)] },
    ];
    for (const table of refused) {
      index += 1n;
      expect(() => store.apply([{ index, term: 1n, kind: 'batch', data: encodeBatch({ proposedAtMs: 1, changes: [{ kind: 'alter_table', table }] }) }]), JSON.stringify(table)).toThrow();
      index -= 1n;
    }
    expect(store.tableById(1)).toEqual(usersV1);
  });
});
