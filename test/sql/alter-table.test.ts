// Proves ALTER TABLE's column, key and constraint actions and RENAME TABLE on populated tables
// over a real store: rows stay intact and readable (rows written in old versions read through
// the new ones), failures carry their code and MySQL's error number and change nothing, several
// actions apply together or not at all, and what the batch carries is what apply needs.
import { describe, expect, it } from 'vitest';
import { isDdlRecord } from '../../services/storage/types.js';
import { mysqlErrorOf } from '../../services/base/mysql-errors.js';
import { TideError } from '../../services/base/errors.js';
import { execute } from '../../services/sql/executor.js';
import { OverlayView } from '../../services/sql/overlay-view.js';
import { parseSql } from '../../services/sql/parser.js';
import { planStatement } from '../../services/sql/planner.js';
import { indexEntryOf, wholeIndex } from '../../services/storage/index-key.js';
import { rowVersion } from '../../services/storage/row-codec.js';
import type { Store } from '../../services/storage/store.js';
import { indexesOf } from '../../services/storage/types.js';
import type { Row, TableDef, Value } from '../../services/storage/types.js';
import { useTempStores } from '../support/temp-stores.js';
import { runOnStoreAsync, runOnStoreSliced } from './run-on-store.js';

const openStore = useTempStores('tidedb-alter-').open;

function table(store: Store, name = 't', database = 'app'): TableDef {
  const found = store.table(database, name);
  if (found === undefined) throw new Error(`no table ${database}.${name}`);
  return found;
}

// Values as text (bigints without their n), so expectations read like MySQL's results.
function text(value: Value): string | null {
  return value === null ? null : String(value);
}

async function rows(store: Store, sql = 'SELECT * FROM t'): Promise<(string | null)[][]> {
  return (await runOnStoreAsync(store, sql)).rows.map((row) => row.map(text));
}

async function columns(store: Store, name = 't'): Promise<string[]> {
  return (await runOnStoreAsync(store, `DESCRIBE ${name}`)).rows.map((row) => `${String(row[0])} ${String(row[1])}${row[2] === 'NO' ? ' not null' : ''}${row[3] === '' ? '' : ` ${String(row[3])}`}`);
}

// The failure of a statement as `CODE/errno`.
async function failure(store: Store, sql: string): Promise<string> {
  try {
    await runOnStoreAsync(store, sql);
  } catch (error) {
    if (!(error instanceof TideError)) throw error;
    return `${error.code}/${mysqlErrorOf(error.code)?.errno ?? '-'}`;
  }
  return 'no error';
}

async function populated(): Promise<Store> {
  const store = openStore();
  await runOnStoreAsync(store, 'CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(10), score INT, INDEX by_score (score))');
  await runOnStoreAsync(store, "INSERT INTO t VALUES (1, 'ann', 10), (2, 'bob', NULL), (3, 'cy', 300)");
  return store;
}

// Stored index entries against a rebuild from the rows, for every index of the table.
function expectIndexesMatchRows(store: Store, name = 't'): void {
  const def = table(store, name);
  for (const index of indexesOf(def)) {
    const stored = [...store.scanIndex(def, index, wholeIndex)].map((entry) => entry.key.toString('hex'));
    const rebuilt = [...store.scanRows(def)].map(({ row }) => indexEntryOf(def, index, row).key).sort(Buffer.compare).map((key) => key.toString('hex'));
    expect(stored, index.name).toEqual(rebuilt);
  }
}

