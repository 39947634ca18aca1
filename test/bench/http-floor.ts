/**
 * What an HTTP point read costs TideDB beyond HTTP itself: the same load generator as
 * point-reads.ts (Node's HTTP client, keep-alive, N concurrent clients) against a bare fastify
 * server that parses the request and answers a canned one-row result (bare-http-server.ts),
 * against TideDB answering `SELECT 1` (the HTTP route, the sequencer, no table), and against
 * TideDB answering a point SELECT by primary key; MariaDB's point SELECT through mysql2 beside
 * them. For each: the rate, and the CPU per request of the server (user and system time of its
 * process, MariaDB's too, from /proc, over the measured window) and of the load generator,
 * which are steadier than the rate on a noisy machine and say where a request's time goes.
 *
 *   npx tsc -p test/bench/tsconfig.json && node .tmp/bench-build/bench/http-floor.js
 *       [--runs N] [--clients N] [--seconds S] [--warmup S] [--mysql HOST:PORT] [--build]
 *
 * The result, and how to read it, is in docs/BENCHMARKS.md (indexed reads over HTTP).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { ensureBuilt, repoRoot } from './bench-build.js';
import { closedLoop, cpuModel, fmtRatio, measurementRow, measurementTableHeader, median, parseRunFlags } from './bench-measure.js';
import type { Measurement, RunFlags } from './bench-measure.js';
import { freePort, post, scratchDir, stopChild, track } from './bench-process.js';
import { freshMariaDatabase } from './maria-database.js';
import { TideNode } from './tidedb-node.js';


const tableRows = 10_000;
const createTable = 'CREATE TABLE items (id BIGINT PRIMARY KEY, code VARCHAR(16) NOT NULL, v INT, pad VARCHAR(64), KEY items_code (code))';
const pointSelect = 'SELECT id, code, v, pad FROM items WHERE id = ?';
const mariaDatabase = 'tidedb_bench_floor';

// CPU time (user + system) a process has used so far, in µs; Linux reports it in clock ticks.
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticksPerSecond = 100;
  return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / ticksPerSecond;
}

interface Sample {
  readonly measurement: Measurement;
  // The server's and the load generator's CPU per request, µs (null: the server is not ours to read).
  readonly serverMicros: number | null;
  readonly clientMicros: number;
}

async function measure(options: RunFlags, pid: number | null, op: (i: number) => Promise<void>): Promise<Sample> {
  await closedLoop(options.clients, options.warmupSeconds, 0.001, op);
  const server = pid === null ? 0 : cpuMicros(pid);
  const client = process.cpuUsage();
  const measurement = await closedLoop(options.clients, 0.001, options.measureSeconds, op);
  const clientUsed = process.cpuUsage(client);
  return { measurement, serverMicros: pid === null ? null : (cpuMicros(pid) - server) / measurement.ops, clientMicros: (clientUsed.user + clientUsed.system) / measurement.ops };
}

function answerRows(text: string): number {
  return ((JSON.parse(text) as { results: { rows: unknown[] }[] }).results[0]?.rows ?? []).length;
}

async function main(): Promise<void> {
  const options = parseRunFlags(process.argv.slice(2), { runs: 3, clients: 64, measureSeconds: 4, warmupSeconds: 1, mysqlHost: '127.0.0.1', mysqlPort: 3306, build: false }, import.meta.url);
  const root = repoRoot();
  ensureBuilt(root, options.build);
  const { dir, cleanup } = scratchDir(root, 'bench-floor-');
  const agent = new Agent({ keepAlive: true, maxSockets: options.clients });
  const targets = ['bare fastify, canned one-row answer', 'TideDB, SELECT 1', 'TideDB, point SELECT by primary key', 'MariaDB, point SELECT by primary key (mysql2)'] as const;
  const samples = new Map<string, Sample[]>(targets.map((name) => [name, []]));
  let pool: mysql.Pool | null = null;
  try {
    pool = await freshMariaDatabase(options, mariaDatabase, options.clients);
    const mariaPid = await serverPid(pool);
    await pool.query(createTable);
    for (let round = 0; round < options.runs; round++) {
      process.stdout.write(`round ${round + 1}/${options.runs}\n`);
      const barePort = await freePort();
      const bare = track(spawn(process.execPath, [join(root, '.tmp/bench-build/bench/bare-http-server.js'), String(barePort)], { stdio: ['ignore', 'ignore', 'inherit'] }));
      const node = await TideNode.start(root, join(dir, `round-${round}`), options.clients, null, { sessionProcesses: '0' });
      try {
        await waitListening(agent, barePort);
        await node.sql(createTable, []);
        for (let first = 0; first < tableRows; first += 1000) {
          const rows = Array.from({ length: 1000 }, (_, at) => first + at);
          const values = rows.map(() => '(?, ?, ?, ?)').join(', ');
          const params = rows.flatMap((id) => [id, `c${id}`, id % 1000, `pad-${id}-0123456789abcdef`]);
          await node.sql(`INSERT INTO items VALUES ${values}`, params);
          if (round === 0) await pool.query(`INSERT INTO items VALUES ${values}`, params);
        }
        const key = (i: number): number => (i * 7919) % tableRows;
        const body = (sql: string, params: readonly number[]): string => JSON.stringify({ sql, params });
        const ops: Record<(typeof targets)[number], { pid: number | null; op: (i: number) => Promise<void> }> = {
          'bare fastify, canned one-row answer': { pid: bare.pid!, op: async (i) => expectRows(await post(agent, barePort, '/v1/sql', body(pointSelect, [key(i)])), 1) },
          'TideDB, SELECT 1': { pid: node.pid, op: async () => expectRows(await post(agent, node.port, '/v1/sql', body('SELECT 1', [])), 1) },
          'TideDB, point SELECT by primary key': { pid: node.pid, op: async (i) => expectRows(await post(agent, node.port, '/v1/sql', body(pointSelect, [key(i)])), 1) },
          'MariaDB, point SELECT by primary key (mysql2)': {
            pid: mariaPid,
            op: async (i) => {
              const [rows] = await pool!.execute<RowDataPacket[]>(pointSelect, [key(i)]);
              if (rows.length !== 1) throw new Error(`mariadb answered ${rows.length} rows`);
            },
          },
        };
        for (const name of round % 2 === 0 ? targets : [...targets].reverse()) {
          const sample = await measure(options, ops[name].pid, ops[name].op);
          samples.get(name)!.push(sample);
          process.stdout.write(`  ${name.padEnd(46)} ${Math.round(sample.measurement.perSecond)}/s  server ${sample.serverMicros?.toFixed(1) ?? 'n/a'} µs/request  client ${sample.clientMicros.toFixed(1)} µs/request\n`);
        }
      } finally {
        await node.stop();
        await stopChild(bare, 2000);
      }
    }
  } finally {
    agent.destroy();
    await pool?.query(`DROP DATABASE IF EXISTS ${mariaDatabase}`).catch(() => undefined);
    await pool?.end().catch(() => undefined);
    cleanup();
  }
  report(options, samples);
}

// MariaDB's process, when it runs on this machine (its pid file readable here).
async function serverPid(pool: mysql.Pool): Promise<number | null> {
  try {
    const [rows] = await pool.query<RowDataPacket[]>('SELECT @@pid_file AS file');
    const pid = Number(readFileSync(String(rows[0]?.['file']), 'utf8').trim());
    cpuMicros(pid);
    return pid;
  } catch {
    return null;
  }
}

function expectRows(answer: { status: number; text: string }, rows: number): void {
  if (answer.status !== 200 || answerRows(answer.text) !== rows) throw new Error(`answered ${answer.status}: ${answer.text.slice(0, 300)}`);
}

async function waitListening(agent: Agent, port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      await post(agent, port, '/v1/sql', '{}');
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`nothing listens on ${port}`);
}

function report(options: RunFlags, samples: ReadonlyMap<string, readonly Sample[]>): void {
  const micros = (values: readonly (number | null)[]): string => (values.some((value) => value === null) ? 'n/a' : median(values as number[]).toFixed(1));
  const rate = (name: string): number => median((samples.get(name) ?? []).map((sample) => sample.measurement.perSecond));
  const lines = [
    '',
    `Machine: ${cpuModel()}, ${availableParallelism()} cores; Node ${process.version}; ${options.runs} rounds of ${options.measureSeconds} s at ${options.clients} clients`,
    '',
    ...measurementTableHeader,
    ...[...samples].map(([name, list]) => measurementRow(name, list.map((sample) => sample.measurement))),
    '',
    '| target (medians) | server CPU µs/request | load generator CPU µs/request |',
    '|---|--:|--:|',
    ...[...samples].map(([name, list]) => `| ${name} | ${micros(list.map((sample) => sample.serverMicros))} | ${micros(list.map((sample) => sample.clientMicros))} |`),
    '',
    `Rates: TideDB point SELECT / bare fastify ${fmtRatio(rate('TideDB, point SELECT by primary key') / rate('bare fastify, canned one-row answer'))}; bare fastify / MariaDB ${fmtRatio(rate('bare fastify, canned one-row answer') / rate('MariaDB, point SELECT by primary key (mysql2)'))}; TideDB point SELECT / MariaDB ${fmtRatio(rate('TideDB, point SELECT by primary key') / rate('MariaDB, point SELECT by primary key (mysql2)'))}`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

await main();
