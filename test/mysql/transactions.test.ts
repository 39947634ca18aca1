// Interactive transactions over the MySQL port, as an application's data layer uses them: mysql2's
// beginTransaction/commit/rollback and autocommit off, and PyMySQL (Debian's, run by
// /usr/bin/python3) with autocommit(False), begin(), statements, commit() and rollback(). A
// transaction sees its own writes and no one else sees them before COMMIT; ROLLBACK, a
// disconnect and a conflict (1213) leave nothing behind; SERVER_STATUS_IN_TRANS follows.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import type { Connection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMysqlNode } from './mysql-node.js';
import type { MysqlNode } from './mysql-node.js';

const run = promisify(execFile);
let node: MysqlNode;
const connections: Connection[] = [];

beforeAll(async () => {
  node = await startMysqlNode({ port: 24060 });
  // The node's default database exists once something is in it; clients name it at connect.
  const bare = await mysql.createConnection({ host: '127.0.0.1', port: node.port, user: 'root' });
  await bare.query('CREATE DATABASE IF NOT EXISTS app');
  await bare.end();
  const setup = await connect();
  await setup.query('CREATE TABLE accounts (id INT PRIMARY KEY, balance INT NOT NULL)');
  await setup.query('INSERT INTO accounts VALUES (1, 100), (2, 100), (3, 100)');
});

afterAll(async () => {
  for (const connection of connections) await connection.end().catch(() => undefined);
  await node?.close();
});

async function connect(): Promise<Connection> {
  const connection = await mysql.createConnection({ host: '127.0.0.1', port: node.port, user: 'root', database: 'app' });
  connections.push(connection);
  return connection;
}

async function balance(connection: Connection, id: number): Promise<number> {
  const [rows] = await connection.query<RowDataPacket[]>('SELECT balance FROM accounts WHERE id = ?', [id]);
  return rows[0]!['balance'] as number;
}

// SERVER_STATUS_IN_TRANS of a statement's OK packet.
async function inTransactionAfter(connection: Connection, sql: string): Promise<boolean> {
  const [result] = await connection.query<ResultSetHeader>(sql);
  return (result.serverStatus & 1) !== 0;
}

describe('mysql2 transactions', () => {
  it('keeps writes to the transaction until COMMIT, and drops them at ROLLBACK', async () => {
    const [writer, reader] = [await connect(), await connect()];
    await writer.beginTransaction();
    await writer.query('UPDATE accounts SET balance = balance - 30 WHERE id = 1');
    expect(await inTransactionAfter(writer, 'UPDATE accounts SET balance = balance + 30 WHERE id = 2')).toBe(true);
    expect([await balance(writer, 1), await balance(writer, 2)]).toEqual([70, 130]);
    expect([await balance(reader, 1), await balance(reader, 2)]).toEqual([100, 100]);
    expect(await inTransactionAfter(writer, 'COMMIT')).toBe(false);
    expect([await balance(reader, 1), await balance(reader, 2)]).toEqual([70, 130]);

    await writer.beginTransaction();
    await writer.query('UPDATE accounts SET balance = 0 WHERE id = 3');
    expect(await balance(writer, 3)).toBe(0);
    await writer.rollback();
    expect(await balance(reader, 3)).toBe(100);
  });

  it('runs every statement in a transaction with autocommit off, savepoints included', async () => {
    const [writer, reader] = [await connect(), await connect()];
    await writer.query('SET autocommit = 0');
    await writer.query('UPDATE accounts SET balance = balance + 1 WHERE id = 3');
    await writer.query('SAVEPOINT before_second');
    await writer.query('UPDATE accounts SET balance = balance + 10 WHERE id = 3');
    await writer.query('ROLLBACK TO SAVEPOINT before_second');
    expect(await balance(writer, 3)).toBe(101);
    expect(await balance(reader, 3)).toBe(100);
    await writer.query('COMMIT');
    expect(await balance(reader, 3)).toBe(101);
    // The next statement begins the next transaction; SET autocommit = 1 commits it.
    await writer.query('UPDATE accounts SET balance = balance - 1 WHERE id = 3');
    expect(await balance(reader, 3)).toBe(101);
    await writer.query('SET autocommit = 1');
    expect(await balance(reader, 3)).toBe(100);
  });

  it('answers a conflicting COMMIT with 1213 and changes nothing, and rolls back on disconnect', async () => {
    const [first, second, reader] = [await connect(), await connect(), await connect()];
    await first.beginTransaction();
    await second.beginTransaction();
    expect(await balance(first, 1)).toBe(70);
    expect(await balance(second, 1)).toBe(70);
    await first.query('UPDATE accounts SET balance = 60 WHERE id = 1');
    await second.query('UPDATE accounts SET balance = 50 WHERE id = 1');
    await first.commit();
    await expect(second.commit()).rejects.toMatchObject({ errno: 1213, sqlState: '40001' });
    expect(await balance(reader, 1)).toBe(60);

    const leaving = await connect();
    await leaving.beginTransaction();
    await leaving.query('UPDATE accounts SET balance = 1 WHERE id = 2');
    await leaving.end();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await balance(reader, 2)).toBe(130);
    expect(node.node.transactions.openCount()).toBe(0);
  });
});