describe('ALTER TABLE … ADD COLUMN', () => {
  it('adds a nullable column without touching rows: old rows read NULL through the new version', async () => {
    const store = await populated();
    await runOnStoreAsync(store, 'ALTER TABLE t ADD COLUMN note TEXT');
    expect(table(store).version).toBe(2);
    expect(await rows(store)).toEqual([['1', 'ann', '10', null], ['2', 'bob', null, null], ['3', 'cy', '300', null]]);
    // The rows are still those version 1 wrote: nothing was rewritten.
    expect([...store.scanRows(table(store))]).toHaveLength(3);
    await runOnStoreAsync(store, "INSERT INTO t VALUES (4, 'dee', 4, 'new')");
    expect(await rows(store, 'SELECT id, note FROM t WHERE id >= 3')).toEqual([['3', null], ['4', 'new']]);
  });

  it('fills existing rows with the DEFAULT, or with the type\'s implicit value for NOT NULL, FIRST and AFTER placing it', async () => {
    const store = await populated();
    const result = await runOnStoreAsync(store, "ALTER TABLE t ADD COLUMN tag VARCHAR(5) NOT NULL DEFAULT 'x' FIRST, ADD n INT NOT NULL AFTER id, ADD s TEXT NOT NULL, ADD b BOOLEAN NOT NULL");
    expect(result.rowsAffected).toBe(3);
    expect(await columns(store)).toEqual(['tag varchar(5) not null', 'id int(11) not null PRI', 'n int(11) not null', 'name varchar(10)', 'score int(11) MUL', 's text not null', 'b tinyint(1) not null']);
    expect(await rows(store)).toEqual([
      ['x', '1', '0', 'ann', '10', '', 'false'],
      ['x', '2', '0', 'bob', null, '', 'false'],
      ['x', '3', '0', 'cy', '300', '', 'false'],
    ]);
    expectIndexesMatchRows(store);
  });

  it('refuses a name the table has, an unknown AFTER column, and a NOT NULL date without default on rows', async () => {
    const store = await populated();
    expect(await failure(store, 'ALTER TABLE t ADD NAME INT')).toBe('COLUMN_EXISTS/1060');
    expect(await failure(store, 'ALTER TABLE t ADD c INT AFTER nope')).toBe('COLUMN_NOT_FOUND/1054');
    expect(await failure(store, 'ALTER TABLE t ADD d DATE NOT NULL')).toBe('DATETIME_INVALID/1292');
    expect(await failure(store, 'ALTER TABLE t ADD _tidb_rowid INT')).toBe('TABLE_DEFINITION_INVALID/-');
    expect(table(store).version).toBe(1);
    // On an empty table the same date column is no problem: no row needs a value.
    await runOnStoreAsync(store, 'CREATE TABLE e (id INT PRIMARY KEY)');
    await runOnStoreAsync(store, 'ALTER TABLE e ADD d DATE NOT NULL');
    expect(await columns(store, 'e')).toEqual(['id int(11) not null PRI', 'd date not null']);
  });
});

describe('ALTER TABLE … DROP COLUMN', () => {
  it('drops a column\'s values; an index loses the part, or goes when it has none left', async () => {
    const store = await populated();
    await runOnStoreAsync(store, 'ALTER TABLE t ADD INDEX both_cols (name, score)');
    await runOnStoreAsync(store, 'ALTER TABLE t DROP COLUMN score');
    expect(await rows(store)).toEqual([['1', 'ann'], ['2', 'bob'], ['3', 'cy']]);
    expect(indexesOf(table(store)).map((index) => `${index.name}(${index.parts.map((part) => table(store).columns[part.position]!.name).join(',')})`)).toEqual(['both_cols(name)']);
    expectIndexesMatchRows(store);
    // The name can come back as a new column: the old values do not.
    await runOnStoreAsync(store, 'ALTER TABLE t ADD score INT');
    expect(await rows(store, 'SELECT score FROM t')).toEqual([[null], [null], [null]]);
  });

  it('refuses a missing column and dropping every column', async () => {
    const store = await populated();
    expect(await failure(store, 'ALTER TABLE t DROP COLUMN nope')).toBe('DROP_TARGET_NOT_FOUND/1091');
    expect(await failure(store, 'ALTER TABLE t DROP id, DROP name, DROP score')).toBe('COLUMN_DROP_LAST/1090');
    expect(await rows(store)).toHaveLength(3);
    expect(table(store).version).toBe(1);
  });

  it('dropping the only primary key column keys the rows by a hidden row id', async () => {
    const store = await populated();
    await runOnStoreAsync(store, 'ALTER TABLE t DROP COLUMN id');
    expect(await rows(store, 'SELECT name, _tidb_rowid FROM t')).toEqual([['ann', '1'], ['bob', '2'], ['cy', '3']]);
    await runOnStoreAsync(store, "INSERT INTO t VALUES ('dee', 4)");
    expect(await rows(store, 'SELECT name, _tidb_rowid FROM t WHERE name = \'dee\'')).toEqual([['dee', '4']]);
  });
});

