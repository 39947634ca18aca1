/**
 * Linearizable point reads on three-member clusters on loopback, beside etcd, measured in one
 * run so that the figures share a machine and a moment of background load: TideDB's ReadIndex
 * reads on the leader and on the followers, its lease reads, and its stale reads, against
 * etcd's linearizable and serializable ranges (Debian `etcd-server`), driven by the load
 * generator of the commit benchmark (commit-driver.ts).
 *
 *   npx tsc -p test/bench/tsconfig.json && node .tmp/bench-build/bench/raft-reads.js
 *       [--runs N] [--seconds S] [--warmup S] [--concurrency 16,64] [--rows N]
 *       [--value-bytes N] [--no-etcd] [--build]
 *
 * Each variant, each round, gets a fresh cluster preloaded with the same keys and values (1,000
 * keys of 256 bytes by default), waits until its followers have applied them all, and is driven
 * at each concurrency in turn: each reader reads one random key and awaits the answer (checked
 * against the value loaded) before the next. Reads to "the followers" alternate between both.
 *   TideDB: `SELECT v FROM kv WHERE k = ?`; linearizable to the leader, linearizable to the
 *     followers, `"consistency": "stale"` to the followers, and linearizable to the leader of a
 *     cluster started with `--lease-reads true`.
 *   etcd: `POST /v3/kv/range` of the key; linearizable (etcd's default) to the leader and to the
 *     followers, and `serializable: true` to the followers.
 * etcd and TideDB alternate which goes first from round to round. The summary reports medians
 * over the rounds, because the machine is shared and noisy, and the ratios between variants.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, release } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { cpuModel, fmtRatio, measurementRow, measurementTableHeader, medianMeasurement, positive } from './bench-measure.js';
import type { Measurement } from './bench-measure.js';
import { ensureBuilt, repoRoot } from './bench-build.js';
import { scratchDir } from './bench-process.js';
import { driveTarget, readClusterFlag } from './commit-driver.js';
import type { ClusterFlags, DriveOptions, WriteTarget } from './commit-driver.js';
import { EtcdCluster, etcdVersionIfWanted } from './etcd-cluster.js';
import { TideCluster } from './tidedb-cluster.js';
import type { TideConsistency } from './tidedb-sql.js';

interface Options extends Readonly<ClusterFlags> {
  readonly rows: number;
  readonly clientNoun: string;
}

function parseOptions(argv: readonly string[]): Options {
  const options = { runs: 3, measureSeconds: 5, warmupSeconds: 1, concurrencies: [16, 64], rows: 1000, valueBytes: 256, etcd: true, build: false, clientNoun: 'readers' };
  for (let i = 0; i < argv.length; i++) {
    const last = readClusterFlag(options, argv, i);
    if (last !== null) {
      i = last;
    } else if (argv[i] === '--rows') {
      options.rows = Math.round(positive('--rows', argv[++i]));
    } else {
      throw new Error(`unknown flag ${argv[i]} (see the header of ${relative(process.cwd(), fileURLToPath(import.meta.url))})`);
    }
  }
  return options;
}

// The preloaded data, the same in both systems: key n and a value that names n, padded to the
// value size, so that a reader can tell it got the row it asked for.
const keyOf = (n: number): string => `bench/key/${n}`;
const valueOf = (n: number, valueBytes: number): string => `value-${n}-`.padEnd(valueBytes, 'x');
const randomKey = (rows: number): number => Math.floor(Math.random() * rows);

const settleTimeoutMs = 20_000;

// Waits until `visible` holds: a follower's local (stale or serializable) read of the last key
// loaded, which each member applies in log order after every earlier one. Without it the first
// stale reads could miss rows still on their way, and fail the run.
async function untilVisible(what: string, visible: () => Promise<boolean>): Promise<void> {
  const deadline = performance.now() + settleTimeoutMs;
  while (!(await visible())) {
    if (performance.now() > deadline) throw new Error(`${what}: the preloaded rows were not applied within ${settleTimeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// Stops a cluster after its loops; an election during them is said out loud, since the
// variant then measured something else for part of its run.
async function stopNoting(name: string, cluster: { sameLeader(): Promise<boolean>; stop(): Promise<void> }): Promise<void> {
  const same = await cluster.sameLeader().catch(() => false);
  await cluster.stop();
  if (!same) process.stdout.write(`  note: the leader changed during the ${name} run; some of its reads did not go where the variant says\n`);
}

function checkValue(system: string, n: number, got: string | null, valueBytes: number): void {
  if (got !== valueOf(n, valueBytes)) throw new Error(`${system} read of ${keyOf(n)} answered ${got === null ? 'no row' : `"${got.slice(0, 40)}…"`}`);
}

interface Variant {
  readonly name: string;
  readonly shortName: string;
  readonly via: 'leader' | 'followers';
}

interface TideVariant extends Variant {
  readonly consistency: TideConsistency;
  readonly leaseReads: boolean;
}

interface EtcdVariant extends Variant {
  readonly serializable: boolean;
}

const tideVariants: readonly TideVariant[] = [
  { name: 'TideDB, linearizable, leader', shortName: 'TideDB-lin-leader', via: 'leader', consistency: 'linearizable', leaseReads: false },
  { name: 'TideDB, linearizable, followers', shortName: 'TideDB-lin-followers', via: 'followers', consistency: 'linearizable', leaseReads: false },
  { name: 'TideDB, stale, followers', shortName: 'TideDB-stale-followers', via: 'followers', consistency: 'stale', leaseReads: false },
  { name: 'TideDB, lease reads, leader', shortName: 'TideDB-lease-leader', via: 'leader', consistency: 'linearizable', leaseReads: true },
];

const etcdVariants: readonly EtcdVariant[] = [
  { name: 'etcd, linearizable, leader', shortName: 'etcd-lin-leader', via: 'leader', serializable: false },
  { name: 'etcd, linearizable, followers', shortName: 'etcd-lin-followers', via: 'followers', serializable: false },
  { name: 'etcd, serializable, followers', shortName: 'etcd-serializable-followers', via: 'followers', serializable: true },
];

const createTable = (valueBytes: number): string => `CREATE TABLE kv (k VARCHAR(64) PRIMARY KEY, v VARCHAR(${valueBytes}))`;
const selectValue = 'SELECT v FROM kv WHERE k = ?';
// Rows per preloading INSERT: few statements, each far below a transaction's size limit.
const preloadBatchRows = 100;

async function preloadTide(cluster: TideCluster, options: Options): Promise<void> {
  const leader = cluster.port('leader');
  await cluster.sql(leader, createTable(options.valueBytes), []);
  for (let first = 0; first < options.rows; first += preloadBatchRows) {
    const ns = Array.from({ length: Math.min(preloadBatchRows, options.rows - first) }, (_, at) => first + at);
    const sql = `INSERT INTO kv (k, v) VALUES ${ns.map(() => '(?, ?)').join(', ')}`;
    const result = await cluster.sql(leader, sql, ns.flatMap((n) => [keyOf(n), valueOf(n, options.valueBytes)]));
    if (result.rows_affected !== ns.length) throw new Error(`tidedb preload affected ${result.rows_affected} rows, not ${ns.length}`);
  }
  const last = options.rows - 1;
  for (const port of cluster.followerPorts()) {
    await untilVisible('tidedb', async () => ((await cluster.sql(port, selectValue, [keyOf(last)], 'stale')).rows?.length ?? 0) === 1);
  }
}

function tideTarget(root: string, variant: TideVariant, options: Options): WriteTarget {
  return {
    name: variant.name,
    shortName: variant.shortName,
    async start(dir, clientsMax) {
      const cluster = await TideCluster.start(root, dir, 3, clientsMax, [], variant.leaseReads ? ['--lease-reads', 'true'] : []);
      try {
        await preloadTide(cluster, options);
      } catch (error) {
        await cluster.stop();
        throw error;
      }
      const ports = variant.via === 'leader' ? [cluster.port('leader')] : cluster.followerPorts();
      return {
        writerFor: () => async (i) => {
          const n = randomKey(options.rows);
          const result = await cluster.sql(ports[i % ports.length]!, selectValue, [keyOf(n)], variant.consistency);
          const row = result.rows?.[0];
          checkValue('tidedb', n, row === undefined ? null : String(row[0]), options.valueBytes);
        },
        stop: () => stopNoting(variant.name, cluster),
      };
    },
  };
}

// Puts in flight at once while preloading etcd, to load 1,000 keys in well under a second.
const preloadPutsInFlight = 16;

async function preloadEtcd(cluster: EtcdCluster, options: Options): Promise<void> {
  for (let first = 0; first < options.rows; first += preloadPutsInFlight) {
    const ns = Array.from({ length: Math.min(preloadPutsInFlight, options.rows - first) }, (_, at) => first + at);
    await Promise.all(ns.map((n) => cluster.put(Buffer.from(keyOf(n)), Buffer.from(valueOf(n, options.valueBytes)))));
  }
  // Puts in flight together may apply in any order: every follower must hold every key.
  for (const port of cluster.followerPorts()) {
    for (let n = 0; n < options.rows; n++) {
      await untilVisible('etcd', async () => (await cluster.get(port, Buffer.from(keyOf(n)), true)) !== null);
    }
  }
}

function etcdTarget(version: string, variant: EtcdVariant, options: Options): WriteTarget {
  return {
    name: variant.name.replace('etcd', `etcd ${version}`),
    shortName: variant.shortName,
    async start(dir, clientsMax) {
      const cluster = await EtcdCluster.start(dir, 3, clientsMax);
      try {
        await preloadEtcd(cluster, options);
      } catch (error) {
        await cluster.stop();
        throw error;
      }
      const ports = variant.via === 'leader' ? [cluster.leaderClientPort()] : cluster.followerPorts();
      return {
        writerFor: () => async (i) => {
          const n = randomKey(options.rows);
          const value = await cluster.get(ports[i % ports.length]!, Buffer.from(keyOf(n)), variant.serializable);
          checkValue('etcd', n, value === null ? null : value.toString('utf8'), options.valueBytes);
        },
        stop: () => stopNoting(variant.name, cluster),
      };
    },
  };
}

interface Samples {
  readonly target: WriteTarget;
  // rounds[round][level], levels in the order of the concurrencies.
  readonly rounds: Measurement[][];
}

// The ratios of medians the benchmark exists for, at each concurrency, when both sides ran:
// TideDB against etcd where they do the same work, and what linearizability costs TideDB.
const ratios: readonly (readonly [string, string])[] = [
  ['TideDB-lin-leader', 'etcd-lin-leader'],
  ['TideDB-lin-followers', 'etcd-lin-followers'],
  ['TideDB-stale-followers', 'etcd-serializable-followers'],
  ['TideDB-lease-leader', 'etcd-lin-leader'],
  ['TideDB-lin-leader', 'TideDB-stale-followers'],
  ['TideDB-lin-followers', 'TideDB-stale-followers'],
  ['TideDB-lease-leader', 'TideDB-lin-leader'],
];

function readReport(all: readonly Samples[], concurrencies: readonly number[]): string[] {
  const lines = [...measurementTableHeader];
  for (const { target, rounds } of all) {
    concurrencies.forEach((concurrency, level) => {
      lines.push(measurementRow(`${target.name}, ${concurrency} readers`, rounds.map((round) => round[level]!)));
    });
  }
  const byName = new Map(all.map((samples) => [samples.target.shortName, samples]));
  const at = (samples: Samples, level: number): Measurement => medianMeasurement(samples.rounds.map((round) => round[level]!));
  lines.push('', '| ratio (of medians) | ops/s (p99) |', '|---|--:|');
  for (const [mine, theirs] of ratios) {
    const a = byName.get(mine);
    const b = byName.get(theirs);
    if (a === undefined || b === undefined) continue;
    concurrencies.forEach((concurrency, level) => {
      const x = at(a, level);
      const y = at(b, level);
      lines.push(`| ${mine} / ${theirs}, ${concurrency} readers | ${fmtRatio(x.perSecond / y.perSecond)} (${fmtRatio(x.p99Ms / y.p99Ms)}) |`);
    });
  }
  return lines;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const version = etcdVersionIfWanted(options.etcd);
  const root = repoRoot();
  ensureBuilt(root, options.build);
  const { dir: benchDir, cleanup } = scratchDir(root, 'bench-reads-');

  const loadBefore = loadavg()[0]!;
  const tide: Samples[] = tideVariants.map((variant) => ({ target: tideTarget(root, variant, options), rounds: [] }));
  const etcd: Samples[] = options.etcd ? etcdVariants.map((variant) => ({ target: etcdTarget(version ?? 'unknown', variant, options), rounds: [] })) : [];
  try {
    for (let round = 0; round < options.runs; round++) {
      const runDir = join(benchDir, `round-${round}`);
      mkdirSync(runDir, { recursive: true });
      process.stdout.write(`round ${round + 1}/${options.runs}\n`);
      // etcd and TideDB alternate which goes first, so neither always meets a warmer (or busier)
      // machine.
      const order = round % 2 === 0 ? [...etcd, ...tide] : [...tide, ...etcd];
      for (const samples of order) {
        samples.rounds.push(await driveTarget(samples.target, join(runDir, samples.target.shortName), options, (line) => process.stdout.write(`${line}\n`)));
      }
      rmSync(runDir, { recursive: true, force: true });
    }
  } finally {
    cleanup();
  }
  const lines = [
    '',
    '### Machine',
    '',
    `- CPU: ${cpuModel()}, ${availableParallelism()} cores (nproc); Linux ${release()}; Node ${process.version}; etcd ${version ?? 'not installed'}`,
    `- Load average (1 min) ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after`,
    `- ${options.runs} rounds; each: a fresh 3-member cluster per variant, ${options.rows} keys of ${options.valueBytes}-byte values preloaded, then ${options.concurrencies.join(', ')} readers of random keys, each ${options.warmupSeconds} s warm-up + ${options.measureSeconds} s measured`,
    '',
    '### Medians',
    '',
    ...readReport([...etcd, ...tide], options.concurrencies),
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

await main();
