/**
 * sysbench's OLTP workloads against TideDB's MySQL port and MariaDB on the same machine, in one
 * run, interleaved round by round: oltp_point_select, oltp_read_only and oltp_read_write, at 16
 * and 64 threads, on one table of --table-size rows prepared by sysbench itself.
 *
 *   apt-get install -y sysbench   # once
 *   npm run build && npx tsc -p test/bench/tsconfig.json && node .tmp/bench-build/bench/sysbench.js
 *       [--runs R] [--seconds S] [--threads 16,64] [--table-size N] [--tests point_select,read_only,read_write]
 *       [--isolation repeatable-read|serializable] [--session-processes 0,1] [--floor]
 *
 * --session-processes lists the TideDB nodes measured, by their --session-processes: each is a
 * system of its own in the results (TideDB, TideDB+1…), beside MariaDB. --floor adds, for
 * point selects, a Node server that answers each with a canned row through TideDB's own protocol
 * code (bare-mysql-server.ts): what any Node server pays per query on this path. Beside each
 * rate, the CPU (user + system) the server's processes used per transaction, from /proc over
 * the run: steadier than the rate on a noisy machine, and what the goals come down to.
 * TideDB is a fresh single node per round (a child process, data dir under .tmp/), reached on
 * its MySQL port as root from loopback; MariaDB is the local server (127.0.0.1:3306, root), in
 * a database of the benchmark's own. TideDB's transactions run at --isolation (its
 * --transaction-isolation; default repeatable-read, the level MariaDB runs sysbench at). Both get the same sysbench command lines. sysbench counts
 * a transaction's deadlock errors (1213, TideDB's optimistic conflicts) as "ignored errors" and
 * retries it; they are reported beside the rates.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './bench-build.js';
import { cpuModel, median } from './bench-measure.js';
import { freePort, liveChildren, stopChild, track } from './bench-process.js';

const run = promisify(execFile);

interface Options {
  runs: number;
  seconds: number;
  threads: number[];
  tableSize: number;
  tests: string[];
  isolation: string;
  sessionProcesses: number[];
  floor: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = { runs: 3, seconds: 10, threads: [16, 64], tableSize: 10_000, tests: ['point_select', 'read_only', 'read_write'], isolation: 'repeatable-read', sessionProcesses: [0, 1], floor: false };
  for (let at = 0; at < argv.length; at += 2) {
    const [flag, value] = [argv[at]!, argv[at + 1] ?? ''];
    if (flag === '--floor') {
      options.floor = true;
      at--;
      continue;
    }
    if (flag === '--runs') options.runs = Number(value);
    else if (flag === '--seconds') options.seconds = Number(value);
    else if (flag === '--threads') options.threads = value.split(',').map(Number);
    else if (flag === '--table-size') options.tableSize = Number(value);
    else if (flag === '--tests') options.tests = value.split(',');
    else if (flag === '--isolation') options.isolation = value;
    else if (flag === '--session-processes') options.sessionProcesses = value.split(',').map(Number);
    else throw new Error(`unknown flag ${flag} (see the header of test/bench/sysbench.ts)`);
  }
  return options;
}

interface Target {
  readonly name: string;
  readonly port: number;
  readonly database: string;
  // The processes that serve it, whose CPU is counted (a node's session processes with it).
  readonly pids: () => readonly number[];
  // Answers point selects only (the floor).
  readonly pointSelectsOnly?: boolean;
}

interface Sample {
  readonly tps: number;
  readonly qps: number;
  readonly p95Ms: number;
  readonly errorsPerSecond: number;
  // The server's CPU per transaction, µs.
  readonly cpuMicros: number;
}

// CPU time (user + system) the processes have used so far, in µs; Linux counts it in ticks of 10 ms.
function cpuMicrosOf(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the command's name, which may hold ') ' itself.
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * 10_000;
}

// A process and its children (a node's session processes), as /proc lists them now.
function processTree(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[1]));
    } catch {
      // gone since it was listed
    }
  }
  const tree = [root];
  for (let at = 0; at < tree.length; at++) for (const [pid, parent] of parents) if (parent === tree[at]) tree.push(pid);
  return tree;
}

// The local MariaDB server's process.
function mariadbPid(): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (['mariadbd', 'mysqld'].includes(readFileSync(`/proc/${entry}/comm`, 'utf8').trim())) return Number(entry);
    } catch {
      // gone since it was listed
    }
  }
  throw new Error('no mariadbd process found');
}

function sysbenchArgs(test: string, target: Target, options: Options): string[] {
  return [`oltp_${test}`, '--mysql-host=127.0.0.1', `--mysql-port=${target.port}`, '--mysql-user=root', `--mysql-db=${target.database}`, '--tables=1', `--table-size=${options.tableSize}`, '--db-ps-mode=auto'];
}

async function mysqlClient(port: number, sql: string): Promise<void> {
  await run('mariadb', ['-h127.0.0.1', `-P${port}`, '-uroot', '-e', sql]);
}

async function prepare(target: Target, options: Options): Promise<void> {
  await mysqlClient(target.port, `DROP DATABASE IF EXISTS ${target.database}; CREATE DATABASE ${target.database}`);
  await run('sysbench', [...sysbenchArgs('point_select', target, options), 'prepare'], { maxBuffer: 16 * 1024 * 1024 });
}

async function measure(test: string, threads: number, target: Target, options: Options): Promise<Sample> {
  const pids = target.pids();
  const cpuBefore = cpuMicrosOf(pids);
  const { stdout } = await run('sysbench', [...sysbenchArgs(test, target, options), `--threads=${threads}`, `--time=${options.seconds}`, '--report-interval=0', 'run'], { maxBuffer: 16 * 1024 * 1024 });
  const rate = (label: string): number => Number(new RegExp(`${label}:\\s+\\d+\\s+\\(([0-9.]+) per sec`).exec(stdout)?.[1] ?? NaN);
  const cpuMicros = cpuMicrosOf(pids) - cpuBefore;
  const transactions = Number(/transactions:\s+(\d+)/.exec(stdout)?.[1] ?? NaN);
  return { tps: rate('transactions'), qps: rate('queries'), p95Ms: Number(/95th percentile:\s+([0-9.]+)/.exec(stdout)?.[1] ?? NaN), errorsPerSecond: rate('ignored errors'), cpuMicros: cpuMicros / transactions };
}

async function startTideDb(dataDir: string, isolation: string, sessionProcesses: number): Promise<{ child: ChildProcess; port: number }> {
  const [httpPort, mysqlPort] = [await freePort(), await freePort()];
  const child = track(spawn(process.execPath, [join(repoRoot(), 'dist/services/main.js'), '--data-dir', dataDir, '--port', String(httpPort), '--mysql-port', String(mysqlPort), '--log-level', 'warn', '--transaction-isolation', isolation, '--session-processes', String(sessionProcesses)], { stdio: ['ignore', 'ignore', 'inherit'] }));
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      await mysqlClient(mysqlPort, 'SELECT 1');
      return { child, port: mysqlPort };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error('TideDB did not answer on its MySQL port');
}

async function startFloor(): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = track(spawn(process.execPath, [join(repoRoot(), '.tmp/bench-build/bench/bare-mysql-server.js'), String(port)], { stdio: ['ignore', 'ignore', 'inherit'] }));
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      await mysqlClient(port, 'SELECT 1');
      return { child, port };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error('the floor server did not answer');
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const scratch = join(repoRoot(), '.tmp', 'bench-sysbench');
  mkdirSync(scratch, { recursive: true });
  console.log(`sysbench OLTP, TideDB (MySQL port) beside MariaDB: ${options.runs} rounds of ${options.seconds} s per test and thread count, table of ${options.tableSize} rows, TideDB transactions at ${options.isolation}; ${cpuModel()}, ${availableParallelism()} cores, Node ${process.version}`);
  const samples = new Map<string, Sample[]>();
  const keep = (key: string, sample: Sample): void => void samples.set(key, [...(samples.get(key) ?? []), sample]);
  const mariadb: Target = { name: 'MariaDB', port: 3306, database: 'sbtest_bench', pids: () => [mariadbPid()] };
  const floorName = 'Node floor';
  const tideName = (sessionProcesses: number): string => (sessionProcesses === 0 ? 'TideDB' : `TideDB+${sessionProcesses}`);
  for (let round = 1; round <= options.runs; round++) {
    const nodes: { child: ChildProcess; dataDir: string | null }[] = [];
    try {
      const targets: Target[] = [];
      for (const sessionProcesses of options.sessionProcesses) {
        const dataDir = mkdtempSync(join(scratch, 'node-'));
        const tide = await startTideDb(dataDir, options.isolation, sessionProcesses);
        nodes.push({ child: tide.child, dataDir });
        targets.push({ name: tideName(sessionProcesses), port: tide.port, database: 'sbtest', pids: () => processTree(tide.child.pid!) });
      }
      targets.push(mariadb);
      for (const target of targets) await prepare(target, options);
      if (options.floor) {
        const floor = await startFloor();
        nodes.push({ child: floor.child, dataDir: null });
        targets.push({ name: floorName, port: floor.port, database: 'sbtest', pids: () => [floor.child.pid!], pointSelectsOnly: true });
      }
      for (const test of options.tests) {
        for (const threads of options.threads) {
          // Interleaved per measurement, the first system moving each round, so drift hits all alike.
          const order = targets.map((_, at) => targets[(at + round - 1) % targets.length]!);
          for (const target of order) {
            if (target.pointSelectsOnly === true && test !== 'point_select') continue;
            const sample = await measure(test, threads, target, options);
            keep(`${target.name}|${test}|${threads}`, sample);
            console.log(`round ${round}: ${target.name.padEnd(8)} oltp_${test.padEnd(12)} ${String(threads).padStart(2)} threads  ${sample.tps.toFixed(0).padStart(7)} tps  ${sample.qps.toFixed(0).padStart(7)} qps  p95 ${sample.p95Ms.toFixed(2)} ms  conflicts retried ${sample.errorsPerSecond.toFixed(1)}/s  CPU ${sample.cpuMicros.toFixed(0)} µs/tx`);
          }
        }
      }
    } finally {
      for (const node of nodes) {
        await stopChild(node.child, 5000);
        if (node.dataDir !== null) rmSync(node.dataDir, { recursive: true, force: true });
      }
    }
  }
  await mysqlClient(3306, `DROP DATABASE IF EXISTS ${mariadb.database}`);
  console.log('\n| workload | threads | system | tps (qps) | p95 ms | / MariaDB (tps) | conflicts retried/s | server CPU µs/tx |');
  console.log('|---|--:|---|--:|--:|--:|--:|--:|');
  for (const test of options.tests) {
    for (const threads of options.threads) {
      const of = (name: string, pick: (sample: Sample) => number): number => median((samples.get(`${name}|${test}|${threads}`) ?? []).map(pick));
      const maria = of('MariaDB', (s) => s.tps);
      const floor = options.floor && test === 'point_select' ? [floorName] : [];
      for (const name of [...options.sessionProcesses.map(tideName), 'MariaDB', ...floor]) {
        const tps = of(name, (s) => s.tps);
        console.log(`| oltp_${test} | ${threads} | ${name} | ${tps.toFixed(0)} (${of(name, (s) => s.qps).toFixed(0)}) | ${of(name, (s) => s.p95Ms).toFixed(2)} | ${(tps / maria).toFixed(2)}× | ${of(name, (s) => s.errorsPerSecond).toFixed(1)} | ${of(name, (s) => s.cpuMicros).toFixed(0)} |`);
      }
    }
  }
}

process.on('SIGINT', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
  process.exit(130);
});

await main();
