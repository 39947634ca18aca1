/**
 * Raft commit rate and latency of three-member clusters on loopback, beside the disk's raw
 * fsync rate, measured in one run so that the figures share a machine, a disk and a moment of
 * background load: etcd (Debian `etcd-server`) and TideDB (three node processes from dist/),
 * driven by the same load generator (commit-driver.ts).
 *
 *   npx tsc -p test/bench/tsconfig.json && node .tmp/bench-build/bench/raft-commit.js
 *       [--runs N] [--seconds S] [--warmup S] [--fsync-seconds S] [--value-bytes N]
 *       [--concurrency 1,16,256] [--follower-writers N] [--no-etcd] [--build] [--cpu-prof]
 *
 * Each round: the fsync probe (4 KiB appended to a file, then fdatasync, one at a time), then
 * etcd and TideDB, whose order alternates from round to round, each a fresh cluster with its
 * data dirs beside the probe's file under .tmp/, driven at each concurrency in turn, each
 * writer writing a new key with a fixed-size value and awaiting the answer before the next:
 * an etcd put, a TideDB single-row INSERT, both sent to the leader. Then TideDB once more,
 * fresh, at --follower-writers (16) with every write sent to a follower, which forwards it.
 * The summary reports medians over the rounds, because the machine is shared and noisy.
 * --cpu-prof runs the TideDB nodes under node's --cpu-prof and names the leader's profile.
 */
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, release } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuModel, describeMeasurement, fsyncRate, positive } from './bench-measure.js';
import type { Measurement } from './bench-measure.js';
import { ensureBuilt, repoRoot } from './bench-build.js';
import { scratchDir } from './bench-process.js';
import { commitReport, driveTarget, readClusterFlag } from './commit-driver.js';
import type { ClusterFlags, DriveOptions, TargetSamples, WriteTarget } from './commit-driver.js';
import { EtcdCluster, etcdVersionIfWanted } from './etcd-cluster.js';
import { TideCluster } from './tidedb-cluster.js';

interface Options extends Readonly<ClusterFlags> {
  readonly fsyncSeconds: number;
  readonly followerWriters: number;
  readonly cpuProf: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const options = { runs: 3, measureSeconds: 5, warmupSeconds: 1, fsyncSeconds: 3, valueBytes: 256, concurrencies: [1, 16, 256], followerWriters: 16, etcd: true, build: false, cpuProf: false };
  for (let i = 0; i < argv.length; i++) {
    const last = readClusterFlag(options, argv, i);
    if (last !== null) {
      i = last;
      continue;
    }
    const flag = argv[i]!;
    switch (flag) {
      case '--fsync-seconds': options.fsyncSeconds = positive(flag, argv[++i]); break;
      case '--follower-writers': options.followerWriters = Math.round(positive(flag, argv[++i])); break;
      case '--cpu-prof': options.cpuProf = true; break;
      default: throw new Error(`unknown flag ${flag} (see the header of ${fileURLToPath(import.meta.url)})`);
    }
  }
  return options;
}

function etcdTarget(version: string, valueBytes: number): WriteTarget {
  const value = Buffer.alloc(valueBytes, 0x61);
  let round = 0;
  return {
    name: `etcd ${version}, 3 members`,
    shortName: 'etcd',
    async start(dir, clientsMax) {
      const cluster = await EtcdCluster.start(dir, 3, clientsMax);
      const prefix = `bench/r${round++}`;
      return {
        // A new key per write, so every put is a fresh entry rather than an overwrite.
        writerFor: (label) => (i) => cluster.put(Buffer.from(`${prefix}/${label}/${i}`), value),
        stop: () => cluster.stop(),
      };
    },
  };
}

// A new row per write, as etcd's writers put a new key each time: an INSERT is a fresh entry in
// both systems (an UPDATE of one key would match an overwrite instead). The key is the text
// etcd gets and the value the same number of bytes, in a column sized to it.
const createTable = (valueBytes: number): string => `CREATE TABLE kv (k VARCHAR(128) PRIMARY KEY, v VARCHAR(${valueBytes}))`;
const insertRow = 'INSERT INTO kv (k, v) VALUES (?, ?)';

