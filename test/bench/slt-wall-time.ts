/**
 * The whole sqllogictest corpus's wall time on TideDB's MySQL port beside MariaDB, on the same
 * machine, in one run, through the same mysql2 client code: issue 6's "whole
 * ../shared/sqllogictest run" measure, as a ratio of median wall times.
 *
 *   npm run build && npx tsc -p test/bench/tsconfig.json && node .tmp/bench-build/bench/slt-wall-time.js
 *       [--runs N] [--mysql HOST:PORT] [--corpus DIR] [--ports HTTP,MYSQL] [--cpu-prof-dir DIR] [--build] [files or folders…]
 *
 * TideDB is ONE fresh node for the whole run (a child process, data dir under .tmp/, HTTP and
 * MySQL on --ports, default 29200,29201; under node --cpu-prof with --cpu-prof-dir); MariaDB is the local server (root, no password). Each
 * script gets a fresh database on each system (MariaDB's created COLLATE utf8mb4_bin, TideDB's
 * default collation), a fresh connection using it, and is dropped after; a file's time counts
 * all of that. Each round runs every script on both systems, the one that goes first
 * alternating from round to round. MariaDB runs with its server defaults (sql_mode included).
 *
 * Values reach the runner as mysql2 gives them, with the same options on both sides, chosen
 * to match the HTTP contract the in-process corpus run reads: integers past 2^53 and DECIMAL
 * as exact strings, dates as text, doubles as numbers. Records that pass in process
 * (test/slt/passing.txt) but fail over TideDB's MySQL port are listed after the tables: the
 * protocol path answering differently, not a slower engine.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, release } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import mysql from 'mysql2/promise';
import type { Connection, ConnectionOptions, RowDataPacket } from 'mysql2/promise';
import { scriptFiles } from '../slt/corpus-files.js';
import { runScript } from '../slt/slt-runner.js';
import type { RecordOutcome, SqlAnswer, SqlClient } from '../slt/slt-runner.js';
import { ensureBuilt, repoRoot } from './bench-build.js';
import { cpuModel, fmtRatio, median, positive } from './bench-measure.js';
import { scratchDir } from './bench-process.js';
import { TideNode } from './tidedb-node.js';
import type { NodePorts } from './tidedb-node.js';

interface Options {
  runs: number;
  mysqlHost: string;
  mysqlPort: number;
  corpus: string;
  ports: NodePorts;
  build: boolean;
  cpuProfDir: string | null;
  paths: string[];
}

function parseOptions(argv: readonly string[], root: string): Options {
  const options: Options = { runs: 3, mysqlHost: '127.0.0.1', mysqlPort: 3306, corpus: join(root, '../shared/sqllogictest'), ports: { http: 29200, mysql: 29201 }, build: false, cpuProfDir: null, paths: [] };
  for (let at = 0; at < argv.length; at++) {
    const [flag, value] = [argv[at]!, argv[at + 1]];
    if (flag === '--runs') options.runs = Math.round(positive(flag, value));
    else if (flag === '--mysql') [options.mysqlHost, options.mysqlPort] = [value?.split(':')[0] || '127.0.0.1', positive(flag, value?.split(':')[1] ?? '3306')];
    else if (flag === '--corpus') options.corpus = value ?? '';
    else if (flag === '--ports') options.ports = { http: positive(flag, value?.split(',')[0]), mysql: positive(flag, value?.split(',')[1]) };
    else if (flag === '--cpu-prof-dir') options.cpuProfDir = value ?? '';
    else if (flag === '--build') options.build = true;
    else if (flag.startsWith('--')) throw new Error(`unknown flag ${flag} (see the header of test/bench/slt-wall-time.ts)`);
    else options.paths.push(flag);
    if (flag === '--runs' || flag === '--mysql' || flag === '--corpus' || flag === '--ports' || flag === '--cpu-prof-dir') at++;
  }
  return options;
}

// One script of the corpus, read before any timing starts.
interface Script {
  readonly name: string;
  readonly text: string;
}

interface FileRun {
  readonly name: string;
  readonly seconds: number;
  readonly outcomes: readonly RecordOutcome[];
}

interface SystemRun {
  readonly seconds: number;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly files: readonly FileRun[];
}

// A server the corpus runs on, as both are reached: root over the MySQL protocol.
interface System {
  readonly name: 'TideDB' | 'MariaDB';
  readonly connection: ConnectionOptions;
  // The clause after CREATE DATABASE that gives the system TideDB's collation.
  readonly databaseClause: string;
}

// The same options on both sides, so that neither pays a conversion the other does not:
// exact strings where a number would lose digits (as the HTTP contract gives them), dates as
// the server's text, rows as arrays the runner indexes by column.
const clientOptions = { user: 'root', supportBigNumbers: true, bigNumberStrings: true, decimalNumbers: false, dateStrings: true, rowsAsArray: true, connectTimeout: 10_000 } as const;

// A server error is an answer the runner judges; a lost connection or a client fault ends the
// run, since timing a corpus that stopped being run measures nothing.
function sqlClient(connection: Connection): SqlClient {
  return {
    async run(sql: string): Promise<SqlAnswer> {
      try {
        const [rows] = await connection.query({ sql, rowsAsArray: true });
        return { ok: true, rows: Array.isArray(rows) ? (rows as unknown as unknown[][]) : [] };
      } catch (error) {
        const { errno, fatal, message } = error as { errno?: number; fatal?: boolean; message: string };
        if (errno === undefined || fatal === true) throw error;
        return { ok: false, code: String(errno), message };
      }
    },
  };
}

// One script in a database of its own on `system`: made, used by a fresh connection, dropped.
async function runScriptIn(system: System, admin: Connection, database: string, script: Script): Promise<readonly RecordOutcome[]> {
  await admin.query(`DROP DATABASE IF EXISTS ${database}`);
  await admin.query(`CREATE DATABASE ${database}${system.databaseClause}`);
  const connection = await mysql.createConnection({ ...system.connection, ...clientOptions, database });
  try {
    return (await runScript(script.text, sqlClient(connection))).outcomes;
  } finally {
    await connection.end();
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
  }
}

async function runCorpus(system: System, scripts: readonly Script[]): Promise<SystemRun> {
  const admin = await mysql.createConnection({ ...system.connection, ...clientOptions });
  const files: FileRun[] = [];
  const started = performance.now();
  try {
    for (const script of scripts) {
      const fileStarted = performance.now();
      const outcomes = await runScriptIn(system, admin, 'slt_wall_time', script);
      files.push({ name: script.name, seconds: (performance.now() - fileStarted) / 1000, outcomes });
    }
  } finally {
    await admin.end();
  }
  const count = (kind: RecordOutcome['kind']): number => files.reduce((total, file) => total + file.outcomes.filter((outcome) => outcome.kind === kind).length, 0);
  return { seconds: (performance.now() - started) / 1000, passed: count('passed'), failed: count('failed'), skipped: count('skipped'), files };
}

// A node answers HTTP as leader a moment before its MySQL listener may take connections.
async function connectWhenListening(options: ConnectionOptions): Promise<Connection> {
  const deadline = performance.now() + 10_000;
  for (;;) {
    try {
      return await mysql.createConnection(options);
    } catch (error) {
      if (performance.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function serverVersion(system: System): Promise<string> {
  const connection = await connectWhenListening({ ...system.connection, ...clientOptions, rowsAsArray: false });
  try {
    const [rows] = await connection.query<RowDataPacket[]>('SELECT VERSION() AS v');
    return String(rows[0]?.['v']);
  } finally {
    await connection.end();
  }
}

async function main(): Promise<void> {
  const root = repoRoot();
  const options = parseOptions(process.argv.slice(2), root);
  ensureBuilt(root, options.build);
  const scripts = scriptFiles(options.paths.length > 0 ? options.paths : [options.corpus]).map((file) => ({ name: relative(options.corpus, file), text: readFileSync(file, 'utf8') }));
  const { dir, cleanup } = scratchDir(root, 'slt-wall-time-');
  const loadBefore = loadavg();
  const runs: Record<System['name'], SystemRun[]> = { TideDB: [], MariaDB: [] };
  const mariadb: System = { name: 'MariaDB', connection: { host: options.mysqlHost, port: options.mysqlPort }, databaseClause: ' COLLATE utf8mb4_bin' };
  const tidedb: System = { name: 'TideDB', connection: { host: '127.0.0.1', port: options.ports.mysql }, databaseClause: '' };
  const node = await TideNode.start(root, join(dir, 'tidedb'), 1, options.cpuProfDir, { ports: options.ports });
  let versions = { tidedb: '', mariadb: '' };
  try {
    versions = { tidedb: await serverVersion(tidedb), mariadb: await serverVersion(mariadb) };
    for (let round = 1; round <= options.runs; round++) {
      // Alternating who goes first, so that drift in the machine's load hits both alike.
      for (const system of round % 2 === 1 ? [tidedb, mariadb] : [mariadb, tidedb]) {
        const run = await runCorpus(system, scripts);
        runs[system.name].push(run);
        console.log(`round ${round}: ${system.name.padEnd(7)} ${run.seconds.toFixed(1).padStart(7)} s  ${run.passed} passed, ${run.failed} failed, ${run.skipped} skipped`);
      }
    }
  } finally {
    await node.stop();
    cleanup();
  }
  report({ options, scripts, runs, versions, loads: [loadBefore, loadavg()] });
  const passingInProcess = new Set(readFileSync(join(root, 'test/slt/passing.txt'), 'utf8').split('\n').filter((line) => line !== ''));
  reportDifferences(runs.TideDB[0], passingInProcess);
}

interface Report {
  readonly options: Options;
  readonly scripts: readonly Script[];
  readonly runs: Record<System['name'], SystemRun[]>;
  readonly versions: { readonly tidedb: string; readonly mariadb: string };
  readonly loads: readonly (readonly number[])[];
}

function report({ options, scripts, runs, versions, loads }: Report): void {
  const names = ['TideDB', 'MariaDB'] as const;
  const medianOf = (name: System['name'], pick: (run: SystemRun) => number): number => median(runs[name].map(pick));
  const load = (values: readonly number[]): string => values.map((value) => value.toFixed(2)).join(' ');
  const lines = [
    '',
    '### Machine',
    '',
    `- CPU: ${cpuModel()}, ${availableParallelism()} cores (nproc); Linux ${release()}; load average (1, 5, 15 min) ${load(loads[0]!)} before, ${load(loads[1]!)} after`,
    `- Node ${process.version}; TideDB ${versions.tidedb} (one node, MySQL port); MariaDB ${versions.mariadb} (InnoDB, server defaults), on the same machine`,
    `- ${scripts.length} script files; ${options.runs} round(s); mysql2 for both, one connection per script, a fresh database per script`,
    '',
    '### Per round',
    '',
    '| round | system | wall s | passed | failed | skipped |',
    '|--:|---|--:|--:|--:|--:|',
    ...runs.TideDB.flatMap((_, at) => names.map((name) => {
      const run = runs[name][at]!;
      return `| ${at + 1} | ${name} | ${run.seconds.toFixed(1)} | ${run.passed} | ${run.failed} | ${run.skipped} |`;
    })),
    '',
    '### Medians',
    '',
    '| system | wall s (median) | per round (s) | passed | failed | skipped |',
    '|---|--:|---|--:|--:|--:|',
    ...names.map((name) => `| ${name} | ${medianOf(name, (run) => run.seconds).toFixed(1)} | ${runs[name].map((run) => run.seconds.toFixed(1)).join(', ')} | ${medianOf(name, (run) => run.passed)} | ${medianOf(name, (run) => run.failed)} | ${medianOf(name, (run) => run.skipped)} |`),
    '',
    '| ratio TideDB / MariaDB (of median wall time) | value |',
    '|---|--:|',
    `| ${options.paths.length > 0 ? options.paths.join(' ') : 'the whole corpus'} | ${fmtRatio(medianOf('TideDB', (run) => run.seconds) / medianOf('MariaDB', (run) => run.seconds))} |`,
    '',
    '### Slowest files (median seconds over rounds)',
    '',
    '| system | file | s | share of the run |',
    '|---|---|--:|--:|',
    ...names.flatMap((name) => slowestFiles(runs[name], 5).map(({ file, seconds, share }) => `| ${name} | ${file} | ${seconds.toFixed(1)} | ${(share * 100).toFixed(0)}% |`)),
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

function slowestFiles(runs: readonly SystemRun[], count: number): { file: string; seconds: number; share: number }[] {
  const total = median(runs.map((run) => run.seconds));
  const files = runs[0]?.files.map((file) => file.name) ?? [];
  return files
    .map((file) => ({ file, seconds: median(runs.map((run) => run.files.find((each) => each.name === file)?.seconds ?? Number.NaN)) }))
    .sort((a, b) => b.seconds - a.seconds)
    .slice(0, count)
    .map((entry) => ({ ...entry, share: entry.seconds / total }));
}

// Records that pass in process but not over the MySQL port: the first few in full, the rest
// counted per file, so the cause can be found without rerunning.
function reportDifferences(run: SystemRun | undefined, passingInProcess: ReadonlySet<string>): void {
  if (run === undefined) return;
  const differing = run.files.flatMap((file) => file.outcomes.filter((outcome) => outcome.kind === 'failed' && passingInProcess.has(`${file.name}:${outcome.line}`)).map((outcome) => ({ file: file.name, outcome })));
  const lines = ['', `### Passing in process, failing over TideDB's MySQL port (round 1): ${differing.length}`, ''];
  for (const { file, outcome } of differing.slice(0, 10)) {
    if (outcome.kind !== 'failed') continue;
    lines.push(`- ${file}:${outcome.line}: ${outcome.why}`, `    ${outcome.sql.split('\n').join(' ').slice(0, 300)}`);
  }
  const perFile = new Map<string, number>();
  for (const { file } of differing) perFile.set(file, (perFile.get(file) ?? 0) + 1);
  if (perFile.size > 0) lines.push('', [...perFile].map(([file, count]) => `${file}: ${count}`).join(', '));
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
