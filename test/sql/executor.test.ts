// Proves parse → plan → execute over an OverlayView on a real LMDB store: DDL and DML record exactly
// the expected change batch, constraint failures raise their TideError code, and SELECT filters and orders as SQL does.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TideError } from '../../services/base/errors.js';
import type { ErrorCode } from '../../services/base/errors.js';
import { execute } from '../../services/sql/executor.js';
import type { StatementResult } from '../../services/sql/executor.js';
import { OverlayView } from '../../services/sql/overlay-view.js';
import { parseSql } from '../../services/sql/parser.js';
import { planStatement } from '../../services/sql/planner.js';
import { Store } from '../../services/storage/store.js';
import type { BatchChange, ColumnDef, Row, TableDef, Value } from '../../services/storage/types.js';
import { encodeBatch } from '../../services/storage/batch-codec.js';
import { errorCodeOf, runOnStoreSliced } from './run-on-store.js';

let dir: string;
let store: Store;
let nextIndex: bigint;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tidedb-executor-'));
  store = Store.open(join(dir, 'db'));
  nextIndex = 1n;
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Outcome {
  readonly result: StatementResult;
  readonly changes: readonly BatchChange[];
}

// Runs one statement in its own overlay on the store and applies what it changed, as the write
// path does for a one-statement transaction; a failed statement applies nothing.
function run(sql: string, params: readonly Value[] = []): Outcome {
  const statements = parseSql(sql);
  expect(statements).toHaveLength(1);
  const view = new OverlayView(store);
  const { plan, paramCount } = planStatement(statements[0]!, view, 'app');
  expect(paramCount).toBe(params.length);
  const result = execute(plan, params, view);
  const changes = [...view.changes()];
  if (changes.length > 0) store.apply([{ index: nextIndex++, term: 1n, kind: 'batch', data: encodeBatch({ proposedAtMs: 0, changes }) }]);
  return { result, changes };
}

function rows(sql: string, params: readonly Value[] = []): readonly Row[] {
  return run(sql, params).result.rows;
}


// Fails with `code` and leaves the store exactly as it was.
function expectFailure(sql: string, code: ErrorCode, params: readonly Value[] = []): void {
  const before = store.appliedIndex();
  expect(errorCodeOf(() => run(sql, params))).toBe(code);
  expect(store.appliedIndex()).toBe(before);
}

function column(name: string, type: ColumnDef['type'], options: Partial<ColumnDef> = {}): ColumnDef {
  return { name, type, length: type === 'VARCHAR' ? 20 : null, nullable: true, autoIncrement: false, ...options };
}

const itemsSql = 'CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL, price DOUBLE, stock BIGINT, note TEXT)';

function seedItems(): void {
  run(itemsSql);
  run(`INSERT INTO items VALUES
    (1, 'apple', 1.5, 10, 'red'),
    (2, 'banana', 0.25, NULL, NULL),
    (3, 'cherry', 10, 0, 'small'),
    (4, 'date', NULL, 7, 'sweet'),
    (5, 'elder', 3.5, -2, 'a_b%c')`);
}

function ids(sql: string, params: readonly Value[] = []): bigint[] {
  return rows(sql, params).map((row) => row[0] as bigint);
}

