// What mysql2 reads back where a differential run against MariaDB found it differed: columns
// whose values are of different classes, integers past 2^63 - 1, non-UTF-8 string parameters,
// CLIENT_FOUND_ROWS counts, too many placeholders and the OK packet's insert id. Each expected
// answer is MariaDB 10.11's, read through mysql2 with the same statements.
import mysql from 'mysql2/promise';
import type { Connection, ExecuteValues, FieldPacket, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMysqlNode } from './mysql-node.js';
import type { MysqlNode } from './mysql-node.js';

let node: MysqlNode;
let connection: Connection;
// Asks for changed rather than found rows, as clients that clear CLIENT_FOUND_ROWS do.
let changedRowsConnection: Connection;

beforeAll(async () => {
  node = await startMysqlNode({ port: 24230 });
  const options = { host: '127.0.0.1', port: node.port, user: 'root', supportBigNumbers: true, bigNumberStrings: true, dateStrings: false, timezone: 'Z' } as const;
  connection = await mysql.createConnection(options);
  changedRowsConnection = await mysql.createConnection({ ...options, flags: ['-FOUND_ROWS'] });
  await connection.query('CREATE TABLE mixed (id INT PRIMARY KEY, d DATE, dt DATETIME(3), price DECIMAL(5,2), raw VARBINARY(8))');
  await connection.query("INSERT INTO mixed VALUES (2, '1000-01-01', '2024-02-29 10:20:30.5', 2.5, X'FF00'), (3, '2024-03-01', '9999-12-31 23:59:59', 7.25, X'41')");
  await connection.query('CREATE TABLE bytes (id INT PRIMARY KEY, bin VARBINARY(8), txt VARCHAR(8))');
  await connection.query('CREATE TABLE counted (id INT AUTO_INCREMENT PRIMARY KEY, u VARCHAR(5) UNIQUE, v INT)');
});

afterAll(async () => {
  await connection?.end();
  await changedRowsConnection?.end();
  await node?.close();
});

type Mode = 'query' | 'execute';
const modes: readonly Mode[] = ['query', 'execute'];

async function arrays(mode: Mode, sql: string, params: ExecuteValues[] = []): Promise<{ rows: unknown[][]; fields: FieldPacket[] }> {
  const options = { sql, rowsAsArray: true };
  const [rows, fields] = mode === 'query' ? await connection.query<RowDataPacket[][]>(options, params) : await connection.execute<RowDataPacket[][]>(options, params);
  return { rows, fields };
}

async function header(target: Connection, mode: Mode, sql: string, params: ExecuteValues[] = []): Promise<ResultSetHeader> {
  const [result] = mode === 'query' ? await target.query<ResultSetHeader>(sql, params) : await target.execute<ResultSetHeader>(sql, params);
  return result;
}

describe('a column whose values are of different classes', () => {
  for (const mode of modes) {
    it(`is text when a number meets a string (${mode})`, async () => {
      const union = await arrays(mode, "SELECT 1 AS v UNION ALL SELECT 'abc'");
      expect(union.rows).toEqual([['1'], ['abc']]);
      expect(union.fields[0]!.columnType).toBe(mysql.Types.VAR_STRING);
      // The column after it still decodes: a mis-sized value would shift it in the binary protocol.
      const arms = await arrays(mode, "SELECT id, IF(id = 2, 5, 'five') AS v, id AS w FROM mixed ORDER BY id");
      expect(arms.rows).toEqual([[2, '5', 2], [3, 'five', 3]]);
    });

    it(`is a DOUBLE when an integer meets a double, never truncated (${mode})`, async () => {
      const union = await arrays(mode, 'SELECT 1 AS v UNION ALL SELECT 2.5e0');
      expect(union.rows).toEqual([[1], [2.5]]);
      expect(union.fields[0]!.columnType).toBe(mysql.Types.DOUBLE);
    });

    it(`is a DECIMAL at the largest scale when an integer meets a decimal (${mode})`, async () => {
      const arms = await arrays(mode, 'SELECT IF(id = 2, id, price) AS v FROM mixed ORDER BY id');
      expect(arms.rows).toEqual([['2.00'], ['7.25']]);
      expect(arms.fields[0]).toMatchObject({ columnType: mysql.Types.NEWDECIMAL, decimals: 2 });
    });

    it(`is a DATETIME when a DATE meets a DATETIME (${mode})`, async () => {
      const arms = await arrays(mode, 'SELECT CASE WHEN id = 2 THEN d ELSE dt END AS v FROM mixed ORDER BY id');
      expect(arms.rows).toEqual([[new Date('1000-01-01T00:00:00Z')], [new Date('9999-12-31T23:59:59Z')]]);
      expect(arms.fields[0]).toMatchObject({ columnType: mysql.Types.DATETIME, decimals: 3 });
    });
  }
});

describe('integers past the signed 64-bit range', () => {
  for (const mode of modes) {
    it(`are announced UNSIGNED, or as a DECIMAL beside negative values (${mode})`, async () => {
      const max = await arrays(mode, 'SELECT 18446744073709551615 AS v');
      expect(max.rows).toEqual([['18446744073709551615']]);
      expect(Number(max.fields[0]!.flags) & 32).toBe(32); // UNSIGNED
      const both = await arrays(mode, 'SELECT -1 AS v UNION ALL SELECT 18446744073709551615');
      expect(both.rows).toEqual([['-1'], ['18446744073709551615']]);
      expect(both.fields[0]!.columnType).toBe(mysql.Types.NEWDECIMAL);
    });
  }

  it('come back from an unsigned LONGLONG parameter as given', async () => {
    const echoed = await arrays('execute', 'SELECT ? AS v', [mysql.TypedParameter.LONGLONG.unsigned(18446744073709551615n)]);
    expect(echoed.rows).toEqual([['18446744073709551615']]);
  });
});