describe('ALTER TABLE … MODIFY / CHANGE / RENAME COLUMN', () => {
  it('converts every row to a new type and rewrites it in the new version', async () => {
    const store = await populated();
    await runOnStoreAsync(store, 'ALTER TABLE t MODIFY score VARCHAR(5)');
    expect(await rows(store, 'SELECT score FROM t')).toEqual([['10'], [null], ['300']]);
    const def = table(store);
    for (const { row } of store.scanRows(def)) expect(typeof row[2] === 'string' || row[2] === null).toBe(true);
    await runOnStoreAsync(store, 'ALTER TABLE t MODIFY score BIGINT');
    expect((await runOnStoreAsync(store, 'SELECT score FROM t WHERE id = 3')).rows).toEqual([[300n]]);
    expectIndexesMatchRows(store);
  });

  it('fails with MySQL\'s strict-mode errors when a row does not fit, changing nothing', async () => {
    const store = await populated();
    expect(await failure(store, 'ALTER TABLE t MODIFY name VARCHAR(2)')).toBe('DATA_TRUNCATED/1265');
    expect(await failure(store, 'ALTER TABLE t MODIFY score TINYINT')).toBe('VALUE_OUT_OF_RANGE/1264');
    expect(await failure(store, 'ALTER TABLE t MODIFY name INT')).toBe('TYPE_MISMATCH/1366');
    expect(await failure(store, 'ALTER TABLE t MODIFY score INT NOT NULL')).toBe('DATA_TRUNCATED/1265');
    expect(await failure(store, 'ALTER TABLE t MODIFY nope INT')).toBe('COLUMN_NOT_FOUND/1054');
    expect(table(store).version).toBe(1);
    expect(await rows(store)).toEqual([['1', 'ann', '10'], ['2', 'bob', null], ['3', 'cy', '300']]);
  });

  it('renames with CHANGE and RENAME COLUMN; indexes follow the column, a taken name is refused', async () => {
    const store = await populated();
    await runOnStoreAsync(store, 'ALTER TABLE t CHANGE COLUMN score points BIGINT AFTER id');
    await runOnStoreAsync(store, 'ALTER TABLE t RENAME COLUMN name TO label');
    expect(await columns(store)).toEqual(['id int(11) not null PRI', 'points bigint(20) MUL', 'label varchar(10)']);
    expect(await rows(store)).toEqual([['1', '10', 'ann'], ['2', null, 'bob'], ['3', '300', 'cy']]);
    expect(await rows(store, 'SELECT label FROM t WHERE points = 300')).toEqual([['cy']]);
    expectIndexesMatchRows(store);
    expect(await failure(store, 'ALTER TABLE t RENAME COLUMN label TO points')).toBe('COLUMN_EXISTS/1060');
    expect(await failure(store, 'ALTER TABLE t CHANGE label id INT')).toBe('COLUMN_EXISTS/1060');
  });

  it('moves a column with MODIFY … FIRST without rewriting, and tightens NOT NULL after checking the rows', async () => {
    const store = await populated();
    await runOnStoreAsync(store, 'ALTER TABLE t MODIFY name VARCHAR(10) NOT NULL FIRST');
    expect(await columns(store)).toEqual(['name varchar(10) not null', 'id int(11) not null PRI', 'score int(11) MUL']);
    expect(await rows(store)).toEqual([['ann', '1', '10'], ['bob', '2', null], ['cy', '3', '300']]);
    // The rows are those version 1 wrote.
    for (const key of [...store.scanRows(table(store))].map((entry) => entry.key)) expect(store.getRow(table(store), key)).toBeDefined();
    expect(await failure(store, "INSERT INTO t (id, name) VALUES (9, NULL)")).toBe('NOT_NULL_VIOLATION/1048');
  });
});

describe('ALTER TABLE … ALTER COLUMN … SET|DROP DEFAULT', () => {
  it('sets and drops a default without touching rows; later INSERTs use it', async () => {
    const store = await populated();
    await runOnStoreAsync(store, "ALTER TABLE t ALTER COLUMN name SET DEFAULT 'anon', ALTER score SET DEFAULT 5");
    expect(table(store).columns.map((column) => column.default)).toEqual([undefined, { kind: 'constant', value: 'anon' }, { kind: 'constant', value: '5' }]);
    await runOnStoreAsync(store, 'INSERT INTO t (id) VALUES (4)');
    expect(await rows(store, 'SELECT * FROM t WHERE id >= 3')).toEqual([['3', 'cy', '300'], ['4', 'anon', '5']]);
    await runOnStoreAsync(store, 'ALTER TABLE t ALTER name DROP DEFAULT');
    await runOnStoreAsync(store, 'INSERT INTO t (id) VALUES (5)');
    expect(await rows(store, 'SELECT name, score FROM t WHERE id = 5')).toEqual([[null, '5']]);
    expect(await failure(store, "ALTER TABLE t ALTER score SET DEFAULT 'x'")).toBe('TABLE_DEFINITION_INVALID/-');
    expect(await failure(store, 'ALTER TABLE t ALTER nope SET DEFAULT 1')).toBe('COLUMN_NOT_FOUND/1054');
    expect(table(store).columns[2]!.default).toEqual({ kind: 'constant', value: '5' });
  });
});