describe('CREATE TABLE', () => {
  it('records a create_table change with an inline primary key, types, lengths and NOT NULL', () => {
    const { changes, result } = run('CREATE TABLE users (id BIGINT PRIMARY KEY, name VARCHAR(30) NOT NULL, score DOUBLE, bio TEXT, active BOOLEAN, age INT)');
    const users: TableDef = {
      id: 1,
      version: 1,
      database: 'app',
      name: 'users',
      columns: [
        column('id', 'BIGINT', { nullable: false }),
        column('name', 'VARCHAR', { length: 30, nullable: false }),
        column('score', 'DOUBLE'),
        column('bio', 'TEXT'),
        column('active', 'BOOLEAN'),
        column('age', 'INT'),
      ],
      primaryKey: [0],
    };
    expect(changes).toEqual([{ kind: 'create_table', table: users }]);
    expect(result).toEqual({ columns: [], rows: [], rowsAffected: 0, lastInsertId: null });
    expect(store.table('app', 'users')).toEqual(users);
  });

  it('takes a composite primary key from a table constraint, in the constraint order, and makes it NOT NULL', () => {
    const { changes } = run('CREATE TABLE stock (shop INT, sku VARCHAR(10), qty INT, PRIMARY KEY (sku, shop))');
    expect(changes).toEqual([
      {
        kind: 'create_table',
        table: {
          id: 1,
          version: 1,
          database: 'app',
          name: 'stock',
          columns: [column('shop', 'INT', { nullable: false }), column('sku', 'VARCHAR', { length: 10, nullable: false }), column('qty', 'INT')],
          primaryKey: [1, 0],
        },
      },
    ]);
  });

  it('accepts AUTO_INCREMENT on the first key column and a database-qualified name; ids grow', () => {
    run('CREATE TABLE a (x INT PRIMARY KEY)');
    const { changes } = run('CREATE TABLE shop.orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, total DOUBLE)');
    expect(changes).toEqual([
      {
        kind: 'create_table',
        table: { id: 2, version: 1, database: 'shop', name: 'orders', columns: [column('id', 'BIGINT', { nullable: false, autoIncrement: true }), column('total', 'DOUBLE')], primaryKey: [0] },
      },
    ]);
  });

  it('rejects invalid definitions with TABLE_DEFINITION_INVALID', () => {
    expectFailure('CREATE TABLE t (id INT AUTO_INCREMENT, name VARCHAR(10))', 'TABLE_DEFINITION_INVALID'); // AUTO_INCREMENT without a key
    expectFailure('CREATE TABLE t (_tidb_rowid INT, name VARCHAR(10))', 'TABLE_DEFINITION_INVALID'); // the hidden row id's name
    expectFailure('CREATE TABLE t (id INT PRIMARY KEY, price DECIMAL(66, 2))', 'TABLE_DEFINITION_INVALID');
    expectFailure('CREATE TABLE t (id INT PRIMARY KEY, price DECIMAL(10, 11))', 'TABLE_DEFINITION_INVALID');
    expectFailure('CREATE TABLE t (id INT PRIMARY KEY, price DECIMAL(40, 31))', 'TABLE_DEFINITION_INVALID');
    expectFailure('CREATE TABLE t (id INT PRIMARY KEY, id BIGINT)', 'TABLE_DEFINITION_INVALID');
    expectFailure('CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(0))', 'TABLE_DEFINITION_INVALID');
    expectFailure('CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(65536))', 'TABLE_DEFINITION_INVALID');
    expectFailure('CREATE TABLE t (id INT PRIMARY KEY, n INT AUTO_INCREMENT)', 'TABLE_DEFINITION_INVALID');
    expectFailure('CREATE TABLE t (id VARCHAR(5) AUTO_INCREMENT PRIMARY KEY)', 'TABLE_DEFINITION_INVALID');
    expectFailure('CREATE TABLE t (id INT PRIMARY KEY, b INT, PRIMARY KEY (b))', 'TABLE_DEFINITION_INVALID');
    expectFailure('CREATE TABLE t (id INT, PRIMARY KEY (nope))', 'COLUMN_NOT_FOUND');
    expect(store.allTables()).toEqual([]);
  });

  it('refuses an existing name with TABLE_EXISTS, and IF NOT EXISTS records nothing', () => {
    run('CREATE TABLE t (id INT PRIMARY KEY)');
    expectFailure('CREATE TABLE t (id BIGINT PRIMARY KEY)', 'TABLE_EXISTS');
    expect(run('CREATE TABLE IF NOT EXISTS t (id BIGINT PRIMARY KEY)').changes).toEqual([]);
  });

  it('drops a table: drop_table change, then TABLE_NOT_FOUND to a read and TABLE_UNKNOWN (1051) to a drop; IF EXISTS tolerates a missing one', async () => {
    run('CREATE TABLE t (id INT PRIMARY KEY)');
    run('INSERT INTO t VALUES (1)');
    // A drop applies in slices: run it through the helper that waits, then go on numbering.
    expect((await runOnStoreSliced(store, 'DROP TABLE t')).changes).toEqual([{ kind: 'drop_table', tableId: 1 }]);
    nextIndex = store.appliedIndex() + 1n;
    expectFailure('SELECT * FROM t', 'TABLE_NOT_FOUND');
    expectFailure('DROP TABLE t', 'TABLE_UNKNOWN');
    expect(run('DROP TABLE IF EXISTS t').changes).toEqual([]);
    run('CREATE TABLE t (id INT PRIMARY KEY)');
    expect(rows('SELECT * FROM t')).toEqual([]); // the new table does not see the old rows
  });
});

