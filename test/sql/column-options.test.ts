// Column options of CREATE TABLE: DEFAULT (constants of every type, CURRENT_TIMESTAMP), the
// DEFAULT keyword in VALUES, ON UPDATE CURRENT_TIMESTAMP, and CHECK constraints at column and
// table level, enforced on INSERT and UPDATE with MySQL's 3819; DESCRIBE and SHOW CREATE TABLE
// print them, and the printed text creates the same table again.
import { beforeEach, describe, expect, it } from 'vitest';
import { toJson } from '../../services/http/json-body.js';
import type { Store } from '../../services/storage/store.js';
import type { BatchChange, Row, Value } from '../../services/storage/types.js';
import { SqlDateTime } from '../../services/values/temporal.js';
import { useTempStores } from '../support/temp-stores.js';
import { errorCodeOf, mysqlErrnoOf, runOnStore } from './run-on-store.js';

const stores = useTempStores('tidedb-column-options-');
let store: Store;
// 2023-11-14 22:13:20.123 UTC: the statements' time in these tests.
const nowMs = 1_700_000_000_123;

beforeEach(() => {
  store = stores.open();
});

function run(sql: string, params: readonly Value[] = [], atMs = nowMs): { rows: readonly Row[]; changes: readonly BatchChange[] } {
  const { result, changes } = runOnStore(store, sql, params, atMs);
  return { rows: result.rows, changes };
}

function json(sql: string): string {
  return toJson(run(sql).rows);
}

function errnoOf(sql: string): number | 'no error' {
  return mysqlErrnoOf(() => run(sql));
}

describe('DEFAULT', () => {
  beforeEach(() => {
    run("CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, a INT NOT NULL DEFAULT -5, b VARCHAR(8) DEFAULT 'x''y', e DECIMAL(5,2) DEFAULT 1.5, f BOOLEAN DEFAULT TRUE, g DATE DEFAULT '2020-01-01', i INT DEFAULT (1 + 2), u BIGINT UNSIGNED DEFAULT 18446744073709551615, n INT)");
  });

  it('fills the columns an INSERT leaves out, and those given DEFAULT in VALUES', () => {
    run('INSERT INTO t (id) VALUES (NULL)');
    run("INSERT INTO t (a, b) VALUES (DEFAULT, 'DEFAULT'), (1, DEFAULT)");
    run('INSERT INTO t VALUES (DEFAULT, DEFAULT, DEFAULT, DEFAULT, DEFAULT, DEFAULT, DEFAULT, DEFAULT, DEFAULT)');
    run('INSERT INTO t (n) SELECT 7');
    expect(json('SELECT * FROM t')).toBe(
      '[[1,-5,"x\'y","1.50",true,"2020-01-01",3,"18446744073709551615",null],' +
        '[2,-5,"DEFAULT","1.50",true,"2020-01-01",3,"18446744073709551615",null],' +
        '[3,1,"x\'y","1.50",true,"2020-01-01",3,"18446744073709551615",null],' +
        '[4,-5,"x\'y","1.50",true,"2020-01-01",3,"18446744073709551615",null],' +
        '[5,-5,"x\'y","1.50",true,"2020-01-01",3,"18446744073709551615",7]]',
    );
  });

  it('refuses a default the column cannot hold, and NOT NULL DEFAULT NULL', () => {
    for (const bad of ["a INT DEFAULT 'x'", 'a TINYINT DEFAULT 300', 'a INT NOT NULL DEFAULT NULL', "a DATE DEFAULT '2023-02-30'", 'a DATE DEFAULT CURRENT_TIMESTAMP', 'a DATETIME(3) DEFAULT NOW()', 'a INT AUTO_INCREMENT PRIMARY KEY DEFAULT 1']) {
      expect(errorCodeOf(() => run(`CREATE TABLE bad (${bad})`)), bad).toBe('TABLE_DEFINITION_INVALID');
    }
    expect(errorCodeOf(() => run('CREATE TABLE bad (a INT DEFAULT ?)', [1n]))).toBe('TABLE_DEFINITION_INVALID');
    // A column's REFERENCES is a foreign key (test/sql/foreign-keys.test.ts), not a column option.
    expect(errorCodeOf(() => run('CREATE TABLE bad (a INT REFERENCES missing (id))'))).toBe('FOREIGN_KEY_PARENT_NOT_FOUND');
  });
});

