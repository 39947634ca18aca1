// Proves the index statements end to end on a real store: CREATE TABLE's UNIQUE/INDEX/KEY
// clauses, CREATE/DROP INDEX and ALTER TABLE's index actions make new table versions with the
// right definitions; UNIQUE is enforced through the index on INSERT and UPDATE (DUPLICATE_KEY,
// nothing changed); bad index DDL gets its own code; and through seeded random statements the
// stored index always equals a rebuild from the rows.
import { describe, expect, it } from 'vitest';
import { indexesPerTableMax, partsPerIndexMax } from '../../services/base/limits.js';
import { OverlayView } from '../../services/sql/overlay-view.js';
import { indexEntryOf, wholeIndex } from '../../services/storage/index-key.js';
import type { Store } from '../../services/storage/store.js';
import { indexesOf } from '../../services/storage/types.js';
import type { IndexDef, TableDef } from '../../services/storage/types.js';
import { seededRandom } from '../support/seeded-random.js';
import { useTempStores } from '../support/temp-stores.js';
import { errorCodeOfSql, runOnStoreAsync } from './run-on-store.js';

const openStore = useTempStores('tidedb-index-sql-').open;

function table(store: Store, name = 't'): TableDef {
  const found = store.table('app', name);
  if (found === undefined) throw new Error(`no table ${name}`);
  return found;
}

function shape(store: Store, name = 't'): string[] {
  const def = table(store, name);
  return indexesOf(def).map((index) => `${index.unique ? 'unique ' : ''}${index.name}(${index.parts.map((part) => `${def.columns[part.position]!.name}${part.direction === 'desc' ? ' desc' : ''}`).join(',')})`);
}

// The stored entries of an index against those its rows call for.
function expectIndexMatchesRows(store: Store, def: TableDef, index: IndexDef): void {
  const stored = [...store.scanIndex(def, index, wholeIndex)].map((entry) => entry.key.toString('hex'));
  const rebuilt = [...store.scanRows(def)].map(({ row }) => indexEntryOf(def, index, row).key).sort(Buffer.compare).map((key) => key.toString('hex'));
  expect(stored).toEqual(rebuilt);
}

describe('index DDL', () => {
  it('reads UNIQUE, INDEX and KEY clauses of CREATE TABLE, with MySQL default names', async () => {
    const store = openStore();
    await runOnStoreAsync(store, 'CREATE TABLE t (id INT PRIMARY KEY, a INT UNIQUE, b VARCHAR(10), c INT, UNIQUE KEY ub (b), INDEX (c DESC, a), KEY (c), CONSTRAINT named UNIQUE (a, c))');
    expect(shape(store)).toEqual(['unique a(a)', 'unique ub(b)', 'c(c desc,a)', 'c_2(c)', 'unique named(a,c)']);
    expect(table(store).version).toBe(1);
  });

  it('adds and drops indexes with CREATE/DROP INDEX and ALTER TABLE, one version each', async () => {
    const store = openStore();
    await runOnStoreAsync(store, 'CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT)');
    await runOnStoreAsync(store, 'INSERT INTO t VALUES (1, 10, 100), (2, 20, 100), (3, NULL, NULL)');
    await runOnStoreAsync(store, 'CREATE UNIQUE INDEX ua ON t (a DESC)');
    await runOnStoreAsync(store, 'ALTER TABLE t ADD INDEX ib (b), ADD UNIQUE KEY uab (a, b)');
    expect(shape(store)).toEqual(['unique ua(a desc)', 'ib(b)', 'unique uab(a,b)']);
    expect(table(store).version).toBe(4);
    for (const index of indexesOf(table(store))) expectIndexMatchesRows(store, table(store), index);
    await runOnStoreAsync(store, 'DROP INDEX ib ON t');
    await runOnStoreAsync(store, 'ALTER TABLE t DROP INDEX ua, ADD INDEX ua (b)');
    expect(shape(store)).toEqual(['unique uab(a,b)', 'ua(b)']);
    for (const index of indexesOf(table(store))) expectIndexMatchesRows(store, table(store), index);
  });

  it('refuses bad index DDL with a code of its own, changing nothing', async () => {
    const store = openStore();
    await runOnStoreAsync(store, 'CREATE TABLE t (id INT PRIMARY KEY, a INT, b TEXT)');
    await runOnStoreAsync(store, 'CREATE INDEX ia ON t (a)');
    const run = (sql: string) => errorCodeOfSql(store, sql);
    expect(await run('CREATE INDEX ia ON t (b)')).toBe('INDEX_EXISTS');
    expect(await run('CREATE INDEX IA ON t (b)')).toBe('INDEX_EXISTS'); // names compare without case, as MySQL's
    expect(await run('DROP INDEX nope ON t')).toBe('INDEX_NOT_FOUND');
    expect(await run('CREATE INDEX ix ON t (nope)')).toBe('KEY_COLUMN_NOT_FOUND');
    expect(await run('CREATE INDEX ix ON nope (a)')).toBe('TABLE_NOT_FOUND');
    expect(await run('CREATE INDEX ix ON t (a, a)')).toBe('TABLE_DEFINITION_INVALID');
    expect(await run('CREATE INDEX PRIMARY ON t (a)')).not.toBe('no error');
    expect(await run('CREATE INDEX ix ON t (b(10))')).toBe('SQL_UNSUPPORTED');
    expect(await run('CREATE FULLTEXT INDEX ix ON t (b)')).toBe('SQL_UNSUPPORTED');
    expect(await run('ALTER TABLE t ADD COLUMN serial INT AUTO_INCREMENT')).toBe('SQL_UNSUPPORTED');
    expect(await run('CREATE TABLE u (id INT PRIMARY KEY, a INT, INDEX (nope))')).toBe('KEY_COLUMN_NOT_FOUND');
    expect(store.table('app', 'u')).toBeUndefined();
    expect(shape(store)).toEqual(['ia(a)']);
    expect(table(store).version).toBe(2);
  });

  it(`allows ${partsPerIndexMax} parts per index and ${indexesPerTableMax} indexes per table, and no more`, async () => {
    const store = openStore();
    const columns = Array.from({ length: partsPerIndexMax + 1 }, (_, at) => `c${at} INT`).join(', ');
    await runOnStoreAsync(store, `CREATE TABLE t (id INT PRIMARY KEY, ${columns})`);
    const parts = (count: number) => Array.from({ length: count }, (_, at) => `c${at}`).join(', ');
    expect(await errorCodeOfSql(store, `CREATE INDEX wide ON t (${parts(partsPerIndexMax + 1)})`)).toBe('TABLE_DEFINITION_INVALID');
    await runOnStoreAsync(store, `CREATE INDEX wide ON t (${parts(partsPerIndexMax)})`);
    const adds = Array.from({ length: indexesPerTableMax - 1 }, (_, at) => `ADD INDEX i${at} (c${at % partsPerIndexMax})`).join(', ');
    await runOnStoreAsync(store, `ALTER TABLE t ${adds}`);
    expect(indexesOf(table(store))).toHaveLength(indexesPerTableMax);
    expect(await errorCodeOfSql(store, 'CREATE INDEX one_more ON t (c0)')).toBe('TABLE_DEFINITION_INVALID');
  });
});

