// What the benchmarks share: the closed-loop driver that any write target plugs into, the
// disk's raw fsync rate, percentiles and medians, and how figures are printed.
import { closeSync, fdatasyncSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export interface Measurement {
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly ops: number;
}

// Nearest-rank percentile over sorted values.
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function median(values: readonly number[]): number {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (finite.length === 0) return Number.NaN;
  const mid = finite.length >> 1;
  return finite.length % 2 === 1 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}

// Each figure's median over rounds, taken separately (the p99 of the median round would hide
// the spread of the others).
export function medianMeasurement(samples: readonly Measurement[]): Measurement {
  return {
    perSecond: median(samples.map((m) => m.perSecond)),
    p50Ms: median(samples.map((m) => m.p50Ms)),
    p99Ms: median(samples.map((m) => m.p99Ms)),
    ops: median(samples.map((m) => m.ops)),
  };
}

function measurementOf(sortedLatencies: readonly number[], seconds: number): Measurement {
  return { perSecond: sortedLatencies.length / seconds, p50Ms: percentile(sortedLatencies, 0.5), p99Ms: percentile(sortedLatencies, 0.99), ops: sortedLatencies.length };
}

// Runs `clients` loops, each awaiting `op(i)` and starting the next, for warm-up plus
// measurement; `i` numbers the operations of one call from 0, so a target can make unique keys
// or rows. Only operations that complete inside the measurement window count, so throughput is
// completions per second of window. A failed operation fails the run: a benchmark that hides
// errors measures something else.
export async function closedLoop(clients: number, warmupSeconds: number, measureSeconds: number, op: (i: number) => Promise<void>): Promise<Measurement> {
  const start = performance.now() + warmupSeconds * 1000;
  const end = start + measureSeconds * 1000;
  const latencies: number[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const t0 = performance.now();
      if (t0 >= end) return;
      await op(next++);
      const t1 = performance.now();
      if (t1 >= start && t1 <= end) latencies.push(t1 - t0);
    }
  };
  await Promise.all(Array.from({ length: clients }, worker));
  return measurementOf(latencies.sort((a, b) => a - b), measureSeconds);
}

// The ceiling of a database that fsyncs every commit on its own: append a small record,
// fdatasync, repeat. Appending (rather than overwriting) matches a log, whose size changes.
export function fsyncRate(dir: string, seconds: number): Measurement {
  const path = join(dir, 'fsync-probe.dat');
  const fd = openSync(path, 'a');
  const record = Buffer.alloc(4096, 0x5a);
  const latencies: number[] = [];
  try {
    const end = performance.now() + seconds * 1000;
    for (;;) {
      const t0 = performance.now();
      if (t0 >= end) break;
      writeSync(fd, record);
      fdatasyncSync(fd);
      latencies.push(performance.now() - t0);
    }
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
  return measurementOf(latencies.sort((a, b) => a - b), seconds);
}

// A command-line flag's value, which must be a positive number.
export function positive(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number, got ${String(value)}`);
  return n;
}

export function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
    return line?.split(':')[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export const fmtRate = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
export const fmtMs = (n: number): string => (Number.isFinite(n) ? (n < 10 ? n.toFixed(2) : n.toFixed(1)) : 'n/a');
export const fmtRatio = (n: number): string => (Number.isFinite(n) ? `${n.toFixed(2)}×` : 'n/a');
export const describeMeasurement = (m: Measurement): string => `${fmtRate(m.perSecond)}/s  p50 ${fmtMs(m.p50Ms)} ms  p99 ${fmtMs(m.p99Ms)} ms`;

// The table every benchmark prints for docs/BENCHMARKS.md: medians, then each round's rate.
export const measurementTableHeader = ['| measurement | ops/s | p50 ms | p99 ms | per round (ops/s) |', '|---|--:|--:|--:|---|'];

export function measurementRow(label: string, samples: readonly Measurement[]): string {
  if (samples.length === 0) return `| ${label} | not measured | | | |`;
  const med = medianMeasurement(samples);
  const rounds = samples.map((m) => fmtRate(m.perSecond)).join(', ');
  return `| ${label} | ${fmtRate(med.perSecond)} | ${fmtMs(med.p50Ms)} | ${fmtMs(med.p99Ms)} | ${rounds} |`;
}

// The flags every peer-comparing benchmark takes. Reads the flag at argv[at] into `options` and
// returns the index of its last word, or null when the flag is not one of these.
export interface RunFlags {
  runs: number;
  clients: number;
  measureSeconds: number;
  warmupSeconds: number;
  mysqlHost: string;
  mysqlPort: number;
  build: boolean;
  // TideDB's --session-processes and --session-http: their defaults, auto, when absent.
  sessionProcesses?: string;
  sessionHttp?: string;
}

export function readRunFlag(options: RunFlags, argv: readonly string[], at: number): number | null {
  const flag = argv[at]!;
  switch (flag) {
    case '--runs': options.runs = Math.round(positive(flag, argv[at + 1])); return at + 1;
    case '--clients': options.clients = Math.round(positive(flag, argv[at + 1])); return at + 1;
    case '--seconds': options.measureSeconds = positive(flag, argv[at + 1]); return at + 1;
    case '--warmup': options.warmupSeconds = positive(flag, argv[at + 1]); return at + 1;
    case '--mysql': {
      const [host, port] = (argv[at + 1] ?? '').split(':');
      options.mysqlHost = host || '127.0.0.1';
      options.mysqlPort = port === undefined ? 3306 : positive(flag, port);
      return at + 1;
    }
    case '--build': options.build = true; return at;
    case '--session-processes': options.sessionProcesses = argv[at + 1] ?? 'auto'; return at + 1;
    case '--session-http': options.sessionHttp = argv[at + 1] ?? 'auto'; return at + 1;
    default: return null;
  }
}

// The options of a benchmark that takes the run flags only: `defaults` changed by argv. An
// unknown flag names the script (its import.meta.url), whose header lists the flags.
export function parseRunFlags(argv: readonly string[], defaults: RunFlags, scriptUrl: string): RunFlags {
  const options = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const last = readRunFlag(options, argv, i);
    if (last === null) throw new Error(`unknown flag ${argv[i]} (see the header of ${relative(process.cwd(), fileURLToPath(scriptUrl))})`);
    i = last;
  }
  return options;
}
