// Clients outside Node against a node's MySQL port: the `mariadb` command-line client in script
// mode prints exactly what it prints for MariaDB itself (the oracle at 127.0.0.1:3306) for the
// same CREATE/INSERT/SELECT script, given with -e and through stdin; PyMySQL (Debian's, run by
// /usr/bin/python3) connects, creates, inserts with parameters and reads typed values back.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMysqlNode } from './mysql-node.js';
import type { MysqlNode } from './mysql-node.js';

const run = promisify(execFile);
const oracleDatabase = 'wip_mysql';
let node: MysqlNode;

beforeAll(async () => {
  node = await startMysqlNode({ port: 24040 });
  // The node's default database exists once something is in it; the clients name it at connect.
  await mariadb(node.port, null, 'CREATE DATABASE IF NOT EXISTS app');
  await mariadb(3306, null, `DROP DATABASE IF EXISTS ${oracleDatabase}; CREATE DATABASE ${oracleDatabase}`);
});

afterAll(async () => {
  await mariadb(3306, null, `DROP DATABASE IF EXISTS ${oracleDatabase}`).catch(() => {});
  await node?.close();
});

// Runs the mariadb client against a port, with `-e` or (stdin) a script; answers its stdout.
async function mariadb(port: number, database: string | null, statements: string, viaStdin = false): Promise<string> {
  const args = ['-h127.0.0.1', `-P${port}`, '-uroot', ...(database === null ? [] : ['-D', database]), ...(viaStdin ? [] : ['-e', statements])];
  if (!viaStdin) return (await run('mariadb', args)).stdout;
  return new Promise((resolve, reject) => {
    const child = execFile('mariadb', args, (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)));
    child.stdin!.end(statements);
  });
}

const script = `
CREATE TABLE orders (id INT PRIMARY KEY, customer VARCHAR(20) NOT NULL, total DECIMAL(10,2), placed DATE, shipped DATETIME, note TEXT);
INSERT INTO orders VALUES (1, 'ada', 12.50, '2024-01-02', '2024-01-03 10:11:12', NULL), (2, 'grace', 1000.00, '2024-02-29', NULL, 'tab\tand "quote"');
INSERT INTO orders (id, customer) VALUES (3, 'linus');
SELECT * FROM orders ORDER BY id;
SELECT customer, total FROM orders WHERE total > 20;
UPDATE orders SET total = 13.75 WHERE id = 1;
SELECT COUNT(*) AS n, SUM(total) AS sum_total FROM orders;
DELETE FROM orders WHERE id = 3;
SELECT id, customer FROM orders ORDER BY id DESC;
`;

describe('the mariadb command-line client', () => {
  it('prints for a script through stdin what it prints for MariaDB', async () => {
    const expected = await mariadb(3306, oracleDatabase, script, true);
    const actual = await mariadb(node.port, 'app', script, true);
    expect(actual).toBe(expected);
    expect(actual).toContain('3\t1013.75');
  });

  it('prints for -e statements what it prints for MariaDB, and errors with the same numbers', async () => {
    const statements = 'SELECT id, customer, placed FROM orders WHERE id = 1; SELECT customer FROM orders WHERE note IS NULL ORDER BY id';
    expect(await mariadb(node.port, 'app', statements)).toBe(await mariadb(3306, oracleDatabase, statements));
    // Table mode sizes each column from its declared type and NOT NULL flag, as the server sends them.
    const table = ['-t', '-e', 'SELECT * FROM orders ORDER BY id'];
    const [ours, theirs] = await Promise.all([run('mariadb', ['-h127.0.0.1', `-P${node.port}`, '-uroot', '-D', 'app', ...table]), run('mariadb', ['-h127.0.0.1', '-P3306', '-uroot', '-D', oracleDatabase, ...table])]);
    expect(ours.stdout).toBe(theirs.stdout);
    const failure = async (port: number, database: string): Promise<string> => {
      try {
        await mariadb(port, database, 'INSERT INTO orders (id, customer) VALUES (1, \'dup\')');
        return 'no error';
      } catch (error) {
        return /ERROR (\d+) \((\w+)\)/.exec(String(error))?.slice(1).join(' ') ?? String(error);
      }
    };
    expect(await failure(node.port, 'app')).toBe('1062 23000');
    expect(await failure(3306, oracleDatabase)).toBe('1062 23000');
  });
});

const pymysqlScript = `
import json, sys, datetime, decimal, pymysql
connection = pymysql.connect(host='127.0.0.1', port=int(sys.argv[1]), user='root', password='', database='app', autocommit=True)
with connection.cursor() as cursor:
    cursor.execute('CREATE TABLE people (id INT PRIMARY KEY, name VARCHAR(40), balance DECIMAL(12,2), born DATE, seen DATETIME, photo BLOB, score DOUBLE)')
    inserted = cursor.execute('INSERT INTO people VALUES (%s, %s, %s, %s, %s, %s, %s)', (1, "O'Brien", decimal.Decimal('10.25'), datetime.date(1990, 5, 17), datetime.datetime(2024, 1, 2, 3, 4, 5), b'\\x00\\xff', 0.5))
    cursor.executemany('INSERT INTO people (id, name) VALUES (%s, %s)', [(2, 'Zoë'), (3, None)])
    cursor.execute('SELECT * FROM people WHERE id = %s', (1,))
    row = cursor.fetchone()
    cursor.execute('SELECT id, name, balance FROM people ORDER BY id')
    rest = cursor.fetchall()
    try:
        cursor.execute('SELECT * FROM nowhere')
        error = None
    except pymysql.MySQLError as failure:
        error = failure.args[0]
print(json.dumps({
    'inserted': inserted,
    'types': [type(value).__name__ for value in row],
    'row': [value.hex() if isinstance(value, bytes) else str(value) for value in row],
    'rest': [[None if value is None else str(value) for value in line] for line in rest],
    'error': error,
}))
connection.close()
`;

describe('PyMySQL', () => {
  it('connects, creates, inserts with parameters and reads typed values back', async () => {
    const { stdout } = await run('/usr/bin/python3', ['-c', pymysqlScript, String(node.port)]);
    expect(JSON.parse(stdout)).toEqual({
      inserted: 1,
      types: ['int', 'str', 'Decimal', 'date', 'datetime', 'bytes', 'float'],
      row: ['1', "O'Brien", '10.25', '1990-05-17', '2024-01-02 03:04:05', '00ff', '0.5'],
      rest: [['1', "O'Brien", '10.25'], ['2', 'Zoë', null], ['3', null, null]],
      error: 1146,
    });
  });
});
