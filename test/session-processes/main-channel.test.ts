// A session process sends what it does not run itself to the main process over their IPC
// channel, not over the main process's HTTP port (main-channel.ts). Proved with a node whose
// HTTP connection bound is taken up by idle connections: a follower's way (HTTP to the leader)
// would be refused, and yet writes, DDL and their errors, and transactions with their
// AUTO_INCREMENT reservations and conflicts, work from the session process's connection, with
// the client's session: its database, its LAST_INSERT_ID(), its account's privileges.
import { connect as connectTcp } from 'node:net';
import type { Socket } from 'node:net';
import mysql from 'mysql2/promise';
import type { Connection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeProcess, freePort, sleep, temporaryDir } from '../system/node-process.js';

let node: NodeProcess;
let mysqlPort: number;
let dir: { path: string; remove: () => void };
const opened: Connection[] = [];
// The node's HTTP connection bound: this many held connections take it up.
const httpConnectionsMax = 2;
const keepAliveTimeoutMs = 200;

async function sessionConnections(): Promise<number> {
  const response = await node.fetch(`${node.url}/v1/status`);
  return ((await response.json()) as { session_processes: { ready: number; connections: number } }).session_processes.connections;
}

async function sessionReady(): Promise<boolean> {
  const response = await node.fetch(`${node.url}/v1/status`);
  return ((await response.json()) as { session_processes: { ready: number } }).session_processes.ready === 1;
}

