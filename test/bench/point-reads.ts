/**
 * Indexed reads and a join: point SELECTs by primary key and by a secondary index at N
 * concurrent clients, a 10,000-row primary-key range scan, and a three-table join with GROUP BY
 * over 100,000 orders, on TideDB over HTTP and on MariaDB over its own protocol (mysql2,
 * prepared statements), on the same rows in the same run.
 *
 *   npx tsc -p test/bench/tsconfig.json && node .tmp/bench-build/bench/point-reads.js
 *       [--runs N] [--clients N] [--seconds S] [--warmup S] [--mysql HOST:PORT] [--build]
 *       [--session-processes N] [--session-http true|false]   (TideDB's; its default, auto, unless given)
 *
 * Both systems get one table of 100,000 rows, filled by the same INSERT … SELECT over a cross
 * join of digits; each round then measures every query on both, the system that goes first
 * alternating from round to round. The summary reports medians over the rounds (the machine
 * is shared and noisy) and TideDB / MariaDB ratios. The result is in docs/BENCHMARKS.md.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, release } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { ensureBuilt, repoRoot } from './bench-build.js';
import { closedLoop, cpuModel, describeMeasurement as describe, fmtRatio, measurementRow as row, measurementTableHeader, medianMeasurement as med, parseRunFlags } from './bench-measure.js';
import type { Measurement, RunFlags } from './bench-measure.js';
import { liveChildren as live } from './bench-process.js';
import { freshMariaDatabase } from './maria-database.js';
import { TideNode } from './tidedb-node.js';

type Options = Readonly<RunFlags>;


const tableRows = 100_000;
const rangeRows = 10_000;
// Clients of the range scan: each answer is 10,000 rows, so a few keep both systems busy.
const rangeClients = 4;
// One client: the join's figure is its time per query, each reading all 100,000 orders.
const joinClients = 1;
const settleSeconds = 8;
const createTable = 'CREATE TABLE items (id BIGINT PRIMARY KEY, code VARCHAR(16) NOT NULL, v INT, pad VARCHAR(64), KEY items_code (code))';
const digits = 'CREATE TABLE digits (n INT PRIMARY KEY)';
const fillDigits = 'INSERT INTO digits VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)';
const id = 'a.n * 10000 + b.n * 1000 + c.n * 100 + d.n * 10 + e.n';
// In five statements of 20,000 rows: a TideDB transaction carries at most 4 MiB of changes.
const fillItems = [0, 2, 4, 6, 8].map((first) => `INSERT INTO items SELECT ${id}, CONCAT('c', ${id}), (${id}) % 1000, CONCAT('pad-', ${id}, '-0123456789abcdef') FROM digits a, digits b, digits c, digits d, digits e WHERE a.n IN (${first}, ${first + 1})`);
// The join's data: 1,000 customers in 10 regions (the id's last digit), 1,000 products in 10
// categories (the id's first digit), and 100,000
// orders spread over both by multiplicative hashes: 100 groups.
const createJoinTables = [
  'CREATE TABLE customers (id INT PRIMARY KEY, region VARCHAR(8) NOT NULL)',
  'CREATE TABLE products (id INT PRIMARY KEY, category VARCHAR(8) NOT NULL, price DECIMAL(10,2) NOT NULL)',
  'CREATE TABLE orders (id BIGINT PRIMARY KEY, customer_id INT NOT NULL, product_id INT NOT NULL, qty INT NOT NULL)',
];
const id3 = 'a.n * 100 + b.n * 10 + c.n';
const fillJoinTables = [
  `INSERT INTO customers SELECT ${id3}, CONCAT('r', (${id3}) % 10) FROM digits a, digits b, digits c`,
  `INSERT INTO products SELECT ${id3}, CONCAT('k', a.n), ((${id3}) % 97) + 0.99 FROM digits a, digits b, digits c`,
  ...[0, 2, 4, 6, 8].map((first) => `INSERT INTO orders SELECT ${id}, ((${id}) * 7919) % 1000, ((${id}) * 104729) % 1000, 1 + (${id}) % 5 FROM digits a, digits b, digits c, digits d, digits e WHERE a.n IN (${first}, ${first + 1})`),
];
const joinGroups = 100;
const setup = [createTable, digits, fillDigits, ...fillItems, ...createJoinTables, ...fillJoinTables];

const queries = {
  primary: 'SELECT id, code, v, pad FROM items WHERE id = ?',
  secondary: 'SELECT id, code, v, pad FROM items WHERE code = ?',
  range: 'SELECT id, v FROM items WHERE id >= ? AND id < ?',
  join: 'SELECT c.region, p.category, COUNT(*) AS orders, SUM(o.qty * p.price) AS revenue FROM orders o JOIN customers c ON c.id = o.customer_id JOIN products p ON p.id = o.product_id GROUP BY c.region, p.category',
} as const;

type QueryName = keyof typeof queries;

// The parameters of the i-th operation, spread over the table by a multiplicative hash.
function paramsOf(name: QueryName, i: number): (string | number)[] {
  if (name === 'join') return [];
  const key = (i * 7919) % tableRows;
  if (name === 'primary') return [key];
  if (name === 'secondary') return [`c${key}`];
  const start = key % (tableRows - rangeRows);
  return [start, start + rangeRows];
}

function expectedRows(name: QueryName): number {
  return name === 'range' ? rangeRows : name === 'join' ? joinGroups : 1;
}

type Runner = (name: QueryName, i: number) => Promise<void>;

async function measureAll(run: Runner, options: Options): Promise<Record<QueryName, Measurement>> {
  const loop = (name: QueryName, clients: number): Promise<Measurement> => closedLoop(clients, options.warmupSeconds, options.measureSeconds, (i) => run(name, i));
  return {
    primary: await loop('primary', options.clients),
    secondary: await loop('secondary', options.clients),
    range: await loop('range', rangeClients),
    // A join takes a second or more: a window three times as long counts a few of them.
    join: await closedLoop(joinClients, options.warmupSeconds, options.measureSeconds * 3, (i) => run('join', i)),
  };
}

// Both systems must give the join the same answer, or its timing compares nothing.
async function sameJoinAnswer(node: TideNode, pool: Pool): Promise<void> {
  const text = (rows: readonly (readonly unknown[])[]): string => rows.map((values) => values.map((value) => String(value)).join('|')).sort().join('\n');
  const tide = (await node.sql(queries.join, [])).rows ?? [];
  const [maria] = await pool.query<RowDataPacket[]>({ sql: queries.join, rowsAsArray: true });
  if (text(tide as unknown[][]) !== text(maria as unknown as unknown[][])) throw new Error(`the join's answers differ:\nTideDB:\n${text(tide as unknown[][]).slice(0, 400)}\nMariaDB:\n${text(maria as unknown as unknown[][]).slice(0, 400)}`);
}

function tideRunner(node: TideNode): Runner {
  return async (name, i) => {
    const result = await node.sql(queries[name], paramsOf(name, i));
    if (result.rows?.length !== expectedRows(name)) throw new Error(`tidedb ${name} answered ${result.rows?.length} rows`);
  };
}

function mariaRunner(pool: Pool): Runner {
  return async (name, i) => {
    const [rows] = await pool.execute<RowDataPacket[]>(queries[name], paramsOf(name, i));
    if (rows.length !== expectedRows(name)) throw new Error(`mariadb ${name} answered ${rows.length} rows`);
  };
}

const mariaDatabase = 'tidedb_bench_reads';

async function main(): Promise<void> {
  const options = parseRunFlags(process.argv.slice(2), { runs: 3, clients: 64, measureSeconds: 4, warmupSeconds: 1, mysqlHost: '127.0.0.1', mysqlPort: 3306, build: false }, import.meta.url);
  const root = repoRoot();
  ensureBuilt(root, options.build);
  mkdirSync(join(root, '.tmp'), { recursive: true });
  const benchDir = mkdtempSync(join(root, '.tmp', 'bench-reads-'));
  let pool: Pool | null = null;
  let node: TideNode | null = null;
  const cleanup = async (): Promise<void> => {
    if (node !== null) await node.stop().catch(() => undefined);
    for (const child of live) child.kill('SIGKILL');
    if (pool !== null) {
      await pool.query(`DROP DATABASE IF EXISTS ${mariaDatabase}`).catch(() => undefined);
      await pool.end().catch(() => undefined);
    }
    rmSync(benchDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));

  const samples = { tide: [] as Record<QueryName, Measurement>[], maria: [] as Record<QueryName, Measurement>[] };
  let mariaVersion = 'unknown';
  try {
    pool = await freshMariaDatabase(options, mariaDatabase, options.clients);
    const [versionRows] = await pool.query<RowDataPacket[]>('SELECT VERSION() AS v');
    mariaVersion = String(versionRows[0]?.['v']);
    process.stdout.write('loading MariaDB\n');
    for (const statement of setup) await pool.query(statement);
    process.stdout.write('loading TideDB\n');

    node = await TideNode.start(root, join(benchDir, 'tidedb'), options.clients, null, { sessionProcesses: options.sessionProcesses, sessionHttp: options.sessionHttp });
    for (const statement of setup) await node.sql(statement, []);
    const tide = tideRunner(node);
    const maria = mariaRunner(pool);
    await sameJoinAnswer(node, pool);
    // A node that just applied 100,000 rows is still busy behind them for some seconds (the
    // first round measured it at a third of its later rate): both systems settle first.
    process.stdout.write('settling\n');
    await closedLoop(options.clients, 0, settleSeconds, (i) => tide('primary', i));
    await closedLoop(options.clients, 0, settleSeconds, (i) => maria('primary', i));

    for (let round = 0; round < options.runs; round++) {
      process.stdout.write(`round ${round + 1}/${options.runs}\n`);
      const measureTide = async (): Promise<void> => {
        const result = await measureAll(tide, options);
        samples.tide.push(result);
        for (const name of Object.keys(queries) as QueryName[]) process.stdout.write(`  TideDB  ${name.padEnd(9)} ${describe(result[name])}\n`);
      };
      const measureMaria = async (): Promise<void> => {
        const result = await measureAll(maria, options);
        samples.maria.push(result);
        for (const name of Object.keys(queries) as QueryName[]) process.stdout.write(`  MariaDB ${name.padEnd(9)} ${describe(result[name])}\n`);
      };
      if (round % 2 === 0) {
        await measureTide();
        await measureMaria();
      } else {
        await measureMaria();
        await measureTide();
      }
    }
  } finally {
    await cleanup();
  }
  report(options, samples, mariaVersion);
}

function report(options: Options, samples: { tide: Record<QueryName, Measurement>[]; maria: Record<QueryName, Measurement>[] }, mariaVersion: string): void {
  const of = (system: Record<QueryName, Measurement>[], name: QueryName): Measurement[] => system.map((round) => round[name]);
  const ratio = (name: QueryName): string => fmtRatio(med(of(samples.tide, name)).perSecond / med(of(samples.maria, name)).perSecond);
  const c = options.clients;
  const lines = [
    '',
    '### Machine',
    '',
    `- CPU: ${cpuModel()}, ${availableParallelism()} cores (nproc); Linux ${release()}`,
    `- Node ${process.version}; MariaDB ${mariaVersion} (InnoDB, default buffer pool), on the same machine`,
    `- TideDB --session-processes ${options.sessionProcesses ?? 'auto'} --session-http ${options.sessionHttp ?? 'auto'}`,
    `- ${tableRows.toLocaleString('en-US')} rows; ${options.runs} rounds of ${options.warmupSeconds} s warm-up + ${options.measureSeconds} s measured per query and system`,
    '',
    '### Medians',
    '',
    ...measurementTableHeader,
    row(`TideDB, point SELECT by primary key, ${c} clients (HTTP keep-alive)`, of(samples.tide, 'primary')),
    row(`MariaDB, point SELECT by primary key, ${c} connections`, of(samples.maria, 'primary')),
    row(`TideDB, point SELECT by secondary index, ${c} clients`, of(samples.tide, 'secondary')),
    row(`MariaDB, point SELECT by secondary index, ${c} connections`, of(samples.maria, 'secondary')),
    row(`TideDB, ${rangeRows.toLocaleString('en-US')}-row primary-key range, ${rangeClients} clients`, of(samples.tide, 'range')),
    row(`MariaDB, ${rangeRows.toLocaleString('en-US')}-row primary-key range, ${rangeClients} connections`, of(samples.maria, 'range')),
    row(`TideDB, three-table join + GROUP BY over ${tableRows.toLocaleString('en-US')} orders, ${joinClients} client`, of(samples.tide, 'join')),
    row(`MariaDB, three-table join + GROUP BY over ${tableRows.toLocaleString('en-US')} orders, ${joinClients} connection`, of(samples.maria, 'join')),
    '',
    '| ratio TideDB / MariaDB (of median throughput) | value |',
    '|---|--:|',
    `| point SELECT by primary key @${c} | ${ratio('primary')} |`,
    `| point SELECT by secondary index @${c} | ${ratio('secondary')} |`,
    `| ${rangeRows.toLocaleString('en-US')}-row range scan @${rangeClients} | ${ratio('range')} |`,
    `| three-table join + GROUP BY @${joinClients} | ${ratio('join')} |`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

await main();