describe('ALTER TABLE … PRIMARY KEY', () => {
  it('drops and adds a primary key, rewriting every row under the new key', async () => {
    const store = await populated();
    await runOnStoreAsync(store, 'ALTER TABLE t DROP PRIMARY KEY');
    expect(await columns(store)).toEqual(['id int(11) not null', 'name varchar(10)', 'score int(11) MUL']);
    await runOnStoreAsync(store, "INSERT INTO t VALUES (1, 'twin', 5)");
    expect(await failure(store, 'ALTER TABLE t ADD PRIMARY KEY (id)')).toBe('DUPLICATE_KEY/1062');
    expect(await failure(store, 'ALTER TABLE t ADD PRIMARY KEY (score)')).toBe('DATA_TRUNCATED/1265');
    await runOnStoreAsync(store, "DELETE FROM t WHERE name = 'twin'");
    await runOnStoreAsync(store, 'ALTER TABLE t ADD PRIMARY KEY (name, id)');
    expect(await columns(store)).toEqual(['id int(11) not null PRI', 'name varchar(10) not null PRI', 'score int(11) MUL']);
    // Rows come in the new key's order.
    expect(await rows(store, 'SELECT name FROM t')).toEqual([['ann'], ['bob'], ['cy']]);
    expect(await failure(store, 'ALTER TABLE t ADD PRIMARY KEY (id)')).toBe('PRIMARY_KEY_EXISTS/1068');
    expectIndexesMatchRows(store);
  });

  it('refuses dropping a primary key that does not exist, or one an AUTO_INCREMENT column needs', async () => {
    const store = openStore();
    await runOnStoreAsync(store, 'CREATE TABLE k (a INT)');
    expect(await failure(store, 'ALTER TABLE k DROP PRIMARY KEY')).toBe('DROP_TARGET_NOT_FOUND/1091');
    await runOnStoreAsync(store, 'CREATE TABLE ai (id INT AUTO_INCREMENT PRIMARY KEY, a INT)');
    expect(await failure(store, 'ALTER TABLE ai DROP PRIMARY KEY')).toBe('TABLE_DEFINITION_INVALID/-');
  });
});

describe('ALTER TABLE … CHECK and UNIQUE', () => {
  it('adds a CHECK only when every row passes it, enforces it after, and drops it by name', async () => {
    const store = await populated();
    expect(await failure(store, 'ALTER TABLE t ADD CONSTRAINT small CHECK (score < 100)')).toBe('CHECK_VIOLATION/3819');
    expect(table(store).checks).toBeUndefined();
    await runOnStoreAsync(store, 'ALTER TABLE t ADD CONSTRAINT positive CHECK (score > 0), ADD CHECK (id < 1000)');
    expect(table(store).checks?.map((check) => check.name)).toEqual(['positive', 't_chk_1']);
    expect(await failure(store, "INSERT INTO t VALUES (5, 'neg', -1)")).toBe('CHECK_VIOLATION/3819');
    expect(await failure(store, 'ALTER TABLE t ADD CONSTRAINT positive CHECK (id > 0)')).toBe('TABLE_DEFINITION_INVALID/-');
    await runOnStoreAsync(store, 'ALTER TABLE t DROP CHECK positive');
    await runOnStoreAsync(store, 'ALTER TABLE t DROP CONSTRAINT t_chk_1');
    expect(await failure(store, 'ALTER TABLE t DROP CONSTRAINT positive')).toBe('DROP_TARGET_NOT_FOUND/1091');
    await runOnStoreAsync(store, "INSERT INTO t VALUES (5, 'neg', -1)");
  });

  it('a CHECK holds through a type change: rows are checked in their new values', async () => {
    const store = await populated();
    await runOnStoreAsync(store, 'ALTER TABLE t ADD CONSTRAINT below CHECK (score < 1000)');
    expect(await failure(store, 'ALTER TABLE t MODIFY score DOUBLE, ADD CONSTRAINT tiny CHECK (score < 50)')).toBe('CHECK_VIOLATION/3819');
    expect(table(store).version).toBe(2);
  });

  it('adds UNIQUE to a populated table only without duplicates', async () => {
    const store = await populated();
    await runOnStoreAsync(store, "INSERT INTO t VALUES (4, 'ann', 11)");
    expect(await failure(store, 'ALTER TABLE t ADD CONSTRAINT uname UNIQUE (name)')).toBe('DUPLICATE_KEY/1062');
    await runOnStoreAsync(store, 'ALTER TABLE t ADD CONSTRAINT uscore UNIQUE (score)');
    expect(await failure(store, "INSERT INTO t VALUES (5, 'x', 10)")).toBe('DUPLICATE_KEY/1062');
    // A column made UNIQUE in a rewrite is checked in the rewrite.
    expect(await failure(store, 'ALTER TABLE t MODIFY name VARCHAR(20) UNIQUE')).toBe('DUPLICATE_KEY/1062');
    expectIndexesMatchRows(store);
  });
});