async function waitFor(check: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function connectAs(user: string, password?: string): Promise<Connection> {
  const connection = await mysql.createConnection({ host: '127.0.0.1', port: mysqlPort, user, ...(password === undefined ? {} : { password }), database: 'app' });
  opened.push(connection);
  return connection;
}

// Connections to the node's HTTP port, held until released: the bound counts them. Every other
// connection is gone first (the node closes one idle past its short keep-alive timeout: this
// test's status requests, and any a session process would keep to the main process), so the
// held ones are all the bound allows, and they hold it: each stays open (the header timeouts
// are long), and one more is closed as soon as it is accepted.
async function takeUpHttp(): Promise<Socket[]> {
  await sleep(keepAliveTimeoutMs * 3);
  const sockets = await Promise.all(Array.from({ length: httpConnectionsMax }, () => new Promise<Socket>((resolve, reject) => {
    const socket = connectTcp(node.port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  })));
  const refused = await new Promise<boolean>((resolve) => {
    const probe = connectTcp(node.port, '127.0.0.1');
    probe.once('close', () => resolve(true));
    setTimeout(() => {
      probe.destroy();
      resolve(false);
    }, 1000);
  });
  expect(refused).toBe(true);
  expectHeld(sockets);
  return sockets;
}

// Two root connections in a row (one in each process), both at repeatable-read, and a table
// `name` (id, n) of rows `ids` with n = 0.
async function repeatableReadPair(name: string, ids: readonly number[]): Promise<readonly [Connection, Connection]> {
  const pair = [await connectAs('root'), await connectAs('root')] as const;
  for (const connection of pair) await connection.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
  await pair[0].query(`CREATE TABLE ${name} (id INT PRIMARY KEY, n INT NOT NULL)`);
  await pair[0].query(`INSERT INTO ${name} VALUES ${ids.map((id) => `(${id}, 0)`).join(', ')}`);
  return pair;
}

function expectHeld(sockets: readonly Socket[]): void {
  expect(sockets.map((socket) => socket.readyState)).toEqual(sockets.map(() => 'open'));
}

beforeAll(async () => {
  dir = temporaryDir('main-sql-channel');
  mysqlPort = await freePort();
  node = new NodeProcess(dir.path, await freePort(), ['--mysql-port', String(mysqlPort), '--session-processes', '1', '--session-http', 'false', '--connections-max', String(httpConnectionsMax), '--keep-alive-timeout-ms', String(keepAliveTimeoutMs), '--headers-timeout-ms', '60000', '--request-timeout-ms', '60000']);
  await node.start();
  await waitFor(sessionReady, 'the session process');
  const bare = await mysql.createConnection({ host: '127.0.0.1', port: mysqlPort, user: 'root' });
  await bare.query('CREATE DATABASE app');
  await bare.query('CREATE TABLE app.notes (id INT AUTO_INCREMENT PRIMARY KEY, body VARCHAR(8) NOT NULL)');
  await bare.query("CREATE USER 'reader'@'%' IDENTIFIED BY 'secret-1'");
  await bare.query("GRANT SELECT ON app.* TO 'reader'@'%'");
  await bare.end();
});

afterAll(async () => {
  for (const connection of opened) await connection.end().catch(() => undefined);
  await node?.stop();
  dir?.remove();
});

describe("a session process's statements reach the main process over the IPC channel", () => {
  it('writes, DDL, transactions and their errors, with the session, while the HTTP port takes no connection', async () => {
    // Two connections in a row: one in each process.
    const pair = [await connectAs('root'), await connectAs('root')];
    const readers = [await connectAs('reader', 'secret-1'), await connectAs('reader', 'secret-1')];
    await waitFor(async () => (await sessionConnections()) === 2, 'two connections in the session process');
    const held = await takeUpHttp();
    try {
      for (const [at, connection] of pair.entries()) {
        const [inserted] = await connection.query<ResultSetHeader>('INSERT INTO notes (body) VALUES (?)', [`n${at}`]);
        expect(inserted.affectedRows).toBe(1);
        // The session's LAST_INSERT_ID() is the id the write generated, read back here.
        expect((await connection.query<RowDataPacket[]>('SELECT LAST_INSERT_ID() AS id'))[0]).toEqual([{ id: inserted.insertId }]);
        expect((await connection.query<RowDataPacket[]>('SELECT body FROM notes WHERE id = ?', [inserted.insertId]))[0]).toEqual([{ body: `n${at}` }]);
        await expect(connection.query('INSERT INTO notes VALUES (?, ?)', [inserted.insertId, 'again'])).rejects.toMatchObject({ errno: 1062 });
        await connection.query(`CREATE TABLE t${at} (id INT PRIMARY KEY)`);
        await connection.query(`INSERT INTO t${at} VALUES (1)`);
        expect((await connection.query<RowDataPacket[]>(`SELECT COUNT(*) AS c FROM t${at}`))[0]).toEqual([{ c: 1 }]);
        // A transaction: its ids reserved, its commit validated and proposed by the main process.
        await connection.beginTransaction();
        const [reserved] = await connection.query<ResultSetHeader>('INSERT INTO notes (body) VALUES (?)', [`tx${at}`]);
        await connection.commit();
        expect((await connection.query<RowDataPacket[]>('SELECT body FROM notes WHERE id = ?', [reserved.insertId]))[0]).toEqual([{ body: `tx${at}` }]);
      }
      // Two transactions that write one row: the second to commit conflicts, whichever process
      // serves it, and changes nothing.
      const [first, second] = pair as [Connection, Connection];
      await first.beginTransaction();
      await second.beginTransaction();
      await first.query("UPDATE notes SET body = 'first' WHERE body = 'n0'");
      await second.query("UPDATE notes SET body = 'second' WHERE body = 'n0'");
      await first.commit();
      await expect(second.commit()).rejects.toMatchObject({ errno: 1213 });
      expect((await second.query<RowDataPacket[]>("SELECT COUNT(*) AS c FROM notes WHERE body = 'first'"))[0]).toEqual([{ c: 1 }]);
      // The account travels with the statement: the main process refuses what it may not do.
      for (const reader of readers) await expect(reader.query('DELETE FROM notes')).rejects.toMatchObject({ errno: 1142 });
      expect((await pair[0]!.query<RowDataPacket[]>('SELECT COUNT(*) AS c FROM notes'))[0]).toEqual([{ c: 4 }]);
      expectHeld(held);
    } finally {
      for (const socket of held) socket.destroy();
    }
  });

  it("reads the newest committed rows in a repeatable-read transaction's UPDATE, in either process", async () => {
    const pair = await repeatableReadPair('counters', [1]);
    await waitFor(async () => (await sessionConnections()) >= 1, 'a connection in the session process');
    for (const [at, connection] of pair.entries()) {
      const other = pair[1 - at]!;
      await connection.beginTransaction();
      const [[before]] = (await connection.query<RowDataPacket[]>('SELECT n FROM counters WHERE id = 1')) as unknown as [[{ n: number }]];
      await other.query('UPDATE counters SET n = n + 10 WHERE id = 1');
      await connection.query('UPDATE counters SET n = n + 1 WHERE id = 1');
      // Built on the other process's commit, not on the snapshot's row.
      expect((await connection.query<RowDataPacket[]>('SELECT n FROM counters WHERE id = 1'))[0]).toEqual([{ n: before.n + 11 }]);
      await connection.commit();
      expect((await other.query<RowDataPacket[]>('SELECT n FROM counters WHERE id = 1'))[0]).toEqual([{ n: before.n + 11 }]);
      // A commit after the UPDATE read the row is a lost update: refused.
      await connection.beginTransaction();
      await connection.query('UPDATE counters SET n = n + 1 WHERE id = 1');
      await other.query('UPDATE counters SET n = 100 WHERE id = 1');
      await expect(connection.commit()).rejects.toMatchObject({ errno: 1213 });
      await connection.query('ROLLBACK').catch(() => undefined);
      await other.query('UPDATE counters SET n = 0 WHERE id = 1');
    }
  });

  it('fails a row-lock wait past the session\'s innodb_lock_wait_timeout with 1205, and keeps the transaction open', async () => {
    const pair = await repeatableReadPair('waits', [1, 2]);
    for (const [at, holder] of pair.entries()) {
      const waiter = pair[1 - at]!;
      await expect(waiter.query('SET innodb_lock_wait_timeout = 0')).rejects.toMatchObject({ errno: 1231 });
      await waiter.query('SET innodb_lock_wait_timeout = DEFAULT');
      expect((await waiter.query<RowDataPacket[]>('SELECT @@innodb_lock_wait_timeout AS s'))[0]).toEqual([{ s: 50 }]);
      await waiter.query('SET SESSION innodb_lock_wait_timeout = 1');
      expect((await waiter.query<RowDataPacket[]>('SELECT @@innodb_lock_wait_timeout AS s'))[0]).toEqual([{ s: 1 }]);
      await holder.beginTransaction();
      await holder.query('UPDATE waits SET n = n + 1 WHERE id = 1');
      await waiter.beginTransaction();
      await waiter.query('UPDATE waits SET n = n + 1 WHERE id = 2');
      const started = Date.now();
      await expect(waiter.query('UPDATE waits SET n = n + 1 WHERE id = 1')).rejects.toMatchObject({ errno: 1205, sqlState: 'HY000' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      // Only the statement was undone: the transaction commits what it did before.
      await waiter.commit();
      await holder.commit();
      expect((await holder.query<RowDataPacket[]>('SELECT n FROM waits ORDER BY id'))[0]).toEqual([{ n: at + 1 }, { n: at + 1 }]);
    }
    // The main process keeps every lock of both processes, and counts their waits' ends.
    const status = (await (await node.fetch(`${node.url}/v1/status`)).json()) as { row_locks: Record<string, number> };
    expect(status.row_locks).toEqual({ held: 0, waiting: 0, deadlocks: 0, lock_wait_timeouts: 2 });
  });

  it("makes a repeatable-read transaction wait for a row another process's transaction holds", async () => {
    const pair = await repeatableReadPair('hot', [1]);
    for (const [at, holder] of pair.entries()) {
      const waiter = pair[1 - at]!;
      for (const connection of pair) await connection.beginTransaction();
      await holder.query('UPDATE hot SET n = n + 1 WHERE id = 1');
      let waited = true;
      const waiting = waiter.query('UPDATE hot SET n = n + 1 WHERE id = 1').then(() => (waited = false));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(waited).toBe(true);
      await holder.commit();
      await waiting;
      await waiter.commit();
      expect((await holder.query<RowDataPacket[]>('SELECT n FROM hot WHERE id = 1'))[0]).toEqual([{ n: 2 * (at + 1) }]);
    }
  });
});
