// FOREIGN KEY constraints with MySQL/InnoDB's rules, on a real Store: declarations and their
// errors, SHOW CREATE TABLE, enforcement row by row (1452, 1451), CASCADE and SET NULL several
// levels deep as row changes of the statement's batch, self-references, REPLACE and upserts,
// DROP TABLE of a parent (3730) and ALTER TABLE ADD/DROP FOREIGN KEY. A failed statement must
// leave every table as it was.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TideError } from '../../services/base/errors.js';
import { mysqlErrorOf } from '../../services/base/mysql-errors.js';
import { execute } from '../../services/sql/executor.js';
import { listForeignKeys } from '../../services/sql/foreign-key-shape.js';
import { OverlayView } from '../../services/sql/overlay-view.js';
import { parseSql } from '../../services/sql/parser.js';
import { planStatement } from '../../services/sql/planner.js';
import type { ReadView } from '../../services/sql/read-view.js';
import { Store } from '../../services/storage/store.js';
import type { BatchChange, Row } from '../../services/storage/types.js';
import { runOnStoreSliced } from './run-on-store.js';

let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tidedb-fk-'));
  store = Store.open(join(dir, 'db'));
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function run(sql: string): Promise<{ affected: number; rows: readonly Row[]; changes: readonly BatchChange[] }> {
  const { result, changes } = await runOnStoreSliced(store, sql);
  return { affected: result.rowsAffected, rows: result.rows, changes };
}

async function runAll(...sqls: string[]): Promise<void> {
  for (const sql of sqls) await run(sql);
}

// The error a statement fails with: its code, MySQL's number, and its message.
async function failure(sql: string): Promise<{ code: string; errno: number | undefined; message: string }> {
  try {
    await run(sql);
  } catch (error) {
    if (!(error instanceof TideError)) throw error;
    return { code: error.code, errno: mysqlErrorOf(error.code)?.errno, message: error.message };
  }
  throw new Error(`'${sql}' succeeded`);
}

async function rows(table: string): Promise<readonly Row[]> {
  return (await run(`SELECT * FROM ${table} ORDER BY 1`)).rows;
}

async function createTableText(table: string): Promise<string> {
  return String((await run(`SHOW CREATE TABLE ${table}`)).rows[0]![1]);
}

// Row changes as [table id, op, before, after].
function rowChanges(changes: readonly BatchChange[]): [number, string, Row | null, Row | null][] {
  return changes.flatMap((change) => (change.kind === 'row' ? [[change.tableId, change.op, change.before, change.after] as [number, string, Row | null, Row | null]] : []));
}

function tableId(name: string): number {
  return store.table('app', name)!.id;
}

