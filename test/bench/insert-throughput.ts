/**
 * Single-row INSERT throughput: the disk's one-at-a-time fsync rate, TideDB over HTTP and
 * MariaDB over its own protocol, measured in one run so that the figures share a machine,
 * a disk and a moment of background load.
 *
 *   npx tsc -p test/bench/tsconfig.json && node .tmp/bench-build/bench/insert-throughput.js
 *       [--runs N] [--clients N] [--seconds S] [--warmup S] [--fsync-seconds S]
 *       [--mysql HOST:PORT] [--no-mariadb] [--build] [--cpu-prof] [--session-processes N] [--session-http true|false]
 *       [--protocol http|mysql]
 *
 * Each round measures, in this order: the raw fsync rate (4 KiB appended to a file, then
 * fdatasync, one at a time), then TideDB and MariaDB, whose order alternates from round to
 * round, each at N clients and at 1 client. TideDB is a fresh node per round, a child
 * process on a free port with its data dir under .tmp/ (the disk the fsync probe used),
 * reached over HTTP keep-alive or, with --protocol mysql, on its MySQL port through mysql2
 * prepared statements, the client and statements MariaDB gets.
 * The summary reports medians over the rounds, because the machine is shared and noisy.
 *
 * The result, and how to read it, is in docs/BENCHMARKS.md.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, release } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { RunFlags } from './bench-measure.js';
import { closedLoop, cpuModel, positive, readRunFlag, describeMeasurement as describe, fmtRatio, fsyncRate, measurementRow as row, measurementTableHeader, medianMeasurement as med } from './bench-measure.js';
import type { Measurement } from './bench-measure.js';
import { ensureBuilt, repoRoot } from './bench-build.js';
import { freePort, liveChildren as live } from './bench-process.js';
import { TideNode } from './tidedb-node.js';
import { freshMariaDatabase } from './maria-database.js';

// ---------------------------------------------------------------------------
// Options

interface Options extends RunFlags {
  fsyncSeconds: number;
  mariadb: boolean;
  cpuProf: boolean;
  // How TideDB is reached: its HTTP API, or its MySQL port as MariaDB is.
  protocol: 'http' | 'mysql';
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = {
    runs: 3,
    clients: 16,
    measureSeconds: 5,
    warmupSeconds: 1,
    fsyncSeconds: 3,
    mysqlHost: '127.0.0.1',
    mysqlPort: 3306,
    mariadb: true,
    build: false,
    cpuProf: false,
    protocol: 'http',
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const last = readRunFlag(options, argv, i);
    if (last !== null) {
      i = last;
      continue;
    }
    switch (flag) {
      case '--fsync-seconds': options.fsyncSeconds = positive(flag, argv[++i]); break;
      case '--no-mariadb': options.mariadb = false; break;
      case '--cpu-prof': options.cpuProf = true; break;
      case '--protocol': {
        const protocol = argv[++i];
        if (protocol !== 'http' && protocol !== 'mysql') throw new Error('--protocol is http or mysql');
        options.protocol = protocol;
        break;
      }
      default: throw new Error(`unknown flag ${flag} (see the header of ${relative(process.cwd(), fileURLToPath(import.meta.url))})`);
    }
  }
  return options;
}

// ---------------------------------------------------------------------------
// TideDB: a child process per round

const createTable = 'CREATE TABLE bench (id BIGINT PRIMARY KEY, name VARCHAR(64), score DOUBLE)';
const insertRow = 'INSERT INTO bench (id, name, score) VALUES (?, ?, ?)';

// Ids are unique across the whole run, whichever system and round uses them.
let nextId = 1;
function nextRow(): [number, string, number] {
  const id = nextId++;
  return [id, `name-${id}`, id + 0.5];
}

async function measureTide(root: string, runDir: string, options: Options, cpuProfDir: string | null): Promise<{ many: Measurement; one: Measurement }> {
  const ports = options.protocol === 'mysql' ? { http: await freePort(), mysql: await freePort() } : null;
  const node = await TideNode.start(root, join(runDir, 'tidedb'), options.clients, cpuProfDir, { ports, sessionProcesses: options.sessionProcesses, sessionHttp: options.sessionHttp });
  // The node's default database holds the table either way.
  const pool = ports === null ? null : mysql.createPool({ host: '127.0.0.1', port: ports.mysql, user: 'root', connectionLimit: options.clients });
  try {
    await node.sql(createTable, []);
    const insert = async (): Promise<void> => {
      const affected = pool === null ? (await node.sql(insertRow, nextRow())).rows_affected : (await pool.execute<mysql.ResultSetHeader>(insertRow, nextRow()))[0].affectedRows;
      if (affected !== 1) throw new Error(`tidedb insert affected ${affected} rows`);
    };
    const many = await closedLoop(options.clients, options.warmupSeconds, options.measureSeconds, insert);
    const one = await closedLoop(1, options.warmupSeconds, options.measureSeconds, insert);
    return { many, one };
  } finally {
    await pool?.end();
    await node.stop();
  }
}

// ---------------------------------------------------------------------------
// MariaDB

const mariaDatabase = 'tidedb_bench';

interface MariaInfo {
  readonly version: string;
  readonly settings: Record<string, string>;
}

async function mariaInfo(pool: Pool): Promise<MariaInfo> {
  const [versionRows] = await pool.query<RowDataPacket[]>('SELECT VERSION() AS v');
  const [settingRows] = await pool.query<RowDataPacket[]>(
    "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('innodb_flush_log_at_trx_commit', 'sync_binlog', 'log_bin', 'innodb_flush_method', 'innodb_doublewrite')",
  );
  const settings: Record<string, string> = {};
  for (const row of settingRows) settings[String(row['Variable_name'])] = String(row['Value']);
  return { version: String(versionRows[0]?.['v']), settings };
}

async function measureMaria(pool: Pool, options: Options): Promise<{ many: Measurement; one: Measurement }> {
  // A fresh table per round, as TideDB gets a fresh node.
  await pool.query('DROP TABLE IF EXISTS bench');
  await pool.query('CREATE TABLE bench (id BIGINT PRIMARY KEY, name VARCHAR(64), score DOUBLE) ENGINE=InnoDB');
  const insert = async (): Promise<void> => {
    const [result] = await pool.execute<mysql.ResultSetHeader>(insertRow, nextRow());
    if (result.affectedRows !== 1) throw new Error(`mariadb insert affected ${result.affectedRows} rows`);
  };
  const many = await closedLoop(options.clients, options.warmupSeconds, options.measureSeconds, insert);
  const one = await closedLoop(1, options.warmupSeconds, options.measureSeconds, insert);
  return { many, one };
}

// ---------------------------------------------------------------------------
// Setup, cleanup and the run

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const root = repoRoot();
  ensureBuilt(root, options.build);

  mkdirSync(join(root, '.tmp'), { recursive: true });
  const benchDir = mkdtempSync(join(root, '.tmp', 'bench-insert-'));
  const cpuProfDir = options.cpuProf ? join(root, '.tmp', 'bench-prof') : null;
  let pool: Pool | null = null;

  const cleanup = async (): Promise<void> => {
    for (const child of live) child.kill('SIGKILL');
    if (pool !== null) {
      await pool.query(`DROP DATABASE IF EXISTS ${mariaDatabase}`).catch(() => undefined);
      await pool.end().catch(() => undefined);
      pool = null;
    }
    rmSync(benchDir, { recursive: true, force: true });
  };
  const interrupted = (): void => {
    process.stderr.write('\ninterrupted: cleaning up\n');
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  const samples = { fsync: [] as Measurement[], tideMany: [] as Measurement[], tideOne: [] as Measurement[], mariaMany: [] as Measurement[], mariaOne: [] as Measurement[] };
  let maria: MariaInfo | null = null;
  try {
    if (options.mariadb) {
      // Created here (byte-ordered, as TideDB's default collation is) and dropped at the end.
      pool = await freshMariaDatabase(options, mariaDatabase, options.clients);
      maria = await mariaInfo(pool);
    }

    const c = options.clients;
    for (let round = 0; round < options.runs; round++) {
      const runDir = join(benchDir, `round-${round}`);
      mkdirSync(runDir, { recursive: true });
      process.stdout.write(`round ${round + 1}/${options.runs}\n`);
      const fsync = fsyncRate(runDir, options.fsyncSeconds);
      samples.fsync.push(fsync);
      process.stdout.write(`  raw fdatasync       ${describe(fsync)}\n`);

      const tide = async (): Promise<void> => {
        const { many, one } = await measureTide(root, runDir, options, cpuProfDir);
        samples.tideMany.push(many);
        samples.tideOne.push(one);
        process.stdout.write(`  TideDB  ${String(c).padStart(2)} clients  ${describe(many)}\n  TideDB   1 client   ${describe(one)}\n`);
      };
      const mariadb = async (): Promise<void> => {
        if (pool === null) return;
        const { many, one } = await measureMaria(pool, options);
        samples.mariaMany.push(many);
        samples.mariaOne.push(one);
        process.stdout.write(`  MariaDB ${String(c).padStart(2)} clients  ${describe(many)}\n  MariaDB  1 client   ${describe(one)}\n`);
      };
      // Alternate which system goes first, so neither always runs on a warmer (or busier) machine.
      if (round % 2 === 0) {
        await tide();
        await mariadb();
      } else {
        await mariadb();
        await tide();
      }
      rmSync(runDir, { recursive: true, force: true });
    }
  } finally {
    await cleanup();
  }

  report(options, samples, maria, cpuProfDir);
}

function report(
  options: Options,
  samples: Record<'fsync' | 'tideMany' | 'tideOne' | 'mariaMany' | 'mariaOne', Measurement[]>,
  maria: MariaInfo | null,
  cpuProfDir: string | null,
): void {
  const c = options.clients;
  const fsync = med(samples.fsync).perSecond;
  const tideMany = med(samples.tideMany).perSecond;
  const tideOne = med(samples.tideOne).perSecond;
  const mariaMany = samples.mariaMany.length === 0 ? Number.NaN : med(samples.mariaMany).perSecond;
  const mariaOne = samples.mariaOne.length === 0 ? Number.NaN : med(samples.mariaOne).perSecond;

  const settings = maria === null ? 'not measured' : Object.entries(maria.settings).map(([k, v]) => `${k}=${v}`).join(', ');
  const lines = [
    '',
    '### Machine',
    '',
    `- CPU: ${cpuModel()}, ${availableParallelism()} cores (nproc); Linux ${release()}`,
    `- Node ${process.version}; MariaDB ${maria?.version ?? 'not measured'}`,
    `- MariaDB durability: ${settings}`,
    `- ${options.runs} rounds; each: ${options.fsyncSeconds} s fsync probe, then per system ${options.warmupSeconds} s warm-up + ${options.measureSeconds} s measured, at ${c} clients and at 1`,
    '',
    '### Medians',
    '',
    ...measurementTableHeader,
    row('raw fdatasync, 4 KiB append, one at a time', samples.fsync),
    row(`TideDB, ${c} clients (${options.protocol === 'mysql' ? 'MySQL protocol, mysql2 prepared statements' : 'HTTP keep-alive'})`, samples.tideMany),
    row('TideDB, 1 client', samples.tideOne),
    row(`MariaDB InnoDB, ${c} connections (autocommit)`, samples.mariaMany),
    row('MariaDB InnoDB, 1 connection', samples.mariaOne),
    '',
    '| ratio (of medians) | value |',
    '|---|--:|',
    `| TideDB@${c} / raw fsync rate | ${fmtRatio(tideMany / fsync)} |`,
    `| TideDB@${c} / MariaDB@${c} | ${fmtRatio(tideMany / mariaMany)} |`,
    `| TideDB@${c} / TideDB@1 | ${fmtRatio(tideMany / tideOne)} |`,
    `| TideDB@1 / raw fsync rate | ${fmtRatio(tideOne / fsync)} |`,
    `| MariaDB@${c} / MariaDB@1 | ${fmtRatio(mariaMany / mariaOne)} |`,
    '',
  ];
  if (cpuProfDir !== null) lines.push(`CPU profiles of the TideDB nodes: ${cpuProfDir}`, '');
  process.stdout.write(lines.join('\n'));
}

await main();
