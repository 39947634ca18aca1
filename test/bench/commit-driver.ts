// The load generator of the Raft commit benchmark, apart from any one system: a write target is
// started fresh each round, driven by closed loops at each concurrency, and stopped; the
// reporter prints the medians beside the disk's raw fsync rate. etcd is one target; a TideDB
// cluster plugs in beside it as another `WriteTarget`.
import { closedLoop, describeMeasurement, fmtRatio, measurementRow, measurementTableHeader, medianMeasurement } from './bench-measure.js';
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
  readonly warmupSeconds: number;
  readonly measureSeconds: number;
}

// One round of one target: every concurrency level in turn, on one instance.
export async function driveTarget(target: WriteTarget, dir: string, options: DriveOptions, log: (line: string) => void): Promise<Measurement[]> {
  const running = await target.start(dir, Math.max(...options.concurrencies));
  const results: Measurement[] = [];
  try {
    for (const concurrency of options.concurrencies) {
      const measurement = await closedLoop(concurrency, options.warmupSeconds, options.measureSeconds, running.writerFor(`c${concurrency}`));
      results.push(measurement);
      log(`  ${target.name.padEnd(28)} ${String(concurrency).padStart(3)} writers  ${describeMeasurement(measurement)}`);
    }
  } finally {
    await running.stop();
  }
  return results;
}

export interface TargetSamples {
  readonly name: string;
  readonly shortName: string;
  // samples[level][round], levels in the order of DriveOptions.concurrencies.
  readonly samples: readonly (readonly Measurement[])[];
}

// The markdown table for docs/BENCHMARKS.md: the fsync probe, then each target at each
// concurrency, then each target's throughput at its top concurrency against the fsync rate.
export function commitReport(options: DriveOptions, fsyncSamples: readonly Measurement[], targets: readonly TargetSamples[]): string[] {
  const lines = [...measurementTableHeader, measurementRow('raw fdatasync, 4 KiB append, one at a time', fsyncSamples)];
  for (const target of targets) {
    options.concurrencies.forEach((concurrency, level) => {
      lines.push(measurementRow(`${target.name}, ${concurrency} writer${concurrency === 1 ? '' : 's'}`, target.samples[level] ?? []));
    });
  }
  const fsync = medianMeasurement(fsyncSamples).perSecond;
  const top = options.concurrencies.length - 1;
  lines.push('', '| ratio (of medians) | value |', '|---|--:|');
  for (const target of targets) {
    const rate = (level: number): number => medianMeasurement(target.samples[level] ?? []).perSecond;
    const at = (level: number): string => `${target.shortName}@${options.concurrencies[level]}`;
    lines.push(`| ${at(top)} / raw fsync rate | ${fmtRatio(rate(top) / fsync)} |`);
    lines.push(`| ${at(0)} / raw fsync rate | ${fmtRatio(rate(0) / fsync)} |`);
    lines.push(`| ${at(top)} / ${at(0)} | ${fmtRatio(rate(top) / rate(0))} |`);
  }
  return lines;
}