describe('declaring foreign keys', () => {
  beforeEach(async () => {
    await run('CREATE TABLE p (id INT PRIMARY KEY, u INT, v INT, w INT, UNIQUE KEY uv (u, v))');
  });

  it('keeps them with the table and prints them as MariaDB does, with the child indexes InnoDB adds', async () => {
    await run('CREATE TABLE c (id INT PRIMARY KEY, a INT, b INT, CONSTRAINT fk1 FOREIGN KEY (a) REFERENCES p(id) ON DELETE CASCADE, FOREIGN KEY xx (a,b) REFERENCES p(u,v) ON UPDATE SET NULL, FOREIGN KEY (b) REFERENCES p (id) ON DELETE NO ACTION ON UPDATE RESTRICT)');
    // fk1 needs no index of its own: xx's leads with its column. RESTRICT, the default, is not printed.
    expect(await createTableText('c')).toBe([
      'CREATE TABLE `c` (',
      '  `id` int(11) NOT NULL,',
      '  `a` int(11) DEFAULT NULL,',
      '  `b` int(11) DEFAULT NULL,',
      '  PRIMARY KEY (`id`),',
      '  KEY `xx` (`a`,`b`),',
      '  KEY `b` (`b`),',
      '  CONSTRAINT `c_ibfk_1` FOREIGN KEY (`b`) REFERENCES `p` (`id`) ON DELETE NO ACTION,',
      '  CONSTRAINT `fk1` FOREIGN KEY (`a`) REFERENCES `p` (`id`) ON DELETE CASCADE,',
      '  CONSTRAINT `xx` FOREIGN KEY (`a`, `b`) REFERENCES `p` (`u`, `v`) ON UPDATE SET NULL',
      ') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
    ].join('\n'));
    expect(listForeignKeys(store.table('app', 'c')!)).toEqual([
      { name: 'c_ibfk_1', columns: ['b'], parentDatabase: 'app', parentTable: 'p', parentColumns: ['id'], onDelete: 'NO ACTION', onUpdate: 'RESTRICT' },
      { name: 'fk1', columns: ['a'], parentDatabase: 'app', parentTable: 'p', parentColumns: ['id'], onDelete: 'CASCADE', onUpdate: 'RESTRICT' },
      { name: 'xx', columns: ['a', 'b'], parentDatabase: 'app', parentTable: 'p', parentColumns: ['u', 'v'], onDelete: 'RESTRICT', onUpdate: 'SET NULL' },
    ]);
  });

  it('adds no index when the primary key or a declared index leads with the columns, and the printed text creates the same table', async () => {
    await run('CREATE TABLE c (a INT, b INT, PRIMARY KEY (a, b), KEY bk (b, a), FOREIGN KEY (a) REFERENCES p (id), FOREIGN KEY (b) REFERENCES p (id))');
    const text = await createTableText('c');
    expect(text).toContain('PRIMARY KEY (`a`,`b`),\n  KEY `bk` (`b`,`a`),\n  CONSTRAINT `c_ibfk_1`');
    await run('DROP TABLE c');
    await run(text);
    expect(await createTableText('c')).toBe(text);
  });

  it("enforces a column's own REFERENCES, as MariaDB does (MySQL 8 ignores it)", async () => {
    await run('CREATE TABLE c (id INT PRIMARY KEY, a INT REFERENCES p (id) ON DELETE CASCADE)');
    expect(await createTableText('c')).toContain('KEY `a` (`a`),\n  CONSTRAINT `c_ibfk_1` FOREIGN KEY (`a`) REFERENCES `p` (`id`) ON DELETE CASCADE');
    expect((await failure('INSERT INTO c VALUES (1, 7)')).errno).toBe(1452);
  });

  it('refuses declarations that cannot hold, with MySQL numbers, creating nothing', async () => {
    const cases: [string, string, number][] = [
      ['CREATE TABLE c (a INT, FOREIGN KEY (a) REFERENCES nowhere (id))', 'FOREIGN_KEY_PARENT_NOT_FOUND', 1824],
      ['CREATE TABLE c (a INT, FOREIGN KEY (a) REFERENCES p (w))', 'FOREIGN_KEY_PARENT_INDEX_MISSING', 1822],
      ['CREATE TABLE c (a INT, FOREIGN KEY (a) REFERENCES p (u))', 'FOREIGN_KEY_PARENT_INDEX_MISSING', 1822],
      ['CREATE TABLE c (a INT, b INT, FOREIGN KEY (a, b) REFERENCES p (v, u))', 'FOREIGN_KEY_PARENT_INDEX_MISSING', 1822],
      ['CREATE TABLE c (a BIGINT, FOREIGN KEY (a) REFERENCES p (id))', 'FOREIGN_KEY_COLUMNS_INCOMPATIBLE', 3780],
      ['CREATE TABLE c (a INT UNSIGNED, FOREIGN KEY (a) REFERENCES p (id))', 'FOREIGN_KEY_COLUMNS_INCOMPATIBLE', 3780],
      ['CREATE TABLE c (a VARCHAR(5), FOREIGN KEY (a) REFERENCES p (id))', 'FOREIGN_KEY_COLUMNS_INCOMPATIBLE', 3780],
      ['CREATE TABLE c (a INT NOT NULL, FOREIGN KEY (a) REFERENCES p (id) ON DELETE SET NULL)', 'FOREIGN_KEY_COLUMN_NOT_NULL', 1830],
      ['CREATE TABLE c (a INT PRIMARY KEY, FOREIGN KEY (a) REFERENCES p (id) ON UPDATE SET NULL)', 'FOREIGN_KEY_COLUMN_NOT_NULL', 1830],
      ['CREATE TABLE c (a INT, FOREIGN KEY (a) REFERENCES p (u, v))', 'FOREIGN_KEY_DEFINITION_INVALID', 1239],
      ['CREATE TABLE c (a INT, FOREIGN KEY (nope) REFERENCES p (id))', 'COLUMN_NOT_FOUND', 1054],
      ['CREATE TABLE c (a INT, FOREIGN KEY (a) REFERENCES p (nope))', 'COLUMN_NOT_FOUND', 1054],
      ['CREATE TABLE c (a INT, CONSTRAINT k FOREIGN KEY (a) REFERENCES p (id), CONSTRAINT k FOREIGN KEY (a) REFERENCES p (id))', 'FOREIGN_KEY_EXISTS', 1826],
      ['CREATE TABLE c (a INT, FOREIGN KEY (a) REFERENCES p (id) ON DELETE SET DEFAULT)', 'SQL_UNSUPPORTED', 1235],
    ];
    for (const [sql, code, errno] of cases) {
      const error = await failure(sql);
      expect([sql, error.code, error.errno]).toEqual([sql, code, errno]);
      expect(store.table('app', 'c')).toBeUndefined();
    }
  });

  it("refuses a CASCADE or SET NULL on a column a CHECK reads (3823): the cascade's changes are not checked", async () => {
    expect(await failure('CREATE TABLE c (a INT CHECK (a > 0), FOREIGN KEY (a) REFERENCES p (id) ON DELETE SET NULL)')).toMatchObject({ code: 'FOREIGN_KEY_CHECKED_COLUMN', errno: 3823 });
    await run('CREATE TABLE c (a INT, b INT, CHECK (a > 0), FOREIGN KEY (a) REFERENCES p (id), FOREIGN KEY (b) REFERENCES p (id) ON UPDATE CASCADE)');
    expect((await failure('ALTER TABLE c ADD FOREIGN KEY (a) REFERENCES p (id) ON UPDATE CASCADE')).errno).toBe(3823);
  });

  it('names constraints uniquely per database, as InnoDB does', async () => {
    await run('CREATE TABLE c1 (a INT, CONSTRAINT same FOREIGN KEY (a) REFERENCES p (id))');
    expect((await failure('CREATE TABLE c2 (a INT, CONSTRAINT same FOREIGN KEY (a) REFERENCES p (id))')).errno).toBe(1826);
    await run('CREATE DATABASE other');
    await run('CREATE TABLE other.c2 (a INT, CONSTRAINT same FOREIGN KEY (a) REFERENCES app.p (id))');
    expect(await createTableText('other.c2')).toContain('REFERENCES `app`.`p` (`id`)');
  });
});