function tideTarget(root: string, valueBytes: number, via: 'leader' | 'follower', profileDir: string | null): WriteTarget {
  const value = 'a'.repeat(valueBytes);
  const nodeFlags = profileDir === null ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
  let round = 0;
  return {
    name: via === 'leader' ? 'TideDB, 3 nodes' : 'TideDB, 3 nodes, via a follower',
    shortName: via === 'leader' ? 'TideDB' : 'TideDB-follower',
    async start(dir, clientsMax) {
      const cluster = await TideCluster.start(root, dir, 3, clientsMax, nodeFlags);
      const port = cluster.port(via);
      await cluster.sql(cluster.port('leader'), createTable(valueBytes), []);
      const prefix = `bench/r${round++}`;
      return {
        writerFor: (label) => async (i) => {
          const result = await cluster.sql(port, insertRow, [`${prefix}/${label}/${i}`, value]);
          if (result.rows_affected !== 1) throw new Error(`tidedb insert affected ${result.rows_affected} rows`);
        },
        stop: async () => {
          const pid = cluster.leaderPid();
          await cluster.stop();
          if (profileDir === null || pid === undefined) return;
          const profile = readdirSync(profileDir).find((file) => file.includes(`.${pid}.`));
          process.stdout.write(`  CPU profile of the leader (${via} run): ${profile === undefined ? 'not written' : join(profileDir, profile)}\n`);
        },
      };
    },
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const version = etcdVersionIfWanted(options.etcd);
  const root = repoRoot();
  ensureBuilt(root, options.build);
  // Under .tmp/ of the repository: the fsync probe, etcd and TideDB all on the same disk.
  const { dir: benchDir, cleanup } = scratchDir(root, 'bench-raft-');
  const profileDir = options.cpuProf ? join(root, '.tmp', 'bench-prof') : null;
  if (profileDir !== null) mkdirSync(profileDir, { recursive: true });

  const loadBefore = loadavg()[0]!;
  const followerOptions = { ...options, concurrencies: [options.followerWriters] };
  const runs = [
    ...(options.etcd ? [{ target: etcdTarget(version ?? 'unknown', options.valueBytes), drive: options }] : []),
    { target: tideTarget(root, options.valueBytes, 'leader', profileDir), drive: options },
    { target: tideTarget(root, options.valueBytes, 'follower', profileDir), drive: followerOptions },
  ];
  const rounds = runs.map((): Measurement[][] => []);
  const fsyncSamples: Measurement[] = [];
  try {
    for (let round = 0; round < options.runs; round++) {
      const runDir = join(benchDir, `round-${round}`);
      mkdirSync(runDir, { recursive: true });
      process.stdout.write(`round ${round + 1}/${options.runs}\n`);
      const fsync = fsyncRate(runDir, options.fsyncSeconds);
      fsyncSamples.push(fsync);
      process.stdout.write(`  raw fdatasync                                  ${describeMeasurement(fsync)}\n`);
      // etcd and TideDB alternate which goes first, so neither always meets a warmer (or busier)
      // machine; the follower variant always follows TideDB through the leader.
      const order = runs.map((_, at) => at);
      if (options.etcd && round % 2 === 1) order.push(order.shift()!);
      for (const at of order) {
        const { target, drive } = runs[at]!;
        rounds[at]!.push(await driveTarget(target, join(runDir, target.shortName), drive, (line) => process.stdout.write(`${line}\n`)));
      }
      rmSync(runDir, { recursive: true, force: true });
    }
  } finally {
    cleanup();
  }
  const targets: TargetSamples[] = runs.map(({ target, drive }, at) => ({
    name: target.name,
    shortName: target.shortName,
    concurrencies: drive.concurrencies,
    samples: drive.concurrencies.map((_, level) => rounds[at]!.map((round) => round[level]!)),
  }));
  const lines = [
    '',
    '### Machine',
    '',
    `- CPU: ${cpuModel()}, ${availableParallelism()} cores (nproc); Linux ${release()}; Node ${process.version}; etcd ${version ?? 'not installed'}`,
    `- Data and probe on device ${statSync(root).dev} (${join(root, '.tmp')}); load average (1 min) ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after`,
    `- ${options.runs} rounds; each: ${options.fsyncSeconds} s fsync probe, then a fresh cluster per system at ${options.concurrencies.join(', ')} writers (TideDB via a follower at ${options.followerWriters}), each ${options.warmupSeconds} s warm-up + ${options.measureSeconds} s measured; ${options.valueBytes}-byte values, a new key per write`,
    '',
    '### Medians',
    '',
    ...commitReport(fsyncSamples, targets),
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

await main();
