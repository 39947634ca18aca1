// Concurrent random transfers between accounts over both protocols at once, against one node:
// mysql2 connections with BEGIN/COMMIT/ROLLBACK on the MySQL port and HTTP clients with /v1/tx,
// some rolled back on purpose, some refused at COMMIT as conflicts (1213 / TX_CONFLICT). Every
// snapshot read in either protocol sees the same total; at the end each account holds exactly
// its start plus the committed transfers' effects (no lost update, nothing of a rolled-back or
// conflicting transaction).
import mysql from 'mysql2/promise';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../support/seeded-random.js';
import { TxClient } from '../transactions/tx-http.js';
import { startMysqlNode } from './mysql-node.js';
import type { MysqlNode } from './mysql-node.js';

const accounts = 5;
const start = 100;
const transfersPerClient = 25;
let node: MysqlNode;
let http: TxClient;
const connections: Connection[] = [];

beforeAll(async () => {
  node = await startMysqlNode({ port: 24220 });
  http = new TxClient(`http://127.0.0.1:${await node.node.listen()}`);
  for (const sql of ['CREATE TABLE accounts (id INT PRIMARY KEY, balance INT NOT NULL)', `INSERT INTO accounts VALUES ${Array.from({ length: accounts }, (_, id) => `(${id}, ${start})`).join(', ')}`]) {
    const answer = await http.sql(sql);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  }
});

afterAll(async () => {
  for (const connection of connections) await connection.end().catch(() => undefined);
  await node?.close();
});

interface Transfer {
  readonly from: number;
  readonly to: number;
  readonly amount: number;
}

describe('transfers over the MySQL protocol and HTTP at once', () => {
  it('keep the total in every snapshot and apply exactly the committed transfers', async () => {
    const random = seededRandom(Number(process.env['SEED'] ?? 17));
    const draw = (): Transfer => {
      const from = Math.floor(random() * accounts);
      return { from, to: (from + 1 + Math.floor(random() * (accounts - 1))) % accounts, amount: 1 + Math.floor(random() * 9) };
    };
    const committed: Transfer[] = [];
    const totals: number[] = [];
    const outcomes = { committed: 0, conflicts: 0, rolledBack: 0, committedOverMysql: 0 };

    const overMysql = async (): Promise<void> => {
      const connection = await mysql.createConnection({ host: '127.0.0.1', port: node.port, user: 'root', database: 'app' });
      connections.push(connection);
      for (let done = 0; done < transfersPerClient; done++) {
        const transfer = draw();
        await connection.beginTransaction();
        const [[row]] = await connection.query<RowDataPacket[]>('SELECT balance FROM accounts WHERE id = ?', [transfer.from]);
        await connection.query('UPDATE accounts SET balance = ? WHERE id = ?', [(row!['balance'] as number) - transfer.amount, transfer.from]);
        await connection.query('UPDATE accounts SET balance = balance + ? WHERE id = ?', [transfer.amount, transfer.to]);
        const [[sum]] = await connection.query<RowDataPacket[]>('SELECT SUM(balance) AS total FROM accounts');
        totals.push(Number(sum!['total']));
        if (random() < 0.15) {
          await connection.rollback();
          outcomes.rolledBack++;
          continue;
        }
        try {
          await connection.commit();
          committed.push(transfer);
          outcomes.committed++;
          outcomes.committedOverMysql++;
        } catch (error) {
          expect(error).toMatchObject({ errno: 1213 });
          outcomes.conflicts++;
        }
      }
    };

    const overHttp = async (): Promise<void> => {
      for (let done = 0; done < transfersPerClient; done++) {
        const transfer = draw();
        const tx = await http.open();
        const [[balance]] = (await http.rows('SELECT balance FROM accounts WHERE id = ?', tx, [transfer.from])) as [[number]];
        await http.rows('UPDATE accounts SET balance = ? WHERE id = ?', tx, [balance - transfer.amount, transfer.from]);
        await http.rows('UPDATE accounts SET balance = balance + ? WHERE id = ?', tx, [transfer.amount, transfer.to]);
        totals.push(Number((await http.rows('SELECT SUM(balance) FROM accounts', tx))[0]![0]));
        if (random() < 0.15) {
          expect((await http.rollback(tx)).status).toBe(200);
          outcomes.rolledBack++;
          continue;
        }
        const commit = await http.commit(tx);
        if (commit.status === 200) {
          committed.push(transfer);
          outcomes.committed++;
        } else {
          expect(commit.body.error?.code).toBe('TX_CONFLICT');
          outcomes.conflicts++;
        }
      }
    };

    await Promise.all([overMysql(), overMysql(), overMysql(), overHttp(), overHttp(), overHttp()]);

    expect(new Set(totals)).toEqual(new Set([accounts * start]));
    // Enough of each outcome that the check means something.
    expect(outcomes.committed).toBeGreaterThan(10);
    expect(outcomes.rolledBack).toBeGreaterThan(0);
    expect(outcomes.committedOverMysql).toBeGreaterThan(0);
    expect(outcomes.committed - outcomes.committedOverMysql).toBeGreaterThan(0);
    const expected = Array.from({ length: accounts }, () => start);
    for (const { from, to, amount } of committed) {
      expected[from]! -= amount;
      expected[to]! += amount;
    }
    expect(await http.rows('SELECT id, balance FROM accounts ORDER BY id')).toEqual(expected.map((balance, id) => [id, balance]));
    console.log(`mixed transfers: ${JSON.stringify(outcomes)}`);
  });
});