describe('child rows', () => {
  beforeEach(async () => {
    await runAll(
      'CREATE TABLE p (id INT PRIMARY KEY, code VARCHAR(8) UNIQUE)',
      'CREATE TABLE c (id INT PRIMARY KEY, pid INT, pcode VARCHAR(8), note VARCHAR(8), CONSTRAINT c_p FOREIGN KEY (pid) REFERENCES p (id), CONSTRAINT c_code FOREIGN KEY (pcode) REFERENCES p (code))',
      "INSERT INTO p VALUES (1, 'one'), (2, 'two')",
    );
  });

  it('need their parent row, by primary key or UNIQUE index; a NULL part constrains nothing', async () => {
    await run("INSERT INTO c VALUES (1, 1, 'two', 'x'), (2, NULL, NULL, 'y'), (3, 2, NULL, 'z')");
    const error = await failure("INSERT INTO c VALUES (4, 3, NULL, 'w')");
    expect(error).toEqual({ code: 'FOREIGN_KEY_PARENT_MISSING', errno: 1452, message: 'cannot add or update a child row: a foreign key constraint fails (`app`.`c`, CONSTRAINT `c_p` FOREIGN KEY (`pid`) REFERENCES `p` (`id`))' });
    expect((await failure("INSERT INTO c VALUES (4, 1, 'three', 'w')")).message).toContain('CONSTRAINT `c_code`');
  });

  it('fail a multi-row statement midway with nothing written', async () => {
    await run("INSERT INTO c VALUES (1, 1, NULL, 'x')");
    expect((await failure("INSERT INTO c VALUES (2, 1, NULL, 'a'), (3, 2, NULL, 'b'), (4, 9, NULL, 'c'), (5, 1, NULL, 'd')")).errno).toBe(1452);
    expect((await failure('UPDATE c SET pid = pid + 5')).errno).toBe(1452);
    expect(await rows('c')).toEqual([[1n, 1n, null, 'x']]);
  });

  it('are checked on UPDATE only when their key changes', async () => {
    await run("INSERT INTO c VALUES (1, 1, NULL, 'x')");
    await run("UPDATE c SET note = 'changed'");
    await run('UPDATE c SET pid = 2');
    expect((await failure("UPDATE c SET pcode = 'nine'")).errno).toBe(1452);
    expect(await rows('c')).toEqual([[1n, 2n, null, 'changed']]);
  });

  it("see the parent a statement wrote earlier in the same transaction", async () => {
    const view = new OverlayView(store);
    for (const sql of ["INSERT INTO p VALUES (3, 'three')", "INSERT INTO c VALUES (1, 3, 'three', 'x')"]) {
      execute(planStatement(parseSql(sql)[0]!, view, 'app').plan, [], view);
    }
    expect(view.changes().filter((change) => change.kind === 'row')).toHaveLength(2);
  });

  it('go through INSERT … SELECT, REPLACE and ON DUPLICATE KEY UPDATE', async () => {
    expect((await failure('INSERT INTO c (id, pid) SELECT id + 10, id + 1 FROM p')).errno).toBe(1452);
    await run("INSERT INTO c VALUES (1, 1, NULL, 'x')");
    expect((await failure("REPLACE INTO c VALUES (1, 5, NULL, 'x')")).errno).toBe(1452);
    expect((await failure("INSERT INTO c VALUES (1, 1, NULL, 'x') ON DUPLICATE KEY UPDATE pid = 7")).errno).toBe(1452);
    await run("INSERT INTO c VALUES (1, 1, NULL, 'x') ON DUPLICATE KEY UPDATE pid = 2");
    expect(await rows('c')).toEqual([[1n, 2n, null, 'x']]);
  });
});

