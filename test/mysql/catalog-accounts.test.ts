// Accounts made by SQL log in over the MySQL port: a user created IDENTIFIED WITH
// caching_sha2_password connects through mysql2 over TLS and without it (the RSA key exchange),
// one IDENTIFIED WITH mysql_native_password by its scramble, a wrong password gets 1045, and a
// logged-in session runs with its own account's privileges. The accounts live in the node's
// replicated catalog (users/account-directory.ts), not in the test.
import mysql from 'mysql2/promise';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate, startMysqlNode } from './mysql-node.js';
import type { MysqlNode } from './mysql-node.js';

const certificate = selfSignedCertificate();
let node: MysqlNode;

beforeAll(async () => {
  node = await startMysqlNode({ port: 24210, tls: certificate });
  // Root is the loopback client of a node without a root password.
  const root = await mysql.createConnection({ host: '127.0.0.1', port: node.port, user: 'root' });
  for (const sql of [
    'CREATE DATABASE app',
    'CREATE TABLE app.notes (id INT PRIMARY KEY, body VARCHAR(20))',
    "INSERT INTO app.notes VALUES (1, 'hello')",
    "CREATE USER 'sha'@'%' IDENTIFIED WITH caching_sha2_password BY 'sha-secret-1'",
    "CREATE USER 'old'@'%' IDENTIFIED WITH mysql_native_password BY 'old-secret-1'",
    "GRANT SELECT ON app.notes TO 'sha'@'%'",
    "GRANT SELECT ON app.notes TO 'old'@'%'",
  ]) await root.query(sql);
  await root.end();
});

afterAll(async () => node?.close());

async function connect(user: string, password: string, tls: boolean): Promise<Connection> {
  return mysql.createConnection({ host: '127.0.0.1', port: node.port, user, password, database: 'app', ...(tls ? { ssl: { ca: certificate.cert.toString() } } : {}) });
}

function encrypted(connection: Connection): boolean {
  return (connection as unknown as { connection: { stream: { encrypted?: boolean } } }).connection.stream.encrypted === true;
}

describe('accounts of the catalog over the MySQL port', () => {
  it('logs a caching_sha2_password user in over TLS and over plain TCP by RSA, with its own privileges', async () => {
    await expect(connect('sha', 'wrong', false)).rejects.toMatchObject({ errno: 1045 });
    for (const tls of [true, false]) {
      const connection = await connect('sha', 'sha-secret-1', tls);
      expect(encrypted(connection)).toBe(tls);
      const [who] = await connection.query<RowDataPacket[]>('SELECT CURRENT_USER() AS account');
      expect(who).toEqual([{ account: 'sha@%' }]);
      const [rows] = await connection.query<RowDataPacket[]>('SELECT body FROM notes');
      expect(rows).toEqual([{ body: 'hello' }]);
      await expect(connection.query("INSERT INTO notes VALUES (2, 'no')")).rejects.toMatchObject({ errno: 1142 });
      await connection.end();
    }
  });

  it('logs a mysql_native_password user in by its scramble and refuses a wrong password', async () => {
    await expect(connect('old', 'old-secret-2', false)).rejects.toMatchObject({ errno: 1045, sqlState: '28000' });
    const connection = await connect('old', 'old-secret-1', false);
    const [rows] = await connection.execute<RowDataPacket[]>('SELECT body FROM notes WHERE id = ?', [1]);
    expect(rows).toEqual([{ body: 'hello' }]);
    await connection.end();
  });
});
