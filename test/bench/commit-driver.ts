// The load generator of the Raft benchmarks, apart from any one system: a target is started
// fresh each round, driven by closed loops at each concurrency, and stopped; each loop's
// operation is a write (raft-commit.ts) or a read (raft-reads.ts). The commit reporter prints
// the medians beside the disk's raw fsync rate and each target's ratios to the first. etcd and
// a TideDB cluster are targets.
import { closedLoop, describeMeasurement, fmtRatio, measurementRow, measurementTableHeader, medianMeasurement, positive } from './bench-measure.js';
import type { Measurement } from './bench-measure.js';

export interface RunningTarget {
  // The write of one concurrency level: `write(i)` resolves once write number i (from 0) is
  // acknowledged, i.e. committed. `label` names the level, so that keys or rows of different
  // levels stay apart.
  writerFor(label: string): (i: number) => Promise<void>;
  stop(): Promise<void>;
}

export interface WriteTarget {
  // As it appears in the report, e.g. "etcd 3.4.23, 3 members".
  readonly name: string;
  // In ratios, e.g. "etcd".
  readonly shortName: string;
  // Starts a fresh instance with its data under `dir`, ready for `clientsMax` writers at once.
  start(dir: string, clientsMax: number): Promise<RunningTarget>;
}

export interface DriveOptions {
  readonly concurrencies: readonly number[];
  // What the log calls the concurrent clients ("writers" when not given); a read benchmark
  // drives readers through the same loop.
  readonly clientNoun?: string;
  readonly warmupSeconds: number;
  readonly measureSeconds: number;
}

// The flags the cluster benchmarks beside etcd share (raft-commit.ts, raft-reads.ts).
export interface ClusterFlags {
  runs: number;
  measureSeconds: number;
  warmupSeconds: number;
  concurrencies: number[];
  valueBytes: number;
  etcd: boolean;
  build: boolean;
}

// Reads the flag at argv[at] into `options` and returns the index of its last word, or null when
// the flag is not one of these.
export function readClusterFlag(options: ClusterFlags, argv: readonly string[], at: number): number | null {
  const flag = argv[at]!;
  const value = (): number => positive(flag, argv[at + 1]);
  switch (flag) {
    case '--runs': options.runs = Math.round(value()); return at + 1;
    case '--seconds': options.measureSeconds = value(); return at + 1;
    case '--warmup': options.warmupSeconds = value(); return at + 1;
    case '--value-bytes': options.valueBytes = Math.round(value()); return at + 1;
    case '--concurrency': options.concurrencies = (argv[at + 1] ?? '').split(',').map((part) => Math.round(positive(flag, part))); return at + 1;
    case '--no-etcd': options.etcd = false; return at;
    case '--build': options.build = true; return at;
    default: return null;
  }
}

// One round of one target: every concurrency level in turn, on one instance.
export async function driveTarget(target: WriteTarget, dir: string, options: DriveOptions, log: (line: string) => void): Promise<Measurement[]> {
  const running = await target.start(dir, Math.max(...options.concurrencies));
  const results: Measurement[] = [];
  try {
    for (const concurrency of options.concurrencies) {
      const measurement = await closedLoop(concurrency, options.warmupSeconds, options.measureSeconds, running.writerFor(`c${concurrency}`));
      results.push(measurement);
      log(`  ${target.name.padEnd(38)} ${String(concurrency).padStart(3)} ${options.clientNoun ?? 'writers'}  ${describeMeasurement(measurement)}`);
    }
  } finally {
    await running.stop();
  }
  return results;
}

export interface TargetSamples {
  readonly name: string;
  readonly shortName: string;
  // The levels this target ran at (a variant may run at one only), in order.
  readonly concurrencies: readonly number[];
  // samples[level][round], levels in the order of `concurrencies`.
  readonly samples: readonly (readonly Measurement[])[];
}

// The markdown table for docs/BENCHMARKS.md: the fsync probe, then each target at each of its
// concurrencies; then each target's throughput against the fsync rate, and every target after
// the first against the first (the reference) wherever both ran at the same concurrency.
export function commitReport(fsyncSamples: readonly Measurement[], targets: readonly TargetSamples[]): string[] {
  const lines = [...measurementTableHeader, measurementRow('raw fdatasync, 4 KiB append, one at a time', fsyncSamples)];
  for (const target of targets) {
    target.concurrencies.forEach((concurrency, level) => {
      lines.push(measurementRow(`${target.name}, ${concurrency} writer${concurrency === 1 ? '' : 's'}`, target.samples[level] ?? []));
    });
  }
  const fsync = medianMeasurement(fsyncSamples).perSecond;
  const at = (target: TargetSamples, concurrency: number): Measurement => medianMeasurement(target.samples[target.concurrencies.indexOf(concurrency)] ?? []);
  const name = (target: TargetSamples, concurrency: number): string => `${target.shortName}@${concurrency}`;
  lines.push('', '| ratio (of medians) | value |', '|---|--:|');
  for (const target of targets) {
    const first = target.concurrencies[0]!;
    const top = target.concurrencies[target.concurrencies.length - 1]!;
    lines.push(`| ${name(target, top)} / raw fsync rate | ${fmtRatio(at(target, top).perSecond / fsync)} |`);
    if (top === first) continue;
    lines.push(`| ${name(target, first)} / raw fsync rate | ${fmtRatio(at(target, first).perSecond / fsync)} |`);
    lines.push(`| ${name(target, top)} / ${name(target, first)} | ${fmtRatio(at(target, top).perSecond / at(target, first).perSecond)} |`);
  }
  const [reference, ...others] = targets;
  if (reference === undefined) return lines;
  for (const target of others) {
    for (const concurrency of target.concurrencies.filter((c) => reference.concurrencies.includes(c))) {
      const mine = at(target, concurrency);
      const theirs = at(reference, concurrency);
      lines.push(`| ${name(target, concurrency)} / ${name(reference, concurrency)}, ops/s (p99) | ${fmtRatio(mine.perSecond / theirs.perSecond)} (${fmtRatio(mine.p99Ms / theirs.p99Ms)}) |`);
    }
  }
  return lines;
}
