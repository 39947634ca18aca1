// How a MySQL session's transaction ends when it does not end by COMMIT or ROLLBACK, and what
// the session says after: a transaction rolled back idle closes its connection (error 4031, as
// MySQL closes an idle one), so that no later statement of the client runs as if the earlier
// ones stood; and `SET autocommit = 1` whose commit fails on a conflict leaves autocommit on,
// as @@autocommit says, with nothing of the transaction written.
import mysql from 'mysql2/promise';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { startMysqlNode } from './mysql-node.js';
import type { MysqlNode } from './mysql-node.js';

const idleMs = 300;
let node: MysqlNode;
const connections: Connection[] = [];

beforeAll(async () => {
  node = await startMysqlNode({ port: 24240, transactions: { idleMs } });
  const setup = await connect();
  await setup.query('CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL)');
});

beforeEach(async () => {
  const setup = await connect();
  await setup.query('DELETE FROM t');
  await setup.query('INSERT INTO t VALUES (1, 0), (2, 0)');
});

afterAll(async () => {
  for (const connection of connections) await connection.end().catch(() => undefined);
  await node?.close();
});

async function connect(): Promise<Connection> {
  const connection = await mysql.createConnection({ host: '127.0.0.1', port: node.port, user: 'root' });
  connections.push(connection);
  return connection;
}

async function values(connection: Connection): Promise<unknown[][]> {
  const [rows] = await connection.query<RowDataPacket[][]>({ sql: 'SELECT id, v FROM t ORDER BY id', rowsAsArray: true });
  return rows;
}

it('closes the connection of a transaction rolled back idle, and nothing of it stays', async () => {
  const client = await connect();
  await client.query('BEGIN');
  await client.query('UPDATE t SET v = 1 WHERE id = 1');
  await new Promise((resolve) => setTimeout(resolve, idleMs * 3));
  await expect(client.query('UPDATE t SET v = 2 WHERE id = 2')).rejects.toMatchObject({ errno: 4031 });
  // The client cannot retry the statement on its own: the connection is gone.
  await expect(client.query('UPDATE t SET v = 2 WHERE id = 2')).rejects.toThrow();
  expect(await values(await connect())).toEqual([[1, 0], [2, 0]]);
});

it('leaves autocommit on after SET autocommit = 1 whose commit conflicted', async () => {
  const client = await connect();
  const other = await connect();
  await client.query('SET autocommit = 0');
  await client.query('UPDATE t SET v = 10 WHERE id = 2');
  await other.query('UPDATE t SET v = 20 WHERE id = 2');
  await expect(client.query('SET autocommit = 1')).rejects.toMatchObject({ errno: 1213 });
  const [[autocommit]] = await client.query<RowDataPacket[][]>({ sql: 'SELECT @@autocommit', rowsAsArray: true });
  expect(autocommit).toEqual([1]);
  // On indeed: the next statement commits at once, seen from another connection.
  await client.query('UPDATE t SET v = 30 WHERE id = 1');
  expect(await values(other)).toEqual([[1, 30], [2, 20]]);
});