describe('INSERT', () => {
  beforeEach(() => run(itemsSql));

  it('records one create change per row, with params, a column list and omitted columns as NULL', () => {
    const { changes, result } = run('INSERT INTO items (name, id, price) VALUES (?, ?, ?), (?, 8, NULL)', ['pear', 7n, 2.5, 'fig']);
    expect(changes).toEqual([
      { kind: 'row', tableId: 1, schemaVersion: 1, op: 'c', before: null, after: [7n, 'pear', 2.5, null, null] },
      { kind: 'row', tableId: 1, schemaVersion: 1, op: 'c', before: null, after: [8n, 'fig', null, null, null] },
    ]);
    expect(result).toEqual({ columns: [], rows: [], rowsAffected: 2, lastInsertId: null });
    expect(rows('SELECT * FROM items')).toEqual([[7n, 'pear', 2.5, null, null], [8n, 'fig', null, null, null]]);
  });

  it('converts values to the column type: numeric strings, rounding half away from zero, integers to DOUBLE', () => {
    const { changes } = run("INSERT INTO items (id, name, price, stock) VALUES ('12', 34, 5, 2.5), (-2.5, 'neg', '1e3', -2.5)");
    expect(changes.map((change) => (change.kind === 'row' ? change.after : null))).toEqual([
      [12n, '34', 5, 3n, null],
      [-3n, 'neg', 1000, -3n, null],
    ]);
  });

  it('refuses a duplicate key, against stored rows and within one statement, with DUPLICATE_KEY', () => {
    run("INSERT INTO items (id, name) VALUES (1, 'a')");
    expectFailure("INSERT INTO items (id, name) VALUES (1, 'b')", 'DUPLICATE_KEY');
    expectFailure("INSERT INTO items (id, name) VALUES (2, 'b'), (2, 'c')", 'DUPLICATE_KEY');
    expect(rows('SELECT id, name FROM items')).toEqual([[1n, 'a']]);
  });

  it('refuses values that do not fit the column with TYPE_MISMATCH', () => {
    expectFailure("INSERT INTO items (id, name) VALUES ('one', 'a')", 'TYPE_MISMATCH');
    expectFailure("INSERT INTO items (id, name, price) VALUES (1, 'a', 'cheap')", 'TYPE_MISMATCH');
    expectFailure("INSERT INTO items (id, name, stock) VALUES (1, 'a', '1.5')", 'TYPE_MISMATCH');
    expectFailure("INSERT INTO items (id, name, price) VALUES (1, 'a', ?)", 'TYPE_MISMATCH', ['']);
  });

  it('refuses NULL in a NOT NULL or key column with NOT_NULL_VIOLATION, and leaving one out that has no default with FIELD_NO_DEFAULT (1364)', () => {
    expectFailure("INSERT INTO items (id, name) VALUES (1, NULL)", 'NOT_NULL_VIOLATION');
    expectFailure('INSERT INTO items (id) VALUES (1)', 'FIELD_NO_DEFAULT');
    expectFailure("INSERT INTO items (name) VALUES ('a')", 'FIELD_NO_DEFAULT');
    expectFailure("INSERT INTO items (id, name) VALUES (NULL, 'a')", 'NOT_NULL_VIOLATION');
    expectFailure("INSERT INTO items (id, name) VALUES (?, 'a')", 'NOT_NULL_VIOLATION', [null]);
  });

  it('accepts INT and BIGINT bounds and refuses one past them with VALUE_OUT_OF_RANGE', () => {
    run("INSERT INTO items (id, name, stock) VALUES (2147483647, 'max', 9223372036854775807), (-2147483648, 'min', ?)", [-(2n ** 63n)]);
    expect(rows('SELECT id, stock FROM items')).toEqual([[-2147483648n, -(2n ** 63n)], [2147483647n, 2n ** 63n - 1n]]);
    expectFailure("INSERT INTO items (id, name) VALUES (2147483648, 'a')", 'VALUE_OUT_OF_RANGE');
    expectFailure("INSERT INTO items (id, name) VALUES (-2147483649, 'a')", 'VALUE_OUT_OF_RANGE');
    expectFailure("INSERT INTO items (id, name, stock) VALUES (1, 'a', ?)", 'VALUE_OUT_OF_RANGE', [2n ** 63n]);
    expectFailure("INSERT INTO items (id, name, stock) VALUES (1, 'a', 9223372036854775807 + 1)", 'VALUE_OUT_OF_RANGE');
  });

  it('counts VARCHAR length in characters and refuses one too many with VALUE_TOO_LONG', () => {
    run("INSERT INTO items (id, name) VALUES (1, ?)", ['\u{1f600}'.repeat(20)]);
    expectFailure("INSERT INTO items (id, name) VALUES (2, ?)", 'VALUE_TOO_LONG', ['x'.repeat(21)]);
    expectFailure("INSERT INTO items (id, name, note) VALUES (3, 'a', ?)", 'VALUE_TOO_LONG', ['x'.repeat(65_536)]);
  });

  it('names a missing table or column with TABLE_NOT_FOUND / COLUMN_NOT_FOUND, a short row with VALUE_COUNT_MISMATCH (1136)', () => {
    expectFailure('INSERT INTO nope VALUES (1)', 'TABLE_NOT_FOUND');
    expectFailure("INSERT INTO items (id, colour) VALUES (1, 'red')", 'COLUMN_NOT_FOUND');
    // A row shorter than its listed columns the parser already refuses as a syntax error.
    expectFailure("INSERT INTO items (id, name) VALUES (1)", 'SQL_SYNTAX');
    expectFailure('INSERT INTO items VALUES (1)', 'VALUE_COUNT_MISMATCH');
    expectFailure('INSERT INTO items VALUES (1, 2', 'SQL_SYNTAX');
  });

  it('fills AUTO_INCREMENT from the counter, moves the counter past explicit ids and reports the first generated id', () => {
    run('CREATE TABLE orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, total DOUBLE)');
    const first = run('INSERT INTO orders (total) VALUES (1.0), (2.0)');
    expect(first.result.lastInsertId).toBe(1n);
    expect(first.changes).toEqual([
      { kind: 'auto_increment', tableId: 2, next: 2n },
      { kind: 'row', tableId: 2, schemaVersion: 1, op: 'c', before: null, after: [1n, 1] },
      { kind: 'auto_increment', tableId: 2, next: 3n },
      { kind: 'row', tableId: 2, schemaVersion: 1, op: 'c', before: null, after: [2n, 2] },
    ]);
    const explicit = run('INSERT INTO orders VALUES (10, 3.0)');
    expect(explicit.result.lastInsertId).toBeNull();
    expect(explicit.changes[0]).toEqual({ kind: 'auto_increment', tableId: 2, next: 11n });
    expect(run('INSERT INTO orders VALUES (5, 4.0)').changes).toHaveLength(1); // below the counter: no move
    const after = run('INSERT INTO orders VALUES (NULL, 5.0), (0, 6.0)');
    expect(after.result.lastInsertId).toBe(11n);
    expect(ids('SELECT id FROM orders')).toEqual([1n, 2n, 5n, 10n, 11n, 12n]);
    expect(store.autoIncrementNext(2)).toBe(13n);
  });

  it('moves the AUTO_INCREMENT counter past an id set by UPDATE, so later inserts never collide', () => {
    run('CREATE TABLE tickets (id INT AUTO_INCREMENT PRIMARY KEY, title TEXT)');
    run("INSERT INTO tickets (title) VALUES ('a')");
    run('UPDATE tickets SET id = 3 WHERE id = 1');
    expect(run("INSERT INTO tickets (title) VALUES ('b')").result.lastInsertId).toBe(4n);
    expect(ids('SELECT id FROM tickets')).toEqual([3n, 4n]);
  });
});