// PyMySQL's default is autocommit off: every statement is in a transaction until commit().
const pymysqlScript = `
import json, sys, pymysql
port = int(sys.argv[1])
def connect():
    return pymysql.connect(host='127.0.0.1', port=port, user='root', password='', database='app')
writer, reader = connect(), connect()
reader.autocommit(True)
def balance(connection, id):
    with connection.cursor() as cursor:
        cursor.execute('SELECT balance FROM accounts WHERE id = %s', (id,))
        return cursor.fetchone()[0]
seen = {}
writer.autocommit(False)
writer.begin()
with writer.cursor() as cursor:
    cursor.execute('UPDATE accounts SET balance = balance + %s WHERE id = %s', (5, 2))
    cursor.execute('INSERT INTO accounts VALUES (%s, %s)', (9, 9))
seen['own'] = [balance(writer, 2), balance(writer, 9)]
seen['others_before'] = [balance(reader, 2)]
writer.commit()
seen['others_after'] = [balance(reader, 2), balance(reader, 9)]
writer.begin()
with writer.cursor() as cursor:
    cursor.execute('DELETE FROM accounts WHERE id = %s', (9,))
writer.rollback()
seen['after_rollback'] = balance(reader, 9)
print(json.dumps(seen))
`;

describe('PyMySQL transactions', () => {
  it('commits and rolls back as an application data layer does, with autocommit off', async () => {
    const { stdout } = await run('/usr/bin/python3', ['-c', pymysqlScript, String(node.port)]);
    const seen = JSON.parse(stdout) as Record<string, unknown>;
    const before = seen['others_before'] as number[];
    expect(seen['own']).toEqual([before[0]! + 5, 9]);
    expect(seen['others_after']).toEqual([before[0]! + 5, 9]);
    expect(seen['after_rollback']).toBe(9);
  });
});