describe('several actions in one ALTER TABLE', () => {
  it('apply together, in the order written', async () => {
    const store = await populated();
    await runOnStoreAsync(store, 'ALTER TABLE t ADD extra INT DEFAULT 7, DROP INDEX by_score, MODIFY score BIGINT, ADD INDEX by_extra (extra), RENAME TO t2');
    expect(store.table('app', 't')).toBeUndefined();
    expect(await columns(store, 't2')).toEqual(['id int(11) not null PRI', 'name varchar(10)', 'score bigint(20)', 'extra int(11) MUL']);
    expect(await rows(store, 'SELECT * FROM t2')).toEqual([['1', 'ann', '10', '7'], ['2', 'bob', null, '7'], ['3', 'cy', '300', '7']]);
    expectIndexesMatchRows(store, 't2');
  });

  it('change nothing when any one fails', async () => {
    const store = await populated();
    const before = table(store);
    for (const sql of [
      'ALTER TABLE t ADD c INT, MODIFY name VARCHAR(1)',
      'ALTER TABLE t DROP INDEX by_score, ADD UNIQUE (name), DROP COLUMN nope',
      'ALTER TABLE t RENAME COLUMN name TO label, ADD CONSTRAINT big CHECK (id > 2)',
      'ALTER TABLE t ADD c INT, ADD c INT',
    ]) {
      expect(await failure(store, sql), sql).not.toBe('no error');
      expect(table(store), sql).toEqual(before);
    }
    expect(await rows(store)).toEqual([['1', 'ann', '10'], ['2', 'bob', null], ['3', 'cy', '300']]);
    expect(await failure(store, 'ALTER TABLE nope ADD c INT')).toBe('TABLE_NOT_FOUND/1146');
    expect(await failure(store, 'ALTER TABLE t ADD COLUMN serial INT AUTO_INCREMENT')).toBe('SQL_UNSUPPORTED/1235');
  });
});

describe('rows across versions', () => {
  it('reads rows written in every earlier version through the newest, and a rewrite leaves all in the new one', async () => {
    const store = await populated();
    await runOnStoreAsync(store, 'ALTER TABLE t ADD a INT');
    await runOnStoreAsync(store, "INSERT INTO t VALUES (4, 'dee', 4, 40)");
    await runOnStoreAsync(store, 'ALTER TABLE t ADD b TEXT AFTER id');
    await runOnStoreAsync(store, "INSERT INTO t VALUES (5, 'five', 'eve', 5, 50)");
    const versions = (): number[] => [...store.scanRows(table(store))].map(({ key }) => rowVersion(rawRow(store, key)));
    expect(versions()).toEqual([1, 1, 1, 2, 3]);
    expect(await rows(store)).toEqual([
      ['1', null, 'ann', '10', null],
      ['2', null, 'bob', null, null],
      ['3', null, 'cy', '300', null],
      ['4', null, 'dee', '4', '40'],
      ['5', 'five', 'eve', '5', '50'],
    ]);
    await runOnStoreAsync(store, 'ALTER TABLE t MODIFY a VARCHAR(3)');
    expect(versions()).toEqual([4, 4, 4, 4, 4]);
    expect(await rows(store, 'SELECT a FROM t')).toEqual([[null], [null], [null], ['40'], ['50']]);
  });
});