describe('UPDATE and DELETE', () => {
  beforeEach(seedItems);

  it('updates with expressions over the old row and records u changes with full images', () => {
    const { changes, result } = run('UPDATE items SET price = price * 2 + 1, stock = stock - 1 WHERE id <= 2');
    expect(result.rowsAffected).toBe(2);
    expect(changes).toEqual([
      { kind: 'row', tableId: 1, schemaVersion: 1, op: 'u', before: [1n, 'apple', 1.5, 10n, 'red'], after: [1n, 'apple', 4, 9n, 'red'] },
      { kind: 'row', tableId: 1, schemaVersion: 1, op: 'u', before: [2n, 'banana', 0.25, null, null], after: [2n, 'banana', 1.5, null, null] },
    ]);
  });

  it('counts and records only rows that change', () => {
    const { changes, result } = run("UPDATE items SET note = 'red' WHERE id IN (1, 2)");
    expect(result.rowsAffected).toBe(1);
    expect(changes).toEqual([{ kind: 'row', tableId: 1, schemaVersion: 1, op: 'u', before: [2n, 'banana', 0.25, null, null], after: [2n, 'banana', 0.25, null, 'red'] }]);
    expect(run('UPDATE items SET stock = stock WHERE id = 1').changes).toEqual([]);
  });

  it('turns a primary-key change into a delete and a create', () => {
    const { changes, result } = run('UPDATE items SET id = id + 100 WHERE id = 3');
    expect(result.rowsAffected).toBe(1);
    expect(changes).toEqual([
      { kind: 'row', tableId: 1, schemaVersion: 1, op: 'd', before: [3n, 'cherry', 10, 0n, 'small'], after: null },
      { kind: 'row', tableId: 1, schemaVersion: 1, op: 'c', before: null, after: [103n, 'cherry', 10, 0n, 'small'] },
    ]);
    expect(ids('SELECT id FROM items')).toEqual([1n, 2n, 4n, 5n, 103n]);
  });

  it('refuses a key change onto an existing key, NULL into NOT NULL, and overflow, changing nothing', () => {
    expectFailure('UPDATE items SET id = 2 WHERE id = 1', 'DUPLICATE_KEY');
    expectFailure('UPDATE items SET name = NULL WHERE id = 1', 'NOT_NULL_VIOLATION');
    expectFailure('UPDATE items SET id = id + 2147483647 WHERE id = 1', 'VALUE_OUT_OF_RANGE');
    expectFailure("UPDATE items SET price = 'x' WHERE id = 1", 'TYPE_MISMATCH');
    expectFailure('UPDATE items SET colour = 1', 'COLUMN_NOT_FOUND');
    expect(rows('SELECT * FROM items WHERE id = 1')).toEqual([[1n, 'apple', 1.5, 10n, 'red']]);
  });

  it('deletes matching rows with d changes carrying the before image; no WHERE deletes all', () => {
    const { changes, result } = run('DELETE FROM items WHERE stock < ?', [1n]);
    expect(result.rowsAffected).toBe(2);
    expect(changes).toEqual([
      { kind: 'row', tableId: 1, schemaVersion: 1, op: 'd', before: [3n, 'cherry', 10, 0n, 'small'], after: null },
      { kind: 'row', tableId: 1, schemaVersion: 1, op: 'd', before: [5n, 'elder', 3.5, -2n, 'a_b%c'], after: null },
    ]);
    expect(run('DELETE FROM items WHERE id = 99').changes).toEqual([]);
    expect(run('DELETE FROM items').result.rowsAffected).toBe(3);
    expect(rows('SELECT * FROM items')).toEqual([]);
  });
});