describe('parent rows', () => {
  it('under RESTRICT or NO ACTION refuse a delete or key change while children reference them', async () => {
    await runAll(
      'CREATE TABLE p (id INT PRIMARY KEY, name VARCHAR(8))',
      'CREATE TABLE r (id INT PRIMARY KEY, pid INT, CONSTRAINT r_p FOREIGN KEY (pid) REFERENCES p (id))',
      'CREATE TABLE n (id INT PRIMARY KEY, pid INT, CONSTRAINT n_p FOREIGN KEY (pid) REFERENCES p (id) ON DELETE NO ACTION ON UPDATE NO ACTION)',
      "INSERT INTO p VALUES (1, 'a'), (2, 'b'), (3, 'c')",
      'INSERT INTO r VALUES (1, 1)',
      'INSERT INTO n VALUES (1, 2)',
    );
    expect(await failure('DELETE FROM p WHERE id = 1')).toEqual({ code: 'FOREIGN_KEY_ROW_REFERENCED', errno: 1451, message: 'cannot delete or update a parent row: a foreign key constraint fails (`app`.`r`, CONSTRAINT `r_p` FOREIGN KEY (`pid`) REFERENCES `p` (`id`))' });
    expect((await failure('DELETE FROM p WHERE id = 2')).errno).toBe(1451);
    expect((await failure('UPDATE p SET id = 10 WHERE id = 2')).errno).toBe(1451);
    // The whole statement fails, though row 3 came first and had no children.
    expect((await failure('DELETE FROM p WHERE id IN (3, 1)')).errno).toBe(1451);
    expect((await failure('REPLACE INTO p VALUES (1, \'z\')')).errno).toBe(1451);
    expect((await failure("INSERT INTO p VALUES (1, 'z') ON DUPLICATE KEY UPDATE id = 5")).errno).toBe(1451);
    // Changes that leave the referenced values alone pass.
    await run("UPDATE p SET name = 'x'");
    await run("INSERT INTO p VALUES (1, 'z') ON DUPLICATE KEY UPDATE name = 'y'");
    expect(await rows('p')).toEqual([[1n, 'y'], [2n, 'x'], [3n, 'x']]);
    await run('DELETE FROM p WHERE id = 3');
  });

  it('under ON DELETE CASCADE remove their children three levels deep, as row changes of the same batch', async () => {
    await runAll(
      'CREATE TABLE a (id INT PRIMARY KEY)',
      'CREATE TABLE b (id INT PRIMARY KEY, aid INT, FOREIGN KEY (aid) REFERENCES a (id) ON DELETE CASCADE)',
      'CREATE TABLE c (id INT PRIMARY KEY, bid INT, FOREIGN KEY (bid) REFERENCES b (id) ON DELETE CASCADE)',
      'CREATE TABLE d (id INT PRIMARY KEY, cid INT, FOREIGN KEY (cid) REFERENCES c (id) ON DELETE CASCADE)',
      'INSERT INTO a VALUES (1), (2)',
      'INSERT INTO b VALUES (10, 1), (11, 1), (20, 2)',
      'INSERT INTO c VALUES (100, 10), (110, 11), (200, 20)',
      'INSERT INTO d VALUES (1000, 100), (1001, 100), (2000, 200)',
    );
    const { affected, changes } = await run('DELETE FROM a WHERE id = 1');
    expect(affected).toBe(1); // as MySQL counts: cascaded rows are not the statement's
    expect(rowChanges(changes)).toEqual([
      [tableId('a'), 'd', [1n], null],
      [tableId('b'), 'd', [10n, 1n], null],
      [tableId('c'), 'd', [100n, 10n], null],
      [tableId('d'), 'd', [1000n, 100n], null],
      [tableId('d'), 'd', [1001n, 100n], null],
      [tableId('b'), 'd', [11n, 1n], null],
      [tableId('c'), 'd', [110n, 11n], null],
    ]);
    expect([await rows('b'), await rows('c'), await rows('d')]).toEqual([[[20n, 2n]], [[200n, 20n]], [[2000n, 200n]]]);
  });

  it('stop a cascade at a RESTRICT further down, changing nothing', async () => {
    await runAll(
      'CREATE TABLE a (id INT PRIMARY KEY)',
      'CREATE TABLE b (id INT PRIMARY KEY, aid INT, FOREIGN KEY (aid) REFERENCES a (id) ON DELETE CASCADE)',
      'CREATE TABLE c (id INT PRIMARY KEY, bid INT, FOREIGN KEY (bid) REFERENCES b (id))',
      'INSERT INTO a VALUES (1)',
      'INSERT INTO b VALUES (10, 1), (11, 1)',
      'INSERT INTO c VALUES (100, 11)',
    );
    expect((await failure('DELETE FROM a')).message).toContain('`app`.`c`');
    expect([await rows('a'), await rows('b')]).toEqual([[[1n]], [[10n, 1n], [11n, 1n]]]);
  });

  it('under ON UPDATE CASCADE carry a key change down, and under SET NULL clear the children', async () => {
    await runAll(
      'CREATE TABLE a (id INT PRIMARY KEY, code VARCHAR(4) UNIQUE)',
      'CREATE TABLE b (id INT PRIMARY KEY, acode VARCHAR(4), FOREIGN KEY (acode) REFERENCES a (code) ON UPDATE CASCADE ON DELETE SET NULL)',
      "INSERT INTO a VALUES (1, 'x'), (2, 'y')",
    );
    // c follows b's acode, which b takes from a: two levels of cascaded updates. A parent's
    // columns must be a key of it.
    const childOfB = 'CREATE TABLE c (bid VARCHAR(4), n INT, PRIMARY KEY (bid, n), FOREIGN KEY (bid) REFERENCES b (acode) ON UPDATE CASCADE)';
    expect((await failure(childOfB)).code).toBe('FOREIGN_KEY_PARENT_INDEX_MISSING');
    await runAll('CREATE UNIQUE INDEX acode_u ON b (acode)', childOfB);
    await runAll("INSERT INTO b VALUES (1, 'x'), (2, 'y')", "INSERT INTO c VALUES ('x', 1), ('x', 2), ('y', 1)");
    const { changes } = await run("UPDATE a SET code = 'z' WHERE id = 1");
    expect(rowChanges(changes)).toEqual([
      [tableId('a'), 'u', [1n, 'x'], [1n, 'z']],
      [tableId('b'), 'u', [1n, 'x'], [1n, 'z']],
      // c's primary key changes: a delete and a create, as for any key change.
      [tableId('c'), 'd', ['x', 1n], null],
      [tableId('c'), 'c', null, ['z', 1n]],
      [tableId('c'), 'd', ['x', 2n], null],
      [tableId('c'), 'c', null, ['z', 2n]],
    ]);
    // SET NULL on b would cascade a NULL into c's primary key, which refuses it: nothing changes.
    expect((await failure('DELETE FROM a WHERE id = 2')).code).toBe('NOT_NULL_VIOLATION');
    expect(await rows('b')).toEqual([[1n, 'z'], [2n, 'y']]);
    await run('DELETE FROM c WHERE bid = \'y\'');
    await run('DELETE FROM a WHERE id = 2');
    expect(await rows('b')).toEqual([[1n, 'z'], [2n, null]]);
  });

  it('refuse a cascade nested deeper than 15 (MySQL 3008)', async () => {
    await run('CREATE TABLE t0 (id INT PRIMARY KEY)');
    for (let level = 1; level <= 17; level++) await run(`CREATE TABLE t${level} (id INT PRIMARY KEY, FOREIGN KEY (id) REFERENCES t${level - 1} (id) ON DELETE CASCADE)`);
    for (let level = 0; level <= 17; level++) await run(`INSERT INTO t${level} VALUES (1), (2)`);
    await run('DELETE FROM t2 WHERE id = 1'); // 15 levels below t2
    expect(await failure('DELETE FROM t0 WHERE id = 2')).toMatchObject({ code: 'FOREIGN_KEY_CASCADE_TOO_DEEP', errno: 3008 });
    expect(await rows('t17')).toEqual([[2n]]);
  });

  it('REPLACE deletes the row it replaces with its cascade', async () => {
    await runAll(
      'CREATE TABLE p (id INT PRIMARY KEY, name VARCHAR(8))',
      'CREATE TABLE c (id INT PRIMARY KEY, pid INT, FOREIGN KEY (pid) REFERENCES p (id) ON DELETE CASCADE)',
      "INSERT INTO p VALUES (1, 'a')",
      'INSERT INTO c VALUES (1, 1), (2, 1)',
    );
    const { changes } = await run("REPLACE INTO p VALUES (1, 'b')");
    expect(rowChanges(changes).map(([id, op]) => [id, op])).toEqual([[tableId('p'), 'd'], [tableId('c'), 'd'], [tableId('c'), 'd'], [tableId('p'), 'c']]);
    expect(await rows('c')).toEqual([]);
  });
});

