// mysql2, the driver most TypeScript applications use, against a node's MySQL port: every
// column type decodes as its JavaScript type in the text protocol (query) and the binary
// protocol (execute); what connectors send on connect, SHOW VARIABLES/WARNINGS, USE and
// COM_PING work; errors carry MySQL's numbers and SQLSTATEs.
import mysql from 'mysql2/promise';
import type { Connection, FieldPacket, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMysqlNode } from './mysql-node.js';
import type { MysqlNode } from './mysql-node.js';

let node: MysqlNode;
let connection: Connection;

beforeAll(async () => {
  node = await startMysqlNode({ port: 24010 });
  connection = await mysql.createConnection({ host: '127.0.0.1', port: node.port, user: 'root', supportBigNumbers: true, bigNumberStrings: false, dateStrings: false, timezone: 'Z' });
  await connection.query(`CREATE TABLE every_type (
    id BIGINT PRIMARY KEY, tiny TINYINT, small SMALLINT, medium MEDIUMINT, num INT, big BIGINT, ubig BIGINT UNSIGNED,
    price DECIMAL(12,3), ratio DOUBLE, flag BOOLEAN, code CHAR(4), name VARCHAR(40), body TEXT,
    day DATE, at DATETIME(3), stamp TIMESTAMP, span TIME, doc JSON, raw BLOB, bin VARBINARY(8))`);
});

afterAll(async () => {
  await connection?.end();
  await node?.close();
});

const full = [1, -5, 300, 70000, -2147483648, '9223372036854775807', '18446744073709551615', '12345.678', 2.5, true, 'abcd', 'héllo wörld', 'long text', '2024-02-29', '2024-02-29 13:14:15.123', '2024-03-01 00:00:01', '-838:59:59', '{"a": [1, null, "x"]}', Buffer.from([0, 1, 254, 255]), Buffer.from('ab')];

function expectTypedRow(row: RowDataPacket): void {
  expect(row['id']).toBe(1);
  expect(row['tiny']).toBe(-5);
  expect(row['small']).toBe(300);
  expect(row['medium']).toBe(70000);
  expect(row['num']).toBe(-2147483648);
  expect(row['big']).toBe('9223372036854775807'); // supportBigNumbers: beyond 2^53 as a string
  expect(row['ubig']).toBe('18446744073709551615');
  expect(row['price']).toBe('12345.678'); // DECIMAL stays exact
  expect(row['ratio']).toBe(2.5);
  expect(row['flag']).toBe(1);
  expect(row['code']).toBe('abcd');
  expect(row['name']).toBe('héllo wörld');
  expect(row['body']).toBe('long text');
  expect(row['day']).toEqual(new Date('2024-02-29T00:00:00Z'));
  expect(row['at']).toEqual(new Date('2024-02-29T13:14:15.123Z'));
  expect(row['stamp']).toEqual(new Date('2024-03-01T00:00:01Z'));
  expect(row['span']).toBe('-838:59:59');
  expect(row['doc']).toEqual({ a: [1, null, 'x'] });
  expect(row['raw']).toEqual(Buffer.from([0, 1, 254, 255]));
  expect(row['bin']).toEqual(Buffer.from('ab'));
}