describe('SELECT', () => {
  beforeEach(seedItems);

  it('filters with comparison operators', () => {
    expect(ids('SELECT id FROM items WHERE id = 3')).toEqual([3n]);
    expect(ids('SELECT id FROM items WHERE id <> 3')).toEqual([1n, 2n, 4n, 5n]);
    expect(ids('SELECT id FROM items WHERE id != 3')).toEqual([1n, 2n, 4n, 5n]);
    expect(ids('SELECT id FROM items WHERE price < 3.5')).toEqual([1n, 2n]);
    expect(ids('SELECT id FROM items WHERE price >= 3.5')).toEqual([3n, 5n]);
    expect(ids('SELECT id FROM items WHERE stock > ?', [0n])).toEqual([1n, 4n]);
    expect(ids("SELECT id FROM items WHERE name <= 'cherry'")).toEqual([1n, 2n, 3n]);
  });

  it('binds ? parameters in the order of the text, whatever clause each is in', () => {
    expect(rows('SELECT ? AS a, id FROM items WHERE id = ?', [1n, 3n])).toEqual([[1n, 3n]]);
    expect(rows("SELECT id, ? FROM items WHERE stock > ? AND name <> ? ORDER BY id LIMIT ?", ['x', 0n, 'apple', 1n])).toEqual([[4n, 'x']]);
    expect(rows('SELECT (SELECT ?) AS s, id FROM items WHERE id = ? AND price > ?', [9n, 1n, 0n])).toEqual([[9n, 1n]]);
    run('INSERT INTO items (id, name, stock) SELECT ?, ?, stock FROM items WHERE id = ?', [100n, 'copy', 3n]);
    expect(rows('SELECT id, name, stock FROM items WHERE id = 100')).toEqual([[100n, 'copy', 0n]]);
    run('UPDATE items SET note = ? WHERE id IN (?, ?)', ['n', 1n, 2n]);
    expect(rows("SELECT id FROM items WHERE note = ? ORDER BY id", ['n'])).toEqual([[1n], [2n]]);
  });

  it('refuses a text that names TideDB\'s own placeholder parameters', () => {
    expect(errorCodeOf(() => run('SELECT :tide_placeholder_0 + ?', [1n]))).toBe('SQL_SYNTAX');
  });

  it('combines conditions with AND, OR and NOT', () => {
    expect(ids('SELECT id FROM items WHERE price > 1 AND stock > 0')).toEqual([1n]);
    expect(ids('SELECT id FROM items WHERE price > 5 OR stock < 0')).toEqual([3n, 5n]);
    expect(ids('SELECT id FROM items WHERE NOT (id > 2)')).toEqual([1n, 2n]);
    expect(ids('SELECT id FROM items WHERE NOT id = 1 AND (stock = 0 OR stock = 7)')).toEqual([3n, 4n]);
  });

  it('tests NULL only with IS [NOT] NULL', () => {
    expect(ids('SELECT id FROM items WHERE price IS NULL')).toEqual([4n]);
    expect(ids('SELECT id FROM items WHERE stock IS NOT NULL')).toEqual([1n, 3n, 4n, 5n]);
  });

  it('uses three-valued logic: comparisons with NULL match nothing, and so do their negations', () => {
    expect(ids('SELECT id FROM items WHERE stock = NULL')).toEqual([]);
    expect(ids('SELECT id FROM items WHERE NOT (stock = NULL)')).toEqual([]);
    expect(ids('SELECT id FROM items WHERE stock <> NULL')).toEqual([]);
    expect(ids('SELECT id FROM items WHERE id = ?', [null])).toEqual([]);
    expect(ids('SELECT id FROM items WHERE stock <> 10')).toEqual([3n, 4n, 5n]); // banana's NULL stock is unknown
    expect(ids('SELECT id FROM items WHERE NOT (stock > 0)')).toEqual([3n, 5n]);
    expect(ids('SELECT id FROM items WHERE stock > 0 OR NULL')).toEqual([1n, 4n]);
    expect(ids('SELECT id FROM items WHERE id NOT IN (1, NULL)')).toEqual([]);
    expect(ids('SELECT id FROM items WHERE id IN (1, NULL)')).toEqual([1n]);
    expect(ids('SELECT id FROM items WHERE stock BETWEEN NULL AND 10')).toEqual([]);
  });

  it('filters with IN, BETWEEN and LIKE (with % _ and escapes), and their negations', () => {
    expect(ids('SELECT id FROM items WHERE id IN (5, 2, 9)')).toEqual([2n, 5n]);
    expect(ids('SELECT id FROM items WHERE id NOT IN (5, 2)')).toEqual([1n, 3n, 4n]);
    expect(ids('SELECT id FROM items WHERE price BETWEEN 1.5 AND 3.5')).toEqual([1n, 5n]);
    expect(ids('SELECT id FROM items WHERE price NOT BETWEEN 1.5 AND 3.5')).toEqual([2n, 3n]);
    expect(ids("SELECT id FROM items WHERE name LIKE '%an%'")).toEqual([2n]);
    expect(ids("SELECT id FROM items WHERE name LIKE '_a%'")).toEqual([2n, 4n]);
    expect(ids("SELECT id FROM items WHERE name NOT LIKE '%e%'")).toEqual([2n]);
    expect(ids("SELECT id FROM items WHERE name LIKE 'APPLE'")).toEqual([]); // case-sensitive
    // 'a\_b\%c' in SQL: the backslashes make _ and % literal.
    expect(ids("SELECT id FROM items WHERE note LIKE 'a\\_b\\%c'")).toEqual([5n]);
    expect(ids("SELECT id FROM items WHERE note LIKE 'a\\%'")).toEqual([]);
    expect(ids("SELECT id FROM items WHERE note LIKE 'a_b%'")).toEqual([5n]);
  });

  it('orders by several keys, ascending with NULLs first and descending with NULLs last', () => {
    run("INSERT INTO items VALUES (6, 'fig', 1.5, NULL, 'x'), (7, 'grape', NULL, 7, 'y')");
    expect(ids('SELECT id FROM items ORDER BY price, id DESC')).toEqual([7n, 4n, 2n, 6n, 1n, 5n, 3n]);
    expect(ids('SELECT id FROM items ORDER BY price DESC, id')).toEqual([3n, 5n, 1n, 6n, 2n, 4n, 7n]);
    expect(ids('SELECT id FROM items ORDER BY stock DESC, name DESC')).toEqual([1n, 7n, 4n, 3n, 5n, 6n, 2n]);
    expect(rows('SELECT id, stock AS s FROM items ORDER BY s, 1 DESC LIMIT 3')).toEqual([[6n, null], [2n, null], [5n, -2n]]);
  });

  it('pages with LIMIT and OFFSET in both spellings and with params', () => {
    expect(ids('SELECT id FROM items ORDER BY id DESC LIMIT 2')).toEqual([5n, 4n]);
    expect(ids('SELECT id FROM items ORDER BY id LIMIT 2 OFFSET 1')).toEqual([2n, 3n]);
    expect(ids('SELECT id FROM items ORDER BY id LIMIT 3, 1')).toEqual([4n]);
    expect(ids('SELECT id FROM items LIMIT ? OFFSET ?', [2n, 4n])).toEqual([5n]);
    expect(ids('SELECT id FROM items LIMIT 0')).toEqual([]);
    expect(ids('SELECT id FROM items LIMIT 10 OFFSET 10')).toEqual([]);
    expectFailure('SELECT id FROM items LIMIT ?', 'TYPE_MISMATCH', [-1n]);
  });

  it('returns column names and values of expressions, with and without FROM', () => {
    const all = run('SELECT * FROM items WHERE id = 1').result;
    expect(all.columns).toEqual(['id', 'name', 'price', 'stock', 'note']);
    expect(all.rows).toEqual([[1n, 'apple', 1.5, 10n, 'red']]);
    // An unaliased expression is named by its text, as MySQL names it.
    const computed = run('SELECT id * 10 AS ten, price + stock, name FROM items WHERE id = 1').result;
    expect(computed.columns).toEqual(['ten', 'price + stock', 'name']);
    expect(computed.rows).toEqual([[10n, 11.5, 'apple']]);
    // … exactly as written: spaces, case and parentheses kept, a `?` as `?` (names MariaDB gives).
    const written = run("SELECT 7/2,  id  *  3 , count(*), items.id+1, (1+2), ( id * 2 ), ((id)), UPPER('b'), ?, 'lit', 1.50 FROM items WHERE id = 1 GROUP BY id", [5n]).result;
    expect(written.columns).toEqual(['7/2', 'id  *  3', 'count(*)', 'items.id+1', '(1+2)', '( id * 2 )', 'id', "UPPER('b')", '?', 'lit', '1.50']);
    const nested = run('SELECT * FROM (SELECT 7/2, -id FROM items WHERE id = 1) AS d').result;
    expect(nested.columns).toEqual(['7/2', '-id']);
    // … in a text that starts with blanks, as application code writes it, with comments after an
    // expression left out of its name, and with a placeholder's longer stand-in before it.
    expect(run('\n    SELECT 7/2,  count(*) FROM items WHERE id = 1').result.columns).toEqual(['7/2', 'count(*)']);
    expect(run("select 1+1 /* x */, 2+2 -- c\n, ((1+2)), CONCAT('a--b', \"#\"), ?-1 # d\n FROM items WHERE id = ?", [2n, 1n]).result.columns).toEqual(['1+1', '2+2', '((1+2))', `CONCAT('a--b', "#")`, '?-1']);
    const bare = run("SELECT 1 + 1 AS two, 7 / 2 AS half, 7 DIV 2 AS quotient, 7 % 3 AS remainder, 'x' AS s, NULL = NULL AS unknown, 1 / 0 AS none").result;
    expect(bare.columns).toEqual(['two', 'half', 'quotient', 'remainder', 's', 'unknown', 'none']);
    // 7 / 2 is a DECIMAL of scale 4, as MySQL's.
    expect(bare.rows[0]!.map(String)).toEqual(['2', '3.5000', '3', '1', 'x', 'null', 'null']);
    expect(rows('SELECT 1 WHERE 1 = 0')).toEqual([]);
  });

  it('compares a string with a number numerically and two strings by code point', () => {
    expect(ids("SELECT id FROM items WHERE id = '3'")).toEqual([3n]);
    expect(ids("SELECT id FROM items WHERE stock = '7.0'")).toEqual([4n]);
    expect(ids("SELECT id FROM items WHERE name > 'Z'")).toEqual([1n, 2n, 3n, 4n, 5n]); // 'a' > 'Z'
  });

  it('reads a key lookup and a scan alike: id = 1.5 matches no INT key', () => {
    expect(ids('SELECT id FROM items WHERE id = 1.5')).toEqual([]);
    expect(ids('SELECT id FROM items WHERE id = 2.0')).toEqual([2n]);
    expect(ids('SELECT id FROM items WHERE 3 = id AND price > 1')).toEqual([3n]);
  });

  it('rejects what it does not support with SQL_UNSUPPORTED and bad names with their codes', () => {
    for (const sql of ['SELECT SUM(id) OVER (ORDER BY id RANGE 1 PRECEDING) FROM items', 'SELECT COUNT(DISTINCT id) OVER () FROM items', 'SELECT GROUPING(id, id) FROM items GROUP BY id WITH ROLLUP']) {
      expectFailure(sql, 'SQL_UNSUPPORTED');
    }
    // utf8mb4_bin and utf8mb4_general_ci are honoured (general-ci-weights.test.ts, collation-differential.test.ts); other names are unknown.
    expectFailure('SELECT id FROM items ORDER BY name COLLATE utf8mb4_unicode_ci', 'COLLATION_UNKNOWN');
    expect(rows("SELECT 'x' COLLATE utf8mb4_general_ci = 'X'")).toEqual([[true]]);
    expect(ids("SELECT id FROM items WHERE name COLLATE utf8mb4_bin = name ORDER BY id").length).toBeGreaterThan(0);
    expectFailure('SELECT colour FROM items', 'COLUMN_NOT_FOUND');
    expectFailure('SELECT other.id FROM items', 'TABLE_NOT_FOUND');
    expectFailure('SELEKT 1', 'SQL_SYNTAX');
  });
});

