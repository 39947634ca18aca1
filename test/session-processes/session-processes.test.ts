// A node with a session process (--session-processes 1): MySQL connections are split between
// the node's main process and the session process, which reads the same LMDB files and sends
// its writes to the main process. Proved with real processes and mysql2 connections: a write
// answered on one connection is seen at once by a read on any other, whichever process serves
// either (DDL too); transactions commit and conflict across processes; named locks exclude
// across processes; a session process killed with SIGKILL is started again while the node
// keeps serving; stopping the node, or killing it, ends its session processes.
import { execFileSync } from 'node:child_process';
import { authPlugins } from 'mysql2';
import mysql from 'mysql2/promise';
import type { Connection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginFailuresMax } from '../../services/base/limits.js';
import { NodeProcess, freePort, sleep, temporaryDir } from '../system/node-process.js';

let node: NodeProcess;
const connectionsMax = 24;
let mysqlPort: number;
let dir: { path: string; remove: () => void };
const opened: Connection[] = [];

interface SessionStatus {
  readonly processes: number;
  readonly ready: number;
  readonly connections: number;
}

async function sessionStatus(): Promise<SessionStatus> {
  const response = await node.fetch(`${node.url}/v1/status`);
  return ((await response.json()) as { session_processes: SessionStatus }).session_processes;
}

async function waitFor(check: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function connect(): Promise<Connection> {
  const connection = await mysql.createConnection({ host: '127.0.0.1', port: mysqlPort, user: 'root', database: 'app' });
  opened.push(connection);
  return connection;
}

// Two connections served by different processes: connections are dealt round robin over the
// main process and the (ready) session process, so two in a row go one to each.
async function connectionPair(): Promise<[Connection, Connection]> {
  return [await connect(), await connect()];
}

async function rows(connection: Connection, sql: string, params: unknown[] = []): Promise<RowDataPacket[]> {
  const [result] = await connection.query<RowDataPacket[]>(sql, params);
  return result;
}

function sessionProcessPids(): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(node.pid)], { encoding: 'utf8' }).split('\n').filter((line) => line !== '').map(Number);
  } catch {
    return [];
  }
}

beforeAll(async () => {
  dir = temporaryDir('session-processes');
  mysqlPort = await freePort();
  node = new NodeProcess(dir.path, await freePort(), ['--mysql-port', String(mysqlPort), '--session-processes', '1', '--mysql-connections-max', String(connectionsMax)]);
  await node.start();
  await waitFor(async () => (await sessionStatus()).ready === 1, 'the session process');
  const bare = await mysql.createConnection({ host: '127.0.0.1', port: mysqlPort, user: 'root' });
  await bare.query('CREATE DATABASE app');
  await bare.end();
});

afterAll(async () => {
  for (const connection of opened) await connection.end().catch(() => undefined);
  await node?.stop();
  dir?.remove();
});