// A row's stored bytes, to read the version that wrote it.
function rawRow(store: Store, key: Buffer): Uint8Array {
  const bytes = (store as unknown as { rows: { getBinary(key: Buffer): Uint8Array | undefined } }).rows.getBinary(key);
  if (bytes === undefined) throw new Error('no row');
  return bytes;
}

describe('the batch of an ALTER TABLE', () => {
  it('carries a version that keeps rows as one alter_table, and a rewrite as alter_table … rewrite and every row', async () => {
    const store = await populated();
    const kept = await runOnStoreSliced(store, 'ALTER TABLE t ADD note TEXT');
    expect(kept.changes.map((change) => change.kind)).toEqual(['alter_table']);
    const changesBefore = store.readChanges(0n, 100).length;
    const rewritten = await runOnStoreSliced(store, 'ALTER TABLE t MODIFY score BIGINT');
    expect(rewritten.changes.map((change) => (change.kind === 'alter_table' ? `alter_table${change.rewrite === true ? ' rewrite' : ''}` : change.kind))).toEqual(['alter_table rewrite', 'rewritten_row', 'rewritten_row', 'rewritten_row']);
    // No row change records, only the ALTER's schema-change record: the rows' values did not
    // change, their table's definition did.
    const records = store.readChanges(0n, 100);
    expect(records).toHaveLength(changesBefore + 1);
    expect(records.slice(changesBefore).map((record) => (isDdlRecord(record) ? record.kind : record.op))).toEqual(['alter_table']);
  });

  it('is seen by later statements of the same transaction before it applies', () => {
    const store = openStore();
    const view = new OverlayView(store);
    const run = (sql: string): readonly Row[] => execute(planStatement(parseSql(sql)[0]!, view, 'app').plan, [], view).rows;
    run('CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(5))');
    run("INSERT INTO t VALUES (1, '10'), (2, '20')");
    run('ALTER TABLE t MODIFY v INT, ADD UNIQUE (v)');
    expect(run('SELECT v FROM t WHERE v = 20')).toEqual([[20n]]);
    run('RENAME TABLE t TO u');
    expect(run('SELECT id FROM u')).toEqual([[1n], [2n]]);
    expect(() => run('SELECT id FROM t')).toThrow(TideError);
    expect(() => run('INSERT INTO u VALUES (3, 20)')).toThrow(/duplicate entry/);
  });
});

describe('RENAME TABLE', () => {
  it('renames in order, across databases, under the same table id', async () => {
    const store = await populated();
    const id = table(store).id;
    await runOnStoreAsync(store, 'CREATE TABLE s (id INT PRIMARY KEY)');
    // A swap through a temporary name, as MySQL's RENAME TABLE allows.
    await runOnStoreAsync(store, 'RENAME TABLE t TO tmp, s TO t, tmp TO s');
    expect(table(store, 's').id).toBe(id);
    expect(await rows(store, 'SELECT name FROM s')).toEqual([['ann'], ['bob'], ['cy']]);
    await runOnStoreAsync(store, 'RENAME TABLE s TO archive.s2');
    expect(table(store, 's2', 'archive').id).toBe(id);
    expect(await rows(store, 'SELECT COUNT(*) FROM archive.s2')).toEqual([['3']]);
    // An unqualified new name is in the statement's database, as in MySQL.
    await runOnStoreAsync(store, 'ALTER TABLE archive.s2 RENAME AS s3');
    expect(table(store, 's3').id).toBe(id);
  });

  it('refuses a missing table or a taken name, renaming none of the pairs', async () => {
    const store = await populated();
    await runOnStoreAsync(store, 'CREATE TABLE s (id INT PRIMARY KEY)');
    expect(await failure(store, 'RENAME TABLE t TO t2, nope TO x')).toBe('TABLE_NOT_FOUND/1146');
    expect(await failure(store, 'RENAME TABLE t TO s')).toBe('TABLE_EXISTS/1050');
    expect(await failure(store, 'ALTER TABLE t RENAME TO s')).toBe('TABLE_EXISTS/1050');
    // app.a_b and app_a.b would share a Kafka topic.
    await runOnStoreAsync(store, 'CREATE TABLE app_t.x (id INT PRIMARY KEY)');
    expect(await failure(store, 'RENAME TABLE t TO t_x')).toBe('TABLE_DEFINITION_INVALID/-');
    expect(table(store).version).toBe(1);
    expect(store.table('app', 't2')).toBeUndefined();
  });
});