describe('self-references', () => {
  beforeEach(async () => {
    await run('CREATE TABLE tree (id INT PRIMARY KEY, parent INT, FOREIGN KEY (parent) REFERENCES tree (id) ON DELETE CASCADE ON UPDATE CASCADE)');
  });

  it('take a parent written earlier in the same statement, row by row as InnoDB checks them', async () => {
    await run('INSERT INTO tree VALUES (1, NULL), (2, 1), (3, 2), (4, 4)');
    expect((await failure('INSERT INTO tree VALUES (6, 5), (5, NULL)')).errno).toBe(1452);
    expect(await rows('tree')).toEqual([[1n, null], [2n, 1n], [3n, 2n], [4n, 4n]]);
  });

  it('cascade a delete down the tree, counting only the rows the statement matched', async () => {
    await run('INSERT INTO tree VALUES (1, NULL), (2, 1), (3, 2), (4, 2), (5, 1), (6, NULL), (7, 7)');
    expect((await run('DELETE FROM tree WHERE id IN (2, 3, 7)')).affected).toBe(2);
    expect(await rows('tree')).toEqual([[1n, null], [5n, 1n], [6n, null]]);
    expect((await run('DELETE FROM tree')).affected).toBe(2);
    expect(await rows('tree')).toEqual([]);
  });

  it('REPLACE skips a clashing row that the cascade of an earlier one removed, counting as MariaDB', async () => {
    await run('CREATE TABLE rp (id INT PRIMARY KEY, code VARCHAR(4) UNIQUE, parent INT, FOREIGN KEY (parent) REFERENCES rp (id) ON DELETE CASCADE)');
    await run("INSERT INTO rp VALUES (1, 'a', NULL), (2, 'b', 1)");
    const { affected, changes } = await run("REPLACE INTO rp VALUES (1, 'b', NULL)");
    expect(affected).toBe(2);
    expect(rowChanges(changes).map(([, op, before, after]) => [op, before, after])).toEqual([['d', [1n, 'a', null], null], ['d', [2n, 'b', 1n], null], ['c', null, [1n, 'b', null]]]);
    expect(await rows('rp')).toEqual([[1n, 'b', null]]);
  });

  it('refuse ON UPDATE CASCADE into the table the update changes, as MySQL does', async () => {
    await run('INSERT INTO tree VALUES (1, NULL), (2, 1)');
    expect((await failure('UPDATE tree SET id = 10 WHERE id = 1')).errno).toBe(1451);
    await run('UPDATE tree SET id = 20 WHERE id = 2');
    expect(await rows('tree')).toEqual([[1n, null], [20n, 1n]]);
  });

  it('under RESTRICT count a row that references itself', async () => {
    await run('CREATE TABLE s (id INT PRIMARY KEY, parent INT, FOREIGN KEY (parent) REFERENCES s (id))');
    await run('INSERT INTO s VALUES (1, 1)');
    expect((await failure('DELETE FROM s')).errno).toBe(1451);
  });
});