describe('session processes', () => {
  it('deal connections to both processes, and a write answered on either is read at once on the other', async () => {
    const [main, session] = await connectionPair();
    // The session process serves one of the two (the connection of beforeAll has closed).
    await waitFor(async () => (await sessionStatus()).connections === 1, 'one connection in the session process');
    await main.query('CREATE TABLE counters (id INT PRIMARY KEY, n INT NOT NULL)');
    // The table the main process just created is known to the session process's next statement.
    expect(await rows(session, 'SELECT COUNT(*) AS c FROM counters')).toEqual([{ c: 0 }]);
    await session.query('INSERT INTO counters VALUES (1, 0)');
    for (let round = 1; round <= 50; round++) {
      const [writer, reader] = round % 2 === 0 ? [main, session] : [session, main];
      await writer.execute('UPDATE counters SET n = ? WHERE id = 1', [round]);
      expect(await rows(reader, 'SELECT n FROM counters WHERE id = 1')).toEqual([{ n: round }]);
    }
    await main.query('ALTER TABLE counters ADD COLUMN label VARCHAR(10) DEFAULT \'x\'');
    expect(await rows(session, 'SELECT id, n, label FROM counters')).toEqual([{ id: 1, n: 50, label: 'x' }]);
    const prepared = await session.execute<RowDataPacket[]>('SELECT label FROM counters WHERE id = ?', [1]);
    expect(prepared[0]).toEqual([{ label: 'x' }]);
  });

  it("counts a write's found rows alike in both processes (CLIENT_FOUND_ROWS, which mysql2 asks for)", async () => {
    const [main, session] = await connectionPair();
    await main.query('CREATE TABLE found (id INT PRIMARY KEY, n INT NOT NULL)');
    await main.query('INSERT INTO found VALUES (1, 0), (2, 0), (3, 5)');
    for (const connection of [main, session]) {
      // Three rows matched, one already as it was set: found 3, changed 2 (the info's count).
      const [result] = await connection.query<ResultSetHeader>('UPDATE found SET n = 5 WHERE id <= 3');
      expect([result.affectedRows, result.changedRows]).toEqual([3, 2]);
      await main.query('UPDATE found SET n = 0 WHERE id <= 2');
    }
  });

  it('commits transactions from the session process, and detects conflicts across processes', async () => {
    const [main, session] = await connectionPair();
    await main.query('CREATE TABLE accounts (id INT PRIMARY KEY, balance INT NOT NULL)');
    await main.query('INSERT INTO accounts VALUES (1, 100), (2, 100)');
    await session.beginTransaction();
    await session.query('UPDATE accounts SET balance = balance - 30 WHERE id = 1');
    await session.query('UPDATE accounts SET balance = balance + 30 WHERE id = 2');
    // Not yet committed: the other process does not see it.
    expect(await rows(main, 'SELECT balance FROM accounts ORDER BY id')).toEqual([{ balance: 100 }, { balance: 100 }]);
    await session.commit();
    expect(await rows(main, 'SELECT balance FROM accounts ORDER BY id')).toEqual([{ balance: 70 }, { balance: 130 }]);

    // Both read row 1 and write it; the second to commit fails with 1213 and changes nothing.
    await session.beginTransaction();
    await main.beginTransaction();
    await rows(session, 'SELECT balance FROM accounts WHERE id = 1');
    await rows(main, 'SELECT balance FROM accounts WHERE id = 1');
    await session.query('UPDATE accounts SET balance = 1 WHERE id = 1');
    await main.query('UPDATE accounts SET balance = 2 WHERE id = 1');
    await main.commit();
    await expect(session.commit()).rejects.toMatchObject({ errno: 1213 });
    expect(await rows(session, 'SELECT balance FROM accounts WHERE id = 1')).toEqual([{ balance: 2 }]);

    // An AUTO_INCREMENT id reserved in the session process's transaction is the client's at once.
    await main.query('CREATE TABLE notes (id BIGINT AUTO_INCREMENT PRIMARY KEY, body TEXT)');
    await session.beginTransaction();
    const [inserted] = await session.query<mysql.ResultSetHeader>("INSERT INTO notes (body) VALUES ('a')");
    await session.commit();
    expect(await rows(main, 'SELECT id, body FROM notes')).toEqual([{ id: inserted.insertId, body: 'a' }]);
  });

  it('keeps named locks for the whole node', async () => {
    const [main, session] = await connectionPair();
    expect(await rows(session, "SELECT GET_LOCK('migrate', 0) AS got")).toEqual([{ got: 1 }]);
    expect(await rows(main, "SELECT GET_LOCK('migrate', 0) AS got")).toEqual([{ got: 0 }]);
    expect(await rows(main, "SELECT IS_FREE_LOCK('migrate') AS free")).toEqual([{ free: 0 }]);
    expect(await rows(main, "SELECT RELEASE_LOCK('migrate') AS released")).toEqual([{ released: 0 }]);
    // The waiter gets it once the holder lets it go.
    const waiting = rows(main, "SELECT GET_LOCK('migrate', 5) AS got");
    await sleep(100);
    expect(await rows(session, "SELECT RELEASE_LOCK('migrate') AS released")).toEqual([{ released: 1 }]);
    expect(await waiting).toEqual([{ got: 1 }]);
    expect(await rows(session, "SELECT GET_LOCK('migrate', 0) AS got")).toEqual([{ got: 0 }]);
  });

  it('logs in an account created a moment before, in either process', async () => {
    const [main] = await connectionPair();
    await main.query("CREATE USER 'reader'@'%' IDENTIFIED BY 'secret-1'");
    await main.query("GRANT SELECT ON app.* TO 'reader'@'%'");
    // Two logins in a row: one in each process.
    for (let attempt = 0; attempt < 2; attempt++) {
      const reader = await mysql.createConnection({ host: '127.0.0.1', port: mysqlPort, user: 'reader', password: 'secret-1', database: 'app' });
      opened.push(reader);
      expect(await rows(reader, 'SELECT COUNT(*) AS c FROM accounts')).toEqual([{ c: 2 }]);
      await expect(reader.query('DELETE FROM accounts')).rejects.toMatchObject({ errno: 1142 });
    }
  });

  it("gives caching_sha2_password's RSA key exchange one key in every process", async () => {
    const [main] = await connectionPair();
    await main.query("CREATE USER 'pinned'@'%' IDENTIFIED WITH caching_sha2_password BY 'secret-2'");
    await main.query("GRANT SELECT ON app.* TO 'pinned'@'%'");
    let serverKey: Buffer | null = null;
    const login = (plugin: Record<string, unknown>): Promise<Connection> =>
      mysql.createConnection({ host: '127.0.0.1', port: mysqlPort, user: 'pinned', password: 'secret-2', database: 'app', authPlugins: { caching_sha2_password: authPlugins.caching_sha2_password(plugin) } });
    opened.push(await login({ onServerPublicKey: (key: Buffer) => (serverKey = key) }));
    expect(serverKey).not.toBeNull();
    // Two logins in a row, one in each process, with the key pinned as a client may pin it:
    // the one that needs the key exchange (the other process has not seen this account) uses it.
    for (let attempt = 0; attempt < 2; attempt++) {
      const pinned = await login({ serverPublicKey: serverKey });
      opened.push(pinned);
      expect(await rows(pinned, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    }
  });

  it('starts a session process again after SIGKILL, while the main process keeps serving', async () => {
    const pair = await connectionPair();
    // Each holds a named lock: the dead connection's must come free.
    await rows(pair[0], "SELECT GET_LOCK('held-0', 0)");
    await rows(pair[1], "SELECT GET_LOCK('held-1', 0)");
    const [pid] = sessionProcessPids();
    expect(pid).toBeDefined();
    process.kill(pid!, 'SIGKILL');
    // The connection the session process served is gone; the other one goes on.
    const outcomes = await Promise.allSettled(pair.map((connection) => rows(connection, 'SELECT COUNT(*) AS c FROM accounts')));
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(outcomes.find((outcome) => outcome.status === 'fulfilled')).toMatchObject({ value: [{ c: 2 }] });
    await waitFor(async () => sessionProcessPids().some((other) => other !== pid) && (await sessionStatus()).ready === 1, 'the session process to start again');
    // Once the main process has seen it exit, the locks its connections held are free.
    const died = outcomes.findIndex((outcome) => outcome.status === 'rejected');
    const survivor = pair[1 - died]!;
    expect(await rows(survivor, `SELECT IS_FREE_LOCK('held-${died}') AS free`)).toEqual([{ free: 1 }]);
    expect(await rows(survivor, `SELECT IS_FREE_LOCK('held-${1 - died}') AS free`)).toEqual([{ free: 0 }]);
    for (const connection of await connectionPair()) expect(await rows(connection, 'SELECT COUNT(*) AS c FROM accounts')).toEqual([{ c: 2 }]);
  });

  it("refuses connections past the node's bound, counting the session process's", async () => {
    let refused: unknown = null;
    for (let attempt = 0; attempt <= connectionsMax && refused === null; attempt++) {
      try {
        await connect();
      } catch (error) {
        refused = error;
      }
    }
    expect(refused).toMatchObject({ errno: 1040 });
    // Those it serves, in either process, are the bound.
    let open = 0;
    for (const connection of opened) open += await connection.query('SELECT 1').then(() => 1, () => 0);
    expect(open).toBe(connectionsMax);
  });

  it('stops its session processes when the node stops', async () => {
    const pids = sessionProcessPids();
    expect(pids.length).toBe(1);
    for (const connection of opened.splice(0)) await connection.end().catch(() => undefined);
    await node.stop();
    await waitFor(async () => pids.every((pid) => !isAlive(pid)), 'the session process to exit', 10_000);
  });

  it('ends its session processes when the main process is killed, and serves again after a restart', async () => {
    await node.start();
    await waitFor(async () => (await sessionStatus()).ready === 1, 'the session process');
    const pids = sessionProcessPids();
    expect(pids.length).toBe(1);
    await node.kill();
    // Their IPC channel closed: no orphan keeps the LMDB files open.
    await waitFor(async () => pids.every((pid) => !isAlive(pid)), 'the session process to exit', 10_000);
    await node.start();
    await waitFor(async () => (await sessionStatus()).ready === 1, 'the session process');
    for (const connection of await connectionPair()) expect(await rows(connection, 'SELECT balance FROM accounts ORDER BY id')).toEqual([{ balance: 2 }, { balance: 130 }]);
  });

  // Last: it blocks this test's own address.
  it('counts failed logins in every process against the one bound of the node', async () => {
    const login = (password: string): Promise<Connection> => mysql.createConnection({ host: '127.0.0.1', port: mysqlPort, user: 'reader', password, database: 'app' });
    // Dealt in turn to both processes: neither saw all of them.
    for (let attempt = 0; attempt < loginFailuresMax; attempt++) await expect(login('wrong')).rejects.toMatchObject({ errno: 1045 });
    // Each process hears of the other's failures over the IPC channel, a moment later.
    await sleep(200);
    for (let attempt = 0; attempt < 2; attempt++) await expect(login('secret-1')).rejects.toMatchObject({ errno: 1129 });
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