describe('isolation levels of a MySQL session', () => {
  async function levels(connection: Connection): Promise<unknown[]> {
    const [rows] = await connection.query<RowDataPacket[]>('SELECT @@transaction_isolation AS a, @@tx_isolation AS b');
    return [rows[0]!['a'], rows[0]!['b']];
  }

  async function errnoOf(work: Promise<unknown>): Promise<number | null> {
    try {
      await work;
      return null;
    } catch (error) {
      return (error as { errno?: number }).errno ?? -1;
    }
  }

  // Two sessions each read how many are on call and take one off: a write skew, allowed at
  // REPEATABLE READ and refused (1213) at SERIALIZABLE. Resolves to the second COMMIT's errno.
  async function skew(first: Connection, second: Connection): Promise<number | null> {
    await first.query('UPDATE oncall SET on_call = 1');
    for (const [connection, id] of [[first, 1], [second, 2]] as const) {
      await connection.query('BEGIN');
      await connection.query('SELECT COUNT(*) FROM oncall WHERE on_call = 1');
      await connection.query('UPDATE oncall SET on_call = 0 WHERE id = ?', [id]);
    }
    await first.query('COMMIT');
    return errnoOf(second.query('COMMIT'));
  }

  it('reads and sets the level by both names, refuses what MySQL refuses, and runs each transaction at its level', async () => {
    const first = await connect();
    const second = await connect();
    await first.query('CREATE TABLE oncall (id INT PRIMARY KEY, on_call INT NOT NULL)');
    await first.query('INSERT INTO oncall VALUES (1, 1), (2, 1)');
    // The node's default (--transaction-isolation): serializable.
    expect(await levels(second)).toEqual(['SERIALIZABLE', 'SERIALIZABLE']);
    expect(await skew(first, second)).toBe(1213);

    await second.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    expect(await levels(second)).toEqual(['REPEATABLE-READ', 'REPEATABLE-READ']);
    await first.query("SET transaction_isolation = 'REPEATABLE-READ'");
    expect(await skew(first, second)).toBeNull();

    // SET TRANSACTION without SESSION: the next transaction only.
    await second.query('SET TRANSACTION ISOLATION LEVEL SERIALIZABLE');
    expect(await skew(first, second)).toBe(1213);
    expect(await levels(second)).toEqual(['REPEATABLE-READ', 'REPEATABLE-READ']);
    expect(await skew(first, second)).toBeNull();

    // READ COMMITTED is kept as set, and runs at REPEATABLE READ (at least as strong).
    await second.query("SET @@session.tx_isolation = 'read-committed'");
    expect(await levels(second)).toEqual(['READ-COMMITTED', 'READ-COMMITTED']);
    expect(await skew(first, second)).toBeNull();

    expect(await errnoOf(second.query("SET transaction_isolation = 'SNAPSHOT'"))).toBe(1231);
    expect(await errnoOf(second.query('SET GLOBAL TRANSACTION ISOLATION LEVEL SERIALIZABLE'))).toBe(1227);
    await second.query('BEGIN');
    expect(await errnoOf(second.query('SET TRANSACTION ISOLATION LEVEL SERIALIZABLE'))).toBe(1568);
    await second.query('ROLLBACK');
    expect(await levels(second)).toEqual(['READ-COMMITTED', 'READ-COMMITTED']);
  });
});

describe('LAST_INSERT_ID() in a MySQL transaction', () => {
  it('gives a child row the id its parent got earlier in the transaction', async () => {
    const connection = await connect();
    await connection.query('CREATE TABLE folders (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(10))');
    await connection.query('CREATE TABLE files (id INT AUTO_INCREMENT PRIMARY KEY, folder_id INT, name VARCHAR(10))');
    await connection.query("INSERT INTO folders (name) VALUES ('root')");
    await connection.beginTransaction();
    const [folder] = await connection.query<ResultSetHeader>("INSERT INTO folders (name) VALUES ('docs')");
    await connection.execute("INSERT INTO files (folder_id, name) VALUES (LAST_INSERT_ID(), 'a.txt')");
    await connection.commit();
    const [rows] = await connection.query<RowDataPacket[]>("SELECT folder_id FROM files WHERE name = 'a.txt'");
    expect(folder.insertId).toBe(2);
    expect(rows[0]!['folder_id']).toBe(2);
  });

  it('carries the session\'s id to the next autocommit statement, and answers 0 before any, as MySQL', async () => {
    const connection = await connect();
    await connection.query('CREATE TABLE albums (id INT AUTO_INCREMENT PRIMARY KEY, title VARCHAR(10))');
    await connection.query('CREATE TABLE tracks (id INT AUTO_INCREMENT PRIMARY KEY, album_id BIGINT, title VARCHAR(10))');
    await connection.query("INSERT INTO tracks (album_id, title) VALUES (LAST_INSERT_ID(), 'none')");
    await connection.query("INSERT INTO albums (title) VALUES ('one'), ('two')");
    await connection.execute("INSERT INTO tracks (album_id, title) VALUES (LAST_INSERT_ID(), 'first')");
    const [rows] = await connection.query<RowDataPacket[]>('SELECT title, album_id FROM tracks ORDER BY id');
    expect(rows.map((row) => [row['title'], Number(row['album_id'])])).toEqual([['none', 0], ['first', 1]]);
  });
});