describe('DROP TABLE and ALTER TABLE', () => {
  beforeEach(async () => {
    await runAll(
      'CREATE TABLE p (id INT PRIMARY KEY, code INT UNIQUE)',
      'CREATE TABLE c (id INT PRIMARY KEY, pid INT, CONSTRAINT c_p FOREIGN KEY (pid) REFERENCES p (id))',
      'INSERT INTO p VALUES (1, 10), (2, 20)',
      'INSERT INTO c VALUES (1, 1), (2, NULL)',
    );
  });

  it('refuse to drop a referenced parent unless its children go first or with it (3730)', async () => {
    expect(await failure('DROP TABLE p')).toEqual({ code: 'FOREIGN_KEY_TABLE_REFERENCED', errno: 3730, message: "cannot drop table 'p' referenced by a foreign key constraint 'c_p' on table 'c'" });
    await run('DROP TABLE p, c');
    expect([store.table('app', 'p'), store.table('app', 'c')]).toEqual([undefined, undefined]);
  });

  it('refuse TRUNCATE of a referenced parent, empty child or not (1701), but not of a child or a self-referencing table', async () => {
    expect(await failure('TRUNCATE TABLE p')).toMatchObject({ code: 'TRUNCATE_REFERENCED', errno: 1701 });
    await run('DELETE FROM c');
    expect((await failure('TRUNCATE p')).errno).toBe(1701);
    expect(await rows('p')).toEqual([[1n, 10n], [2n, 20n]]);
    await run('TRUNCATE TABLE c');
    await runAll('CREATE TABLE tree (id INT PRIMARY KEY, up INT, FOREIGN KEY (up) REFERENCES tree (id))', 'INSERT INTO tree VALUES (1, NULL), (2, 1)');
    await run('TRUNCATE TABLE tree');
    expect(await rows('tree')).toEqual([]);
  });

  it('follow ALTER TABLE and RENAME TABLE: columns moved, a parent renamed with its key column, and refuse dropping a column a key needs (1828, 1829)', async () => {
    await run('ALTER TABLE c ADD COLUMN note VARCHAR(8) FIRST');
    expect((await failure('INSERT INTO c (id, pid) VALUES (3, 9)')).errno).toBe(1452);
    expect((await failure('ALTER TABLE c DROP COLUMN pid')).errno).toBe(1828);
    expect((await failure('ALTER TABLE p DROP COLUMN id')).errno).toBe(1829);
    await run('RENAME TABLE p TO p2');
    await run('ALTER TABLE p2 RENAME COLUMN id TO ident');
    expect(await createTableText('c')).toContain('CONSTRAINT `c_p` FOREIGN KEY (`pid`) REFERENCES `p2` (`ident`)');
    expect((await failure('DELETE FROM p2 WHERE ident = 1')).errno).toBe(1451);
    await run('INSERT INTO c (id, pid) VALUES (3, 2)');
    expect(await rows('c')).toEqual([[null, 1n, 1n], [null, 2n, null], [null, 3n, 2n]]);
  });

  it('refuse to drop a database whose tables another database references', async () => {
    await runAll('CREATE DATABASE other', 'CREATE TABLE other.x (pid INT, FOREIGN KEY (pid) REFERENCES app.p (id))');
    expect((await failure('DROP DATABASE app')).errno).toBe(3730);
    await run('DROP TABLE other.x');
    await run('DROP DATABASE app');
  });

  it('add a foreign key after checking every row, building its index first', async () => {
    await run('CREATE TABLE d (id INT PRIMARY KEY, code INT)');
    await run('INSERT INTO d VALUES (1, 10), (2, NULL), (3, 30)');
    expect(await failure('ALTER TABLE d ADD CONSTRAINT d_code FOREIGN KEY (code) REFERENCES p (code)')).toMatchObject({ code: 'FOREIGN_KEY_PARENT_MISSING', errno: 1452 });
    const before = await createTableText('d');
    expect(before).not.toContain('  KEY');
    await run('UPDATE d SET code = 20 WHERE id = 3');
    await run('ALTER TABLE d ADD CONSTRAINT d_code FOREIGN KEY (code) REFERENCES p (code) ON DELETE CASCADE');
    expect(await createTableText('d')).toContain('KEY `d_code` (`code`),\n  CONSTRAINT `d_code` FOREIGN KEY (`code`) REFERENCES `p` (`code`) ON DELETE CASCADE');
    expect((await failure('INSERT INTO d VALUES (4, 40)')).errno).toBe(1452);
    await run('DELETE FROM c');
    await run('DELETE FROM p WHERE id = 2');
    expect(await rows('d')).toEqual([[1n, 10n], [2n, null]]);
  });

  it('refuse to drop an index a foreign key looks up through (1553), on either side', async () => {
    expect(await failure('DROP INDEX c_p ON c')).toMatchObject({ code: 'FOREIGN_KEY_INDEX_IN_USE', errno: 1553 });
    await run('ALTER TABLE c ADD INDEX pid_too (pid, id)');
    await run('DROP INDEX c_p ON c');
    await run('CREATE TABLE d (code INT, FOREIGN KEY (code) REFERENCES p (code))');
    expect((await failure('ALTER TABLE p DROP INDEX code')).errno).toBe(1553);
  });

  it('refuse an ALTER TABLE mixing foreign keys with other actions, changing nothing', async () => {
    expect((await failure('ALTER TABLE c DROP FOREIGN KEY c_p, ADD INDEX x (id)')).code).toBe('SQL_UNSUPPORTED');
    expect(listForeignKeys(store.table('app', 'c')!).map((key) => key.name)).toEqual(['c_p']);
  });

  it('drop a foreign key by name, keeping its index; a missing one is 1091', async () => {
    await run('ALTER TABLE c DROP FOREIGN KEY c_p');
    expect(await createTableText('c')).toContain('KEY `c_p` (`pid`)\n)');
    await run('INSERT INTO c VALUES (3, 99)');
    await run('DROP TABLE p');
    expect(await failure('ALTER TABLE c DROP FOREIGN KEY c_p')).toMatchObject({ code: 'FOREIGN_KEY_NOT_FOUND', errno: 1091 });
  });
});