describe('OverlayView', () => {
  beforeEach(seedItems);

  it('lets later statements of one transaction see earlier ones and records all changes in order', () => {
    const view = new OverlayView(store);
    const step = (sql: string): StatementResult => execute(planStatement(parseSql(sql)[0]!, view, 'app').plan, [], view);
    step("INSERT INTO items (id, name) VALUES (0, 'zero'), (9, 'nine')");
    step('DELETE FROM items WHERE id = 2');
    step("UPDATE items SET name = 'ZERO' WHERE id = 0");
    expect(step('SELECT id, name FROM items').rows).toEqual([[0n, 'ZERO'], [1n, 'apple'], [3n, 'cherry'], [4n, 'date'], [5n, 'elder'], [9n, 'nine']]);
    expect(view.changes()).toEqual([
      { kind: 'row', tableId: 1, schemaVersion: 1, op: 'c', before: null, after: [0n, 'zero', null, null, null] },
      { kind: 'row', tableId: 1, schemaVersion: 1, op: 'c', before: null, after: [9n, 'nine', null, null, null] },
      { kind: 'row', tableId: 1, schemaVersion: 1, op: 'd', before: [2n, 'banana', 0.25, null, null], after: null },
      { kind: 'row', tableId: 1, schemaVersion: 1, op: 'u', before: [0n, 'zero', null, null, null], after: [0n, 'ZERO', null, null, null] },
    ]);
    // Nothing reached the store.
    expect(ids('SELECT id FROM items')).toEqual([1n, 2n, 3n, 4n, 5n]);
  });

  it('sees a table created and filled in the same transaction, and one dropped as gone', () => {
    const view = new OverlayView(store);
    const step = (sql: string): StatementResult => execute(planStatement(parseSql(sql)[0]!, view, 'app').plan, [], view);
    step('CREATE TABLE fresh (k VARCHAR(5) PRIMARY KEY)');
    step("INSERT INTO fresh VALUES ('b'), ('a')");
    expect(step('SELECT k FROM fresh').rows).toEqual([['a'], ['b']]);
    step('DROP TABLE items');
    expect(errorCodeOf(() => step('SELECT * FROM items'))).toBe('TABLE_NOT_FOUND');
    step('CREATE TABLE items (id INT PRIMARY KEY)');
    expect(step('SELECT * FROM items').rows).toEqual([]);
    expect(view.changes().map((change) => change.kind)).toEqual(['create_table', 'row', 'row', 'drop_table', 'create_table']);
  });
});