describe('mysql2 over the MySQL port', () => {
  it('inserts every column type with execute (binary parameters) and reads it back typed with query and execute', async () => {
    const [inserted] = await connection.execute(`INSERT INTO every_type VALUES (${full.map(() => '?').join(', ')})`, full);
    expect(inserted).toMatchObject({ affectedRows: 1 });
    await connection.query('INSERT INTO every_type (id) VALUES (2)');
    const [textRows, fields] = await connection.query<RowDataPacket[]>('SELECT * FROM every_type ORDER BY id');
    expectTypedRow(textRows[0]!);
    const [binaryRows] = await connection.execute<RowDataPacket[]>('SELECT * FROM every_type WHERE id >= ? ORDER BY id', [1]);
    expectTypedRow(binaryRows[0]!);
    for (const rows of [textRows, binaryRows]) {
      const nulls = rows[1]!;
      expect(Object.entries(nulls).filter(([name]) => name !== 'id').every(([, value]) => value === null)).toBe(true);
    }
    // Declared types, as MySQL announces them: INT is LONG, TIMESTAMP is TIMESTAMP, CHAR is STRING…
    const field = (name: string): FieldPacket => (fields as FieldPacket[]).find((candidate) => candidate.name === name)!;
    const flagsOf = (name: string): number => Number(field(name).flags);
    const types = ['id', 'tiny', 'small', 'medium', 'num', 'price', 'ratio', 'code', 'name', 'body', 'day', 'at', 'stamp', 'span', 'doc', 'raw', 'bin'].map((name) => field(name).columnType);
    expect(types).toEqual([8, 1, 2, 9, 3, 246, 5, 254, 253, 252, 10, 12, 7, 11, 245, 252, 253]);
    expect([flagsOf('id') & 3, flagsOf('num') & 1, flagsOf('ubig') & 32, field('price').decimals, field('name').columnLength]).toEqual([3, 0, 32, 3, 160]);
    expect([field('id').table, field('id').schema, field('id').orgName]).toEqual(['every_type', 'app', 'id']);
  });

  it('announces NOT NULL only where no NULL can appear: not in a query with an outer join (either side, conservatively), nor for a computed column', async () => {
    await connection.query('CREATE TABLE pairs (id INT PRIMARY KEY, label VARCHAR(5) NOT NULL)');
    await connection.query("INSERT INTO pairs VALUES (1, 'a'), (2, 'b')");
    const notNullOf = async (sql: string): Promise<[number, string | undefined][]> => {
      const [, fields] = await connection.query(sql);
      return (fields as FieldPacket[]).map((field) => [Number(field.flags) & 1, field.table]);
    };
    expect(await notNullOf('SELECT label FROM pairs')).toEqual([[1, 'pairs']]);
    expect(await notNullOf('SELECT p.label, q.label FROM pairs p LEFT JOIN pairs q ON q.id = p.id + 1')).toEqual([[0, 'pairs'], [0, 'pairs']]);
    expect(await notNullOf("SELECT CONCAT(label, '!') AS shout FROM pairs")).toEqual([[0, '']]);
  });

  it('binds integers, strings, NULLs and dates as parameters of a prepared SELECT, and reuses the statement', async () => {
    const [rows] = await connection.execute<RowDataPacket[]>('SELECT id, name FROM every_type WHERE id = ? AND (name = ? OR ? IS NULL) AND day <= ?', [1, 'héllo wörld', null, new Date('2030-01-01T00:00:00Z')]);
    expect(rows).toEqual([{ id: 1, name: 'héllo wörld' }]);
    const [again] = await connection.execute<RowDataPacket[]>('SELECT id, name FROM every_type WHERE id = ? AND (name = ? OR ? IS NULL) AND day <= ?', [2, 'x', 1, '2030-01-01']);
    expect(again).toEqual([]);
  });

  it('announces a prepared query\'s result columns in its prepare-OK, and none for a statement without rows', async () => {
    // libmysqlclient (sysbench, PHP, …) reads an executed statement's rows only if the prepare said it has some.
    const described = (prepared: unknown) => (prepared as { statement: { columns: { name: string; columnType: number }[]; parameters: unknown[] } }).statement;
    const query = await connection.prepare('SELECT id, name, price FROM every_type WHERE id BETWEEN ? AND ?');
    expect(described(query).columns.map((column) => [column.name, column.columnType])).toEqual([['id', 8], ['name', 253], ['price', 246]]);
    expect(described(query).parameters).toHaveLength(2);
    query.close();
    const write = await connection.prepare('UPDATE every_type SET ratio = ? WHERE id = ?');
    expect(described(write).columns).toHaveLength(0);
    write.close();
  });


  it('describes a statement run again after its table changed by the new column types, not the ones described before', async () => {
    await connection.query('CREATE TABLE retyped (id INT PRIMARY KEY, v INT)');
    await connection.query('INSERT INTO retyped VALUES (1, 7)');
    const typesOf = async (): Promise<number[]> => {
      const [, fields] = await connection.execute<RowDataPacket[]>('SELECT id, v FROM retyped WHERE id = ?', [1]);
      return fields.map((field) => field.columnType!);
    };
    // Run twice: the second run answers from the kept plan, and its kept column definitions.
    expect(await typesOf()).toEqual([3, 3]);
    expect(await typesOf()).toEqual([3, 3]);
    await connection.query('ALTER TABLE retyped MODIFY v VARCHAR(10)');
    expect(await typesOf()).toEqual([3, 253]);
    const [rows] = await connection.execute<RowDataPacket[]>('SELECT id, v FROM retyped WHERE id = ?', [1]);
    expect(rows).toEqual([{ id: 1, v: '7' }]);
  });
  it('answers the connect-time statements and session variables clients send', async () => {
    await connection.query("SET NAMES utf8mb4 COLLATE utf8mb4_general_ci");
    await connection.query('SET autocommit=1, SESSION sql_select_limit = DEFAULT');
    await connection.query("SET @@session.time_zone = '+00:00'");
    await connection.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
    const [rows] = await connection.query<RowDataPacket[]>('SELECT @@version AS v, @@version_comment, @@session.autocommit, @@max_allowed_packet, @@time_zone, DATABASE(), USER() LIMIT 1');
    expect(rows[0]).toEqual({ v: '8.0.11-TideDB-0.1.0', '@@version_comment': expect.stringContaining('TideDB'), '@@session.autocommit': 1, '@@max_allowed_packet': 4194304, '@@time_zone': '+00:00', 'DATABASE()': 'app', 'USER()': 'root@127.0.0.1' });
    const [variables] = await connection.query<RowDataPacket[]>("SHOW VARIABLES LIKE 'character_set_c%'");
    expect(variables).toEqual([{ Variable_name: 'character_set_client', Value: 'utf8mb4' }, { Variable_name: 'character_set_connection', Value: 'utf8mb4' }]);
    const [session] = await connection.query<RowDataPacket[]>("SHOW SESSION VARIABLES WHERE Variable_name = 'autocommit'");
    expect(session).toEqual([{ Variable_name: 'autocommit', Value: '1' }]);
    // The row-lock wait a repeatable-read statement gets, as InnoDB names it.
    const [lockWait] = await connection.query<RowDataPacket[]>('SELECT @@innodb_lock_wait_timeout AS seconds');
    expect(lockWait).toEqual([{ seconds: 50 }]);
  });

  it('lists the last statement\'s warnings and errors with SHOW WARNINGS', async () => {
    await connection.query('SET foreign_key_checks = 0');
    const [warnings] = await connection.query<RowDataPacket[]>('SHOW WARNINGS');
    expect(warnings).toEqual([{ Level: 'Warning', Code: 1105, Message: expect.stringContaining('foreign_key_checks') }]);
    await connection.query('SET foreign_key_checks = 1');
    await expect(connection.query('SELECT * FROM no_such_table')).rejects.toMatchObject({ errno: 1146 });
    const [errors] = await connection.query<RowDataPacket[]>('SHOW WARNINGS');
    expect(errors).toEqual([{ Level: 'Error', Code: 1146, Message: expect.stringContaining('no_such_table') }]);
    const [again] = await connection.query<RowDataPacket[]>('SHOW WARNINGS'); // as MySQL: reading them keeps them
    expect(again).toEqual(errors);
    await connection.query('SELECT 1');
    const [none] = await connection.query<RowDataPacket[]>('SHOW WARNINGS');
    expect(none).toEqual([]);
  });

  it('keeps the current database per connection: the handshake\'s, USE and COM_INIT_DB', async () => {
    await connection.query('CREATE DATABASE shop');
    await connection.query('USE shop');
    await connection.query('CREATE TABLE items (id INT PRIMARY KEY)');
    await connection.query('INSERT INTO items VALUES (7)');
    const other = await mysql.createConnection({ host: '127.0.0.1', port: node.port, user: 'root', database: 'shop' });
    const [rows] = await other.query<RowDataPacket[]>('SELECT id FROM items');
    expect(rows).toEqual([{ id: 7 }]);
    const [database] = await other.query<RowDataPacket[]>('SELECT DATABASE() AS db');
    expect(database).toEqual([{ db: 'shop' }]);
    await other.end();
    await expect(mysql.createConnection({ host: '127.0.0.1', port: node.port, user: 'root', database: 'nope' })).rejects.toMatchObject({ errno: 1049, sqlState: '42000' });
    await expect(connection.query('USE nope')).rejects.toMatchObject({ errno: 1049 });
    await connection.query('USE app');
  });

  it('answers COM_PING (COM_INIT_DB and COM_FIELD_LIST: raw-protocol.test.ts)', async () => {
    await connection.ping();
    const [rows] = await connection.query<RowDataPacket[]>('SELECT 1 AS one');
    expect(rows).toEqual([{ one: 1 }]);
  });

  it('answers errors with MySQL\'s numbers and SQLSTATEs, and the connection stays usable', async () => {
    await connection.query('CREATE TABLE uniq (id INT PRIMARY KEY, v INT NOT NULL)');
    await connection.query('INSERT INTO uniq VALUES (1, 1)');
    const cases: [string, number, string][] = [
      ['SELEC 1', 1064, '42000'],
      ['SELECT * FROM missing', 1146, '42S02'],
      ['INSERT INTO uniq VALUES (1, 2)', 1062, '23000'],
      ['INSERT INTO uniq VALUES (2, NULL)', 1048, '23000'],
      ['SELECT nope FROM uniq', 1054, '42S22'],
      ['CREATE TABLE uniq (id INT)', 1050, '42S01'],
      ['SET @@session.no_such_variable = 1', 1193, 'HY000'],
      ['SET @@version = 1', 1238, 'HY000'],
      ['ROLLBACK TO SAVEPOINT nowhere', 1305, '42000'],
      ['', 1065, '42000'],
    ];
    for (const [sql, errno, sqlState] of cases) await expect(connection.query(sql), sql).rejects.toMatchObject({ errno, sqlState });
    await connection.query('COMMIT');
    await connection.query('ROLLBACK');
    const [rows] = await connection.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM uniq');
    expect(rows).toEqual([{ n: 1 }]);
  });

  it('reports affected rows and the generated id of an INSERT, and LAST_INSERT_ID()', async () => {
    await connection.query('CREATE TABLE counters (id INT PRIMARY KEY AUTO_INCREMENT, v INT)');
    const [first] = await connection.query('INSERT INTO counters (v) VALUES (10), (20)');
    expect(first).toMatchObject({ affectedRows: 2, insertId: 1 });
    const [updated] = await connection.execute('UPDATE counters SET v = v + ? WHERE v > ?', [1, 0]);
    expect(updated).toMatchObject({ affectedRows: 2 });
    const [last] = await connection.query<RowDataPacket[]>('SELECT LAST_INSERT_ID() AS id');
    expect(last).toEqual([{ id: 1 }]);
  });
});