describe('look-ups', () => {
  it("go through the parent's key and the child's index, never a scan of either table", async () => {
    await runAll(
      'CREATE TABLE p (id INT PRIMARY KEY)',
      'CREATE TABLE c (id INT PRIMARY KEY, pid INT, FOREIGN KEY (pid) REFERENCES p (id) ON DELETE CASCADE)',
      'INSERT INTO p VALUES (1), (2), (3)',
      'INSERT INTO c VALUES (1, 1), (2, 2), (3, 3)',
    );
    let wholeScans = 0;
    const counting: ReadView = new Proxy(store, {
      get(target, property) {
        const value = Reflect.get(target, property, target) as unknown;
        if (property !== 'scanRows' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
        return (...args: unknown[]) => {
          const range = args[1] as { low: unknown } | undefined;
          if (range === undefined || range.low === null) wholeScans++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const view = new OverlayView(counting);
    for (const sql of ['INSERT INTO c VALUES (4, 2)', 'DELETE FROM p WHERE id = 2', 'UPDATE c SET pid = 3 WHERE id = 1']) {
      execute(planStatement(parseSql(sql)[0]!, view, 'app').plan, [], view);
    }
    expect(wholeScans).toBe(0);
    expect(rowChanges(view.changes()).map(([, op]) => op)).toEqual(['c', 'd', 'd', 'd', 'u']);
  });
});