// Edge cases of literals, overflow and comparison.
describe('literal, overflow and comparison edge cases', () => {
  // node-sql-parser files 1.5e3 under { type: 'bigint' }; the planner must still read a DOUBLE.
  it('reads a literal with a fraction and an exponent as a DOUBLE', () => {
    expect(rows('SELECT 1.5e3, -1.5e-3')).toEqual([[1500, -0.0015]]);
  });

  // node-sql-parser reads 1e10 as a column named '1e10'; MySQL reads it as the DOUBLE 1e10.
  it('reads a literal with an exponent and no fraction as a DOUBLE', () => {
    expect(rows('SELECT 1e10, 2E5')).toEqual([[1e10, 2e5]]);
  });

  // Arithmetic that overflows must not store Infinity (MySQL/MariaDB refuse it too).
  it('refuses a DOUBLE that overflows to Infinity with VALUE_OUT_OF_RANGE', () => {
    run('CREATE TABLE m (id INT PRIMARY KEY, d DOUBLE)');
    run('INSERT INTO m VALUES (1, ?)', [1.5e308]);
    expectFailure('UPDATE m SET d = d * 10', 'VALUE_OUT_OF_RANGE');
    expect(rows('SELECT d FROM m')).toEqual([[1.5e308]]);
  });

  // node-sql-parser reads `-<digits>` as one number and rounds it to a double; the text scan
  // has the parser see `- <digits>` instead, whose digits stay exact (sql/statement-shape.ts).
  it('keeps a negative BIGINT literal beyond 2^53 exact', () => {
    run('CREATE TABLE big (id INT PRIMARY KEY, n BIGINT)');
    run('INSERT INTO big VALUES (1, 9007199254740993), (2, -9007199254740993)');
    expect(rows('SELECT n FROM big')).toEqual([[9007199254740993n], [-9007199254740993n]]);
    run('INSERT INTO big VALUES (3, -9223372036854775808)');
    expect(rows('SELECT n FROM big WHERE id = 3')).toEqual([[-9223372036854775808n]]);
    expect(rows('SELECT -9223372036854775807 - 1, 5 -9007199254740993')).toEqual([[-9223372036854775808n, -9007199254740988n]]);
    expectFailure('SELECT -9223372036854775808 DIV -1', 'VALUE_OUT_OF_RANGE');
    expectFailure('SELECT 9223372036854775807 * 2', 'VALUE_OUT_OF_RANGE');
    expectFailure('SELECT 9223372036854775807 + 1', 'VALUE_OUT_OF_RANGE');
    expectFailure('SELECT -9223372036854775807 - 2', 'VALUE_OUT_OF_RANGE');
  });

  // The parser sees one more character per such literal; a syntax error after one still points
  // at the client's own text.
  it('reports a syntax error after a long negative literal at its place in the text', () => {
    const positionOf = (text: string): unknown => {
      try {
        parseSql(text);
      } catch (error) {
        return (error as TideError).details.position;
      }
      return null;
    };
    // The same text with each sign blanked out has the same length and no insertion.
    const text = 'SELECT -9223372036854775807, -9223372036854775806 FROM t\n WHERE ) AND 1';
    expect(positionOf(text)).toEqual(positionOf(text.replaceAll('-', ' ')));
    expect(positionOf(text)).toMatchObject({ line: 2 });
  });

  // node-sql-parser leaves '' and \' and \\ inside a quoted string as written (it unescapes \n and
  // \t only); the planner must unescape the rest.
  it("unescapes quotes and backslashes in string literals: 'it''s', 'x\\'y', 'a\\\\b'", () => {
    expect(rows("SELECT 'it''s', 'x\\'y', 'a\\\\b', 'tab\\tend'")).toEqual([["it's", "x'y", 'a\\b', 'tab\tend']]);
  });

  beforeEach(() => {
    run('CREATE TABLE codes (k VARCHAR(10) PRIMARY KEY)');
    run("INSERT INTO codes VALUES ('05'), ('5.0'), ('5x'), ('6')");
  });

  // A string compared with a number compares as numbers (as in MySQL), so k = 5 holds for '05'
  // and '5.0': the key-lookup shortcut must not reduce it to the one key '5'.
  it('WHERE varchar_key = 5 finds the same rows as a scan with the same condition', () => {
    const scanned = rows("SELECT k FROM codes WHERE k = 5 OR k = 'never'");
    expect(scanned).toEqual([['05'], ['5.0'], ['5x']]);
    expect(rows('SELECT k FROM codes WHERE k = 5')).toEqual(scanned);
  });

  // Keys sort by UTF-8 bytes (code points); JS `<` compares UTF-16 units and would put U+1F600
  // (a surrogate pair, 0xD83D…) before U+FFFF, so comparisons must use code points too.
  it('ORDER BY on strings agrees with key order (code points) beyond the BMP', () => {
    run("INSERT INTO codes VALUES ('\u{1f600}'), ('\uffff')");
    const keyOrder = rows('SELECT k FROM codes');
    expect(keyOrder.slice(-2)).toEqual([['\uffff'], ['\u{1f600}']]);
    expect(rows('SELECT k FROM codes ORDER BY k')).toEqual(keyOrder);
    expect(rows("SELECT k FROM codes WHERE k > '\uffff'")).toEqual([['\u{1f600}']]);
  });
});
