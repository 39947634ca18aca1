// Repeatable-read transactions under contention, on a real node with a session process: MySQL
// connections in both processes move money between a few accounts, each transfer two UPDATEs
// in a random order, so that transactions wait for each other's row locks and can deadlock. Every
// commit must count exactly once: each account ends at its opening balance plus the deltas of
// the transfers that committed (none lost to a current read on a stale row, none applied from
// a rolled-back transaction), so the total never moves. Deadlocks answer 1213 and are run
// again, as an application would; no wait reaches the lock timeout.
import mysql from 'mysql2/promise';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NodeProcess, freePort, sleep, temporaryDir } from '../system/node-process.js';

const accounts = 4;
const opening = 1_000;
const workers = 8;
const transfersPerWorker = 25;

let node: NodeProcess;
let mysqlPort: number;
let dir: { path: string; remove: () => void };
const opened: Connection[] = [];

async function sessionReady(): Promise<boolean> {
  const response = await node.fetch(`${node.url}/v1/status`);
  return ((await response.json()) as { session_processes: { ready: number } }).session_processes.ready === 1;
}

beforeAll(async () => {
  dir = temporaryDir('rr-transfers');
  mysqlPort = await freePort();
  node = new NodeProcess(dir.path, await freePort(), ['--mysql-port', String(mysqlPort), '--session-processes', '1', '--session-http', 'false', '--transaction-isolation', 'repeatable-read']);
  await node.start();
  for (let tries = 0; !(await sessionReady()); tries++) {
    if (tries > 400) throw new Error('the session process did not get ready');
    await sleep(50);
  }
  const setup = await mysql.createConnection({ host: '127.0.0.1', port: mysqlPort, user: 'root' });
  await setup.query('CREATE DATABASE bank');
  await setup.query('CREATE TABLE bank.accounts (id INT PRIMARY KEY, balance INT NOT NULL)');
  await setup.query(`INSERT INTO bank.accounts VALUES ${Array.from({ length: accounts }, (_, id) => `(${id}, ${opening})`).join(', ')}`);
  await setup.end();
}, 60_000);

afterAll(async () => {
  for (const connection of opened) await connection.end().catch(() => undefined);
  await node?.stop();
  dir?.remove();
});

// Mulberry32: uniform 32-bit draws from a seed, each reduced below `below`.
function generator(seed: number): (below: number) => number {
  let state = seed >>> 0;
  return (below) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) % below;
  };
}

it('counts every committed transfer once while transactions wait for and deadlock on each other, in both processes', async () => {
  // Seeded generators, one per worker: a failure names the seed that replays each worker's
  // choices (not their timing).
  const seed = Number(process.env['SEED'] ?? Date.now() % 1_000_000);
  const committed = new Array<number>(accounts).fill(0);
  let deadlocks = 0;
  const work = async (worker: number): Promise<void> => {
    const random = generator(seed * workers + worker);
    // Connections opened one after another land in alternate processes.
    const connection = await mysql.createConnection({ host: '127.0.0.1', port: mysqlPort, user: 'root', database: 'bank' });
    opened.push(connection);
    for (let done = 0; done < transfersPerWorker; ) {
      const from = random(accounts);
      const to = (from + 1 + random(accounts - 1)) % accounts;
      const amount = 1 + random(50);
      const steps: [number, number][] = [[from, -amount], [to, amount]];
      if (random(2) === 0) steps.reverse();
      try {
        await connection.beginTransaction();
        for (const [id, delta] of steps) {
          await connection.query('UPDATE accounts SET balance = balance + ? WHERE id = ?', [delta, id]);
          // A pause while holding the row, as an application thinking: others come to wait.
          await sleep(random(3));
        }
        await connection.commit();
        committed[from]! -= amount;
        committed[to]! += amount;
        done++;
      } catch (error) {
        await connection.rollback().catch(() => undefined);
        if ((error as { errno?: number }).errno !== 1213) throw error;
        deadlocks++;
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, worker) => work(worker)));
  const check = await mysql.createConnection({ host: '127.0.0.1', port: mysqlPort, user: 'root', database: 'bank' });
  opened.push(check);
  const [rows] = await check.query<RowDataPacket[]>('SELECT id, balance FROM accounts ORDER BY id');
  const expected = committed.map((delta, id) => ({ id, balance: opening + delta }));
  expect(rows, `SEED=${seed}`).toEqual(expected);
  expect(rows.reduce((sum, row) => sum + Number(row['balance']), 0)).toBe(accounts * opening);
  // Transfers that lock two of four accounts in either order do deadlock: that path was taken.
  expect(deadlocks, `SEED=${seed}`).toBeGreaterThan(0);
  console.log(`repeatable-read transfers: ${workers * transfersPerWorker} committed, ${deadlocks} deadlocks run again (SEED=${seed})`);
}, 120_000);