describe('a string-typed parameter whose bytes are not UTF-8', () => {
  it('is stored as those bytes in a binary column', async () => {
    // mysql2 sends a Uint8Array that is not a Buffer as VAR_STRING.
    await header(connection, 'execute', 'INSERT INTO bytes (id, bin) VALUES (?, ?)', [1, new Uint8Array([0xff, 0x00, 0x41])]);
    await header(connection, 'execute', 'INSERT INTO bytes (id, bin) VALUES (?, ?)', [2, mysql.TypedParameter.VAR_STRING(Buffer.from([0xfe, 0x41]))]);
    const stored = await arrays('query', 'SELECT bin FROM bytes WHERE id IN (1, 2) ORDER BY id');
    expect(stored.rows).toEqual([[Buffer.from([0xff, 0x00, 0x41])], [Buffer.from([0xfe, 0x41])]]);
  });

  it('is refused by a text column with 1366', async () => {
    await expect(header(connection, 'execute', 'INSERT INTO bytes (id, txt) VALUES (?, ?)', [3, new Uint8Array([0xff, 0x41])])).rejects.toMatchObject({ errno: 1366 });
    await header(connection, 'execute', 'INSERT INTO bytes (id, txt) VALUES (?, ?)', [4, new Uint8Array([0x68, 0xc3, 0xa9])]);
    expect((await arrays('query', 'SELECT txt FROM bytes WHERE id = 4')).rows).toEqual([['hé']]);
  });
});

describe('the rows an UPDATE or upsert counts', () => {
  it('are the rows found when the client asks for CLIENT_FOUND_ROWS, with the Rows matched info', async () => {
    await connection.query("INSERT INTO counted (u, v) VALUES ('a', 1), ('b', 1)");
    const unchanged = await header(connection, 'query', 'UPDATE counted SET v = v WHERE id <= 2');
    expect(unchanged).toMatchObject({ affectedRows: 2, changedRows: 0, info: 'Rows matched: 2  Changed: 0  Warnings: 0' });
    const partly = await header(connection, 'execute', 'UPDATE counted SET v = ? WHERE id <= ?', [1, 3]);
    expect(partly).toMatchObject({ affectedRows: 2, changedRows: 0 });
    const changed = await header(connection, 'execute', 'UPDATE counted SET v = ? WHERE id = ?', [5, 1]);
    expect(changed).toMatchObject({ affectedRows: 1, changedRows: 1, info: 'Rows matched: 1  Changed: 1  Warnings: 0' });
    const upsert = await header(connection, 'query', "INSERT INTO counted (u, v) VALUES ('b', 1) ON DUPLICATE KEY UPDATE v = 1");
    expect(upsert).toMatchObject({ affectedRows: 1, insertId: 0 });
  });

  it('are the rows changed for a client that does not', async () => {
    const unchanged = await header(changedRowsConnection, 'query', 'UPDATE counted SET v = v WHERE id <= 2');
    expect(unchanged).toMatchObject({ affectedRows: 0, changedRows: 0, info: 'Rows matched: 2  Changed: 0  Warnings: 0' });
    const upsert = await header(changedRowsConnection, 'query', "INSERT INTO counted (u, v) VALUES ('b', 1) ON DUPLICATE KEY UPDATE v = 1");
    expect(upsert).toMatchObject({ affectedRows: 0, insertId: 0 });
  });
});

describe('the OK packet of an INSERT that sets the AUTO_INCREMENT column itself', () => {
  it('carries the value stored, while LAST_INSERT_ID() stays the last generated one', async () => {
    const generated = await header(connection, 'query', "INSERT INTO counted (u, v) VALUES ('c', 1)");
    expect(generated.insertId).toBeGreaterThan(2);
    expect(await header(connection, 'query', "INSERT INTO counted (id, u, v) VALUES (100, 'd', 5)")).toMatchObject({ insertId: 100 });
    expect(await header(connection, 'execute', 'INSERT INTO counted (id, u, v) VALUES (?, ?, ?), (?, ?, ?)', [200, 'e', 1, 201, 'f', 1])).toMatchObject({ insertId: 201 });
    expect(await header(connection, 'query', "REPLACE INTO counted (id, u, v) VALUES (1, 'a', 9)")).toMatchObject({ affectedRows: 2, insertId: 1 });
    expect((await arrays('query', 'SELECT LAST_INSERT_ID()')).rows).toEqual([[String(generated.insertId)]]);
  });
});

describe('a statement with more placeholders than the protocol or the node takes', () => {
  it('is refused at prepare with 1390, and the connection goes on', async () => {
    const many = (count: number): string => `SELECT ${Array.from({ length: count }, () => '?').join('+')}`;
    await expect(connection.prepare(many(70_000))).rejects.toMatchObject({ errno: 1390 });
    await expect(connection.prepare(many(10_001))).rejects.toMatchObject({ errno: 1390 });
    expect((await arrays('execute', 'SELECT ? AS v', ['after'])).rows).toEqual([['after']]);
  });
});