describe('UNIQUE through indexes', () => {
  it('answers DUPLICATE_KEY on INSERT and UPDATE and changes nothing; NULLs may repeat', async () => {
    const store = openStore();
    await runOnStoreAsync(store, 'CREATE TABLE t (id INT PRIMARY KEY, email VARCHAR(40) UNIQUE, a INT, b INT, UNIQUE KEY uab (a, b))');
    await runOnStoreAsync(store, "INSERT INTO t VALUES (1, 'x@a', 1, 1), (2, NULL, 1, NULL), (3, NULL, 1, NULL)");
    const before = [...store.scanRows(table(store))].map(({ row }) => row);
    const applied = store.appliedIndex();
    const run = (sql: string) => errorCodeOfSql(store, sql);
    expect(await run("INSERT INTO t VALUES (4, 'x@a', 2, 2)")).toBe('DUPLICATE_KEY');
    expect(await run("INSERT INTO t VALUES (4, 'y@a', 2, 2), (5, 'y@a', 3, 3)")).toBe('DUPLICATE_KEY'); // within one statement
    expect(await run("INSERT INTO t VALUES (4, 'z@a', 1, 1)")).toBe('DUPLICATE_KEY'); // composite
    expect(await run("UPDATE t SET email = 'x@a' WHERE id = 2")).toBe('DUPLICATE_KEY');
    expect(await run('UPDATE t SET b = 1 WHERE id = 2')).toBe('DUPLICATE_KEY');
    expect(await run('UPDATE t SET id = 9, a = 1, b = 1 WHERE id = 3')).toBe('DUPLICATE_KEY'); // a new primary key too
    expect(store.appliedIndex()).toBe(applied);
    expect([...store.scanRows(table(store))].map(({ row }) => row)).toEqual(before);
    // A row may keep its own values, move to free ones, and free values for others.
    await runOnStoreAsync(store, "UPDATE t SET email = 'x@a', a = 1 WHERE id = 1");
    await runOnStoreAsync(store, 'UPDATE t SET id = 10 WHERE id = 1');
    await runOnStoreAsync(store, "UPDATE t SET email = 'moved' WHERE id = 10");
    await runOnStoreAsync(store, "INSERT INTO t VALUES (4, 'x@a', 5, NULL), (5, NULL, 5, NULL)");
    for (const index of indexesOf(table(store))) expectIndexMatchesRows(store, table(store), index);
  });

  it('refuses a UNIQUE index over rows that repeat its values, changing nothing', async () => {
    const store = openStore();
    await runOnStoreAsync(store, 'CREATE TABLE t (id INT PRIMARY KEY, a INT)');
    await runOnStoreAsync(store, 'INSERT INTO t VALUES (1, 5), (2, NULL), (3, NULL), (4, 5)');
    expect(await errorCodeOfSql(store, 'CREATE UNIQUE INDEX ua ON t (a)')).toBe('DUPLICATE_KEY');
    expect(await errorCodeOfSql(store, 'ALTER TABLE t ADD INDEX ok (a), ADD UNIQUE (a)')).toBe('DUPLICATE_KEY');
    expect(table(store).version).toBe(1);
    expect(shape(store)).toEqual([]);
    await runOnStoreAsync(store, 'DELETE FROM t WHERE id = 4');
    await runOnStoreAsync(store, 'CREATE UNIQUE INDEX ua ON t (a)'); // NULLs repeat freely
    expect(shape(store)).toEqual(['unique ua(a)']);
  });

  it('keeps every index equal to a rebuild through seeded random statements, refusing exactly the duplicates', async () => {
    const random = seededRandom(Number(process.env['SEED'] ?? 2026));
    const store = openStore();
    await runOnStoreAsync(store, 'CREATE TABLE t (id INT PRIMARY KEY, u INT, g INT, s VARCHAR(8), UNIQUE KEY uu (u), KEY gs (g DESC, s))');
    const model = new Map<number, { u: number | null; g: number | null; s: string | null }>();
    const value = (range: number): number | null => (random() < 0.15 ? null : Math.floor(random() * range));
    const literal = (v: number | string | null): string => (v === null ? 'NULL' : typeof v === 'string' ? `'${v}'` : String(v));
    let refused = 0;
    for (let step = 0; step < 300; step++) {
      const id = Math.floor(random() * 30);
      const choice = random();
      const u = value(40);
      let sql: string;
      let duplicate: boolean;
      if (choice < 0.45) {
        const row = { u, g: value(4), s: random() < 0.2 ? null : `s${Math.floor(random() * 5)}` };
        sql = `INSERT INTO t VALUES (${id}, ${literal(row.u)}, ${literal(row.g)}, ${literal(row.s)})`;
        duplicate = model.has(id) || (u !== null && [...model.values()].some((other) => other.u === u));
        if (!duplicate) model.set(id, row);
      } else if (choice < 0.8) {
        const g = value(4);
        sql = `UPDATE t SET u = ${literal(u)}, g = ${literal(g)} WHERE id = ${id}`;
        duplicate = model.has(id) && u !== null && [...model.entries()].some(([otherId, other]) => otherId !== id && other.u === u);
        if (!duplicate && model.has(id)) model.set(id, { ...model.get(id)!, u, g });
      } else {
        sql = `DELETE FROM t WHERE id = ${id}`;
        duplicate = false;
        model.delete(id);
      }
      const code = await errorCodeOfSql(store, sql);
      expect(code, sql).toBe(duplicate ? 'DUPLICATE_KEY' : 'no error');
      if (duplicate) refused++;
      for (const index of indexesOf(table(store))) expectIndexMatchesRows(store, table(store), index);
    }
    expect(refused).toBeGreaterThan(5);
    expect([...store.scanRows(table(store))]).toHaveLength(model.size);
  });
});

