/**
 * Raft commit rate and latency of a three-member cluster on loopback, beside the disk's raw
 * fsync rate, measured in one run so that the figures share a machine, a disk and a moment of
 * background load. Today the cluster is etcd (Debian `etcd-server`); TideDB's three-node
 * cluster plugs into the same driver (commit-driver.ts) once it exists.
 *
 *   npx tsc -p test/bench/tsconfig.json && node .tmp/bench-build/bench/raft-commit.js
 *       [--runs N] [--seconds S] [--warmup S] [--fsync-seconds S] [--value-bytes N]
 *       [--concurrency 1,16,256]
 *
 * Each round: the fsync probe (4 KiB appended to a file, then fdatasync, one at a time), then
 * a fresh etcd cluster with its data dirs beside the probe's file in a temp dir under the
 * system temp dir (so on the disk /tmp is on), driven at each concurrency in turn, each writer
 * putting a new key with a fixed-size value and awaiting the answer before the next. The
 * summary reports medians over the rounds, because the machine is shared and noisy.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuModel, describeMeasurement, fsyncRate, positive } from './bench-measure.js';
import type { Measurement } from './bench-measure.js';
import { liveChildren } from './bench-process.js';
import { commitReport, driveTarget } from './commit-driver.js';
import type { DriveOptions, TargetSamples, WriteTarget } from './commit-driver.js';
import { EtcdCluster, etcdInstallHint, etcdVersion } from './etcd-cluster.js';

interface Options extends DriveOptions {
  readonly runs: number;
  readonly fsyncSeconds: number;
  readonly valueBytes: number;
}

function parseOptions(argv: readonly string[]): Options {
  const options = { runs: 3, measureSeconds: 5, warmupSeconds: 1, fsyncSeconds: 3, valueBytes: 256, concurrencies: [1, 16, 256] };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    switch (flag) {
      case '--runs': options.runs = Math.round(positive(flag, argv[++i])); break;
      case '--seconds': options.measureSeconds = positive(flag, argv[++i]); break;
      case '--warmup': options.warmupSeconds = positive(flag, argv[++i]); break;
      case '--fsync-seconds': options.fsyncSeconds = positive(flag, argv[++i]); break;
      case '--value-bytes': options.valueBytes = Math.round(positive(flag, argv[++i])); break;
      case '--concurrency': {
        const list = argv[++i] ?? '';
        options.concurrencies = list.split(',').map((part) => Math.round(positive(flag, part)));
        break;
      }
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

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const version = etcdVersion();
  if (version === null) {
    process.stderr.write(`etcd is not installed; on Debian: ${etcdInstallHint}\n`);
    process.exitCode = 1;
    return;
  }
  const benchDir = mkdtempSync(join(tmpdir(), 'tidedb-bench-raft-'));
  const cleanup = (): void => {
    for (const child of liveChildren) child.kill('SIGKILL');
    rmSync(benchDir, { recursive: true, force: true });
  };
  const interrupted = (): void => {
    process.stderr.write('\ninterrupted: cleaning up\n');
    cleanup();
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  const loadBefore = loadavg()[0]!;
  const etcd = etcdTarget(version, options.valueBytes);
  const fsyncSamples: Measurement[] = [];
  const etcdRounds: Measurement[][] = [];
  try {
    for (let round = 0; round < options.runs; round++) {
      const runDir = join(benchDir, `round-${round}`);
      mkdirSync(runDir, { recursive: true });
      process.stdout.write(`round ${round + 1}/${options.runs}\n`);
      const fsync = fsyncRate(runDir, options.fsyncSeconds);
      fsyncSamples.push(fsync);
      process.stdout.write(`  raw fdatasync                              ${describeMeasurement(fsync)}\n`);
      etcdRounds.push(await driveTarget(etcd, join(runDir, 'etcd'), options, (line) => process.stdout.write(`${line}\n`)));
      rmSync(runDir, { recursive: true, force: true });
    }
  } finally {
    cleanup();
  }
  const targets: TargetSamples[] = [{ name: etcd.name, shortName: etcd.shortName, samples: options.concurrencies.map((_, level) => etcdRounds.map((round) => round[level]!)) }];
  const lines = [
    '',
    '### Machine',
    '',
    `- CPU: ${cpuModel()}, ${availableParallelism()} cores (nproc); Linux ${release()}; Node ${process.version}; etcd ${version}`,
    `- Data and probe on device ${statSync(tmpdir()).dev} (${tmpdir()}); load average (1 min) ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after`,
    `- ${options.runs} rounds; each: ${options.fsyncSeconds} s fsync probe, then a fresh cluster at ${options.concurrencies.join(', ')} writers, each ${options.warmupSeconds} s warm-up + ${options.measureSeconds} s measured; ${options.valueBytes}-byte values, a new key per put`,
    '',
    '### Medians',
    '',
    ...commitReport(options, fsyncSamples, targets),
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

await main();