describe('CURRENT_TIMESTAMP', () => {
  beforeEach(() => {
    run('CREATE TABLE s (id INT PRIMARY KEY, v INT, made DATETIME DEFAULT CURRENT_TIMESTAMP, seen TIMESTAMP(3) NULL DEFAULT NOW(3) ON UPDATE CURRENT_TIMESTAMP(3), touched DATETIME(6) ON UPDATE CURRENT_TIMESTAMP(6))');
  });

  it("is the statement's time, cut to the column's digits, carried by the change as a value", () => {
    const { changes } = run('INSERT INTO s (id, v) VALUES (1, 1), (2, 2)');
    expect(json('SELECT made, seen, touched FROM s')).toBe('[["2023-11-14 22:13:20","2023-11-14 22:13:20.123",null],["2023-11-14 22:13:20","2023-11-14 22:13:20.123",null]]');
    const after = (changes[0] as Extract<BatchChange, { kind: 'row' }>).after!;
    expect(after[2]).toEqual(new SqlDateTime(1_700_000_000_000_000n, 0));
  });

  it('ON UPDATE sets the column when an UPDATE changes the row and does not set it', () => {
    run('INSERT INTO s (id, v) VALUES (1, 1), (2, 2)');
    const later = nowMs + 61_000;
    run('UPDATE s SET v = 10 WHERE id = 1', [], later);
    run('UPDATE s SET v = 2 WHERE id = 2', [], later); // no change: no event, no new time
    run("UPDATE s SET v = 3, seen = '2020-01-01 00:00:00' WHERE id = 2", [], later); // set explicitly
    expect(json('SELECT id, made, seen, touched FROM s')).toBe(
      '[[1,"2023-11-14 22:13:20","2023-11-14 22:14:21.123","2023-11-14 22:14:21.123000"],[2,"2023-11-14 22:13:20","2020-01-01 00:00:00.000","2023-11-14 22:14:21.123000"]]',
    );
  });
});

describe('CHECK', () => {
  beforeEach(() => {
    run("CREATE TABLE c (id INT PRIMARY KEY, qty INT CHECK (qty >= 0), price DECIMAL(6,2), label VARCHAR(5), CONSTRAINT positive_price CHECK (price > 0 AND price < 1000), CHECK (label <> 'bad'))");
    run("INSERT INTO c VALUES (1, 5, 9.99, 'ok')");
  });

  it('refuses an INSERT or UPDATE that makes one false with 3819, changing nothing; NULL passes', () => {
    expect(errnoOf("INSERT INTO c VALUES (2, 1, 1, 'a'), (3, -1, 1, 'b')")).toBe(3819);
    expect(errnoOf("INSERT INTO c VALUES (2, 1, 0, 'a')")).toBe(3819);
    expect(errnoOf("INSERT INTO c VALUES (2, 1, 1, 'bad')")).toBe(3819);
    expect(errnoOf('UPDATE c SET qty = qty - 6')).toBe(3819);
    expect(errnoOf('UPDATE c SET price = price * 1000')).toBe(3819);
    expect(errorCodeOf(() => run('UPDATE c SET qty = qty - 6'))).toBe('CHECK_VIOLATION');
    run('INSERT INTO c VALUES (4, NULL, NULL, NULL)');
    expect(json('SELECT * FROM c')).toBe('[[1,5,"9.99","ok"],[4,null,null,null]]');
  });

  it('names unnamed checks <table>_chk_<n>, refuses duplicate names and unknown columns', () => {
    expect(run('SHOW CREATE TABLE c').rows[0]![1]).toContain("CONSTRAINT `c_chk_1` CHECK (`qty` >= 0),\n  CONSTRAINT `positive_price` CHECK (`price` > 0 AND `price` < 1000),\n  CONSTRAINT `c_chk_2` CHECK (`label` <> 'bad')");
    expect(errorCodeOf(() => run('CREATE TABLE d (a INT, CONSTRAINT x CHECK (a > 0), CONSTRAINT X CHECK (a < 5))'))).toBe('TABLE_DEFINITION_INVALID');
    expect(errorCodeOf(() => run('CREATE TABLE d (a INT CHECK (b > 0))'))).toBe('COLUMN_NOT_FOUND');
    // Each write parses a CHECK's text again: a long one is refused (base/limits.ts).
    expect(errorCodeOf(() => run(`CREATE TABLE d (a INT CHECK (a NOT IN (${'1,'.repeat(600)}2)))`))).toBe('TABLE_DEFINITION_INVALID');
    expect(errorCodeOf(() => run('CREATE TABLE d (a INT CHECK (a > 0) NOT ENFORCED)'))).toBe('SQL_UNSUPPORTED');
  });
});

describe('DESCRIBE and SHOW CREATE TABLE', () => {
  it("print defaults and ON UPDATE as MariaDB does, and the text creates the same table", () => {
    run("CREATE TABLE p (id INT AUTO_INCREMENT PRIMARY KEY, a INT NOT NULL DEFAULT -5, b VARCHAR(3) DEFAULT 'x''y', d TIMESTAMP(3) NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3), e DECIMAL(5,2) DEFAULT 1.5, h DATETIME ON UPDATE CURRENT_TIMESTAMP, CHECK (a < 100))");
    expect(run('DESCRIBE p').rows.map((row) => [row[4], row[5]])).toEqual([
      [null, 'auto_increment'],
      ['-5', ''],
      ["x'y", ''],
      ['current_timestamp(3)', 'on update current_timestamp(3)'],
      ['1.50', ''],
      [null, 'on update current_timestamp()'],
    ]);
    const text = String(run('SHOW CREATE TABLE p').rows[0]![1]);
    expect(text).toContain("`b` varchar(3) DEFAULT 'x''y',\n  `d` timestamp(3) NULL DEFAULT current_timestamp(3) ON UPDATE current_timestamp(3),");
    run(text.replace('CREATE TABLE `p`', 'CREATE TABLE `q`'));
    expect(String(run('SHOW CREATE TABLE q').rows[0]![1])).toBe(text.replace('CREATE TABLE `p`', 'CREATE TABLE `q`'));
  });
});