describe('index reads through pending changes', () => {
  it('merges an overlay’s row writes into index range scans, and into the entries of an index it created', async () => {
    const store = openStore();
    await runOnStoreAsync(store, 'CREATE TABLE t (id INT PRIMARY KEY, a INT, INDEX ia (a))');
    await runOnStoreAsync(store, 'INSERT INTO t VALUES (1, 10), (2, 20), (3, 30)');
    const def = table(store);
    const index = indexesOf(def)[0]!;
    const view = new OverlayView(store);
    view.writeRow(def, 'u', [2n, 20n], [2n, 25n]);
    view.writeRow(def, 'd', [3n, 30n], null);
    view.writeRow(def, 'c', null, [4n, 5n]);
    const ids = (range = wholeIndex) => [...view.scanIndex(def, index, range)].map((entry) => view.getRow(def, entry.rowKey)?.[0]);
    expect(ids()).toEqual([4n, 1n, 2n]);
    expect(ids({ low: { values: [10n], inclusive: false }, high: { values: [30n], inclusive: true } })).toEqual([2n]);
    // A stacked view sees the one below, and its own index, with its later writes merged in.
    const above = new OverlayView(view);
    const withB: TableDef = { ...def, version: def.version + 1, indexes: [...indexesOf(def), { id: 2, name: 'idesc', unique: false, parts: [{ position: 1, direction: 'desc' }] }] };
    const idesc = indexesOf(withB)[1]!;
    const built = [...above.scanRows(withB)].map(({ row }) => indexEntryOf(withB, idesc, row)).sort((x, y) => Buffer.compare(x.key, y.key));
    above.createIndex(withB, 2, built);
    above.writeRow(withB, 'c', null, [5n, 15n]);
    const descending = [...above.scanIndex(withB, indexesOf(withB)[1]!, wholeIndex)].map((entry) => above.getRow(withB, entry.rowKey)?.[1]);
    expect(descending).toEqual([25n, 15n, 10n, 5n]);
    const ascending = [...above.scanIndex(withB, index, wholeIndex)].map((entry) => above.getRow(withB, entry.rowKey)?.[1]);
    expect(ascending).toEqual([5n, 10n, 15n, 25n]);
  });
});
