/**
 * Change-stream fan-out on one node: writes at a steady rate while N subscribers, each on its
 * own filter, stream the table, against the same writes with no subscriber, in one run.
 *
 *   npm run build && npx tsc -p test/bench/tsconfig.json && node .tmp/bench-build/bench/stream-fanout.js
 *       [--subscribers N] [--processes P] [--filter selective|all|none] [--rate W] [--seconds S] [--runs R]
 *
 * Each round starts a fresh node (a child process, data under .tmp/; TIDE_TEST_NODE_FLAGS
 * passes flags to its Node.js, e.g. --cpu-prof), creates a table, and measures twice: writes
 * alone, then the same writes with N subscribers connected. A writer sends W single-row
 * INSERTs per second (open loop: the next one leaves on schedule whether or not the last was
 * answered). The subscribers live in P processes of their own (stream-fanout-subscribers.ts),
 * so the load generator does not share an event loop with them; their filters are described
 * in stream-fanout-filters.ts. Delivery latency is from the moment the write was sent to the
 * moment a subscriber read its event, over every (subscriber, event); the write's own latency
 * is reported beside it. Commit-to-delivery is measured too, from the event's ts_ms (the time
 * the node proposed the write, whole milliseconds, the same machine's clock). Memory is the
 * node's resident set at the end of each phase.
 */
import { fork, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import type { ClientRequest } from 'node:http';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { cpuModel, fmtMs, fmtRate, median, percentile, positive } from './bench-measure.js';
import { freePort, liveChildren, post, stopChild, track } from './bench-process.js';
import { expectedDeliveries, filterModes, groups } from './stream-fanout-filters.js';
import type { FilterMode } from './stream-fanout-filters.js';

interface Options {
  readonly subscribers: number;
  readonly processes: number;
  readonly filter: FilterMode;
  readonly rate: number;
  readonly seconds: number;
  readonly runs: number;
}

function parseOptions(argv: readonly string[]): Options {
  const options = { subscribers: 1_000, processes: 4, filter: 'selective' as FilterMode, rate: 100, seconds: 10, runs: 3 };
  for (let at = 0; at < argv.length; at += 2) {
    const [flag, value] = [argv[at]!, argv[at + 1]];
    if (flag === '--subscribers') options.subscribers = positive(flag, value);
    else if (flag === '--processes') options.processes = positive(flag, value);
    else if (flag === '--filter') {
      const mode = filterModes.find((name) => name === value);
      if (mode === undefined) throw new Error(`--filter is one of ${filterModes.join(', ')}`);
      options.filter = mode;
    } else if (flag === '--rate') options.rate = positive(flag, value);
    else if (flag === '--seconds') options.seconds = positive(flag, value);
    else if (flag === '--runs') options.runs = positive(flag, value);
    else throw new Error(`unknown option ${flag}`);
  }
  return options;
}

interface PhaseResult {
  readonly writesPerSecond: number;
  readonly writeP50Ms: number;
  readonly writeP99Ms: number;
  readonly deliveryP50Ms: number;
  readonly deliveryP99Ms: number;
  readonly commitP50Ms: number;
  readonly commitP99Ms: number;
  readonly deliveries: number;
  readonly rssMiB: number;
  // At the last write's answer, from the node's status: the most entries any stream was behind
  // the applied index, and the bytes all subscribers had left unread in the node. Small values
  // with large delivery latencies put the delay after the node's socket writes.
  readonly lagEntriesMax: number;
  readonly bufferedBytes: number;
  readonly lagging: number;
  readonly notParked: number;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

async function startNode(dataDir: string, subscribers: number): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const nodeFlags = (process.env['TIDE_TEST_NODE_FLAGS'] ?? '').split(' ').filter((flag) => flag !== '');
  const args = [...nodeFlags, join(root, 'dist/services/main.js'), '--data-dir', dataDir, '--port', String(port), '--log-level', 'warn', '--mysql-port', 'off', '--streams-max', String(subscribers + 10), '--connections-max', String(subscribers + 100)];
  const child = track(spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, KAFKA_BROKERS: '' } }));
  const agent = new Agent({ keepAlive: true });
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      if ((await post(agent, port, '/v1/status', null)).status === 200) return { child, port };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('node did not start');
}

function residentMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((text) => text.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? NaN) / 1024;
}

interface SubscriberResult {
  readonly type: 'result';
  readonly latencies: Float64Array;
  readonly fromCommit: Float64Array;
  readonly deliveries: number;
  readonly missing: number;
}

// One process holding subscribers first … first+count-1, connected once it resolves.
interface SubscriberProcess {
  collect(firstId: number, writes: number): Promise<SubscriberResult>;
}

async function startSubscribers(port: number, first: number, count: number, filter: FilterMode): Promise<SubscriberProcess> {
  const child = track(fork(join(dirname(fileURLToPath(import.meta.url)), 'stream-fanout-subscribers.js'), [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const nextMessage = <T>(): Promise<T> =>
    new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => reject(new Error(`subscriber process exited with ${code}`));
      child.once('exit', onExit);
      child.once('message', (message) => {
        child.off('exit', onExit);
        resolve(message as T);
      });
    });
  const ready = nextMessage<{ type: 'ready' }>();
  child.send({ port, first, count, filter });
  await ready;
  return {
    collect(firstId, writes) {
      const result = nextMessage<SubscriberResult>();
      child.send({ type: 'collect', firstId, writes });
      return result;
    },
  };
}

async function writePhase(port: number, options: Options, firstId: number): Promise<{ latencies: number[]; writes: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const latencies: number[] = [];
  const total = options.rate * options.seconds;
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let n = 0; n < total; n++) {
    const due = start + (n * 1000) / options.rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const id = firstId + n;
    const sent = performance.now();
    // The send time on the wall clock, which the subscriber processes share.
    const body = JSON.stringify({ sql: 'INSERT INTO fanout VALUES (?, ?, ?)', params: [id, id % groups, (performance.timeOrigin + sent).toFixed(3)] });
    pending.push(
      post(agent, port, '/v1/sql', body).then((answer) => {
        if (answer.status !== 200) throw new Error(`write answered ${answer.status}: ${answer.text}`);
        latencies.push(performance.now() - sent);
      }),
    );
  }
  await Promise.all(pending);
  agent.destroy();
  return { latencies: latencies.sort((a, b) => a - b), writes: total };
}

async function round(options: Options, runDir: string): Promise<{ alone: PhaseResult; fanned: PhaseResult }> {
  const dataDir = mkdtempSync(join(runDir, 'node-'));
  const { child, port } = await startNode(dataDir, options.subscribers);
  try {
    const agent = new Agent({ keepAlive: true });
    await post(agent, port, '/v1/sql', JSON.stringify({ sql: 'CREATE TABLE fanout (id BIGINT PRIMARY KEY, grp INT, payload VARCHAR(64))' }));
    agent.destroy();
    const phase = async (subscribers: number, firstId: number): Promise<PhaseResult> => {
      const perProcess = Math.ceil(subscribers / options.processes);
      const shares: SubscriberProcess[] = [];
      for (let first = 0; first < subscribers; first += perProcess) shares.push(await startSubscribers(port, first, Math.min(perProcess, subscribers - first), options.filter));
      const started = performance.now();
      const { latencies, writes } = await writePhase(port, options, firstId);
      const statusAgent = new Agent({ keepAlive: false });
      const streams = (JSON.parse((await post(statusAgent, port, '/v1/status', null)).text) as { change_streams: { lag_entries: number; buffered_bytes: number; parked: boolean }[] }).change_streams;
      const elapsedS = (performance.now() - started) / 1000;
      const results = await Promise.all(shares.map((share) => share.collect(firstId, writes)));
      const rssMiB = residentMiB(child.pid!);
      const missing = results.reduce((sum, result) => sum + result.missing, 0);
      if (missing !== 0) throw new Error(`${missing} events were not delivered within 30 s of the last write`);
      const sortedDelivery = results.flatMap((result) => Array.from(result.latencies)).sort((a, b) => a - b);
      const sortedFromCommit = results.flatMap((result) => Array.from(result.fromCommit)).sort((a, b) => a - b);
      return {
        writesPerSecond: writes / elapsedS,
        writeP50Ms: percentile(latencies, 0.5),
        writeP99Ms: percentile(latencies, 0.99),
        deliveryP50Ms: sortedDelivery.length === 0 ? NaN : percentile(sortedDelivery, 0.5),
        deliveryP99Ms: sortedDelivery.length === 0 ? NaN : percentile(sortedDelivery, 0.99),
        commitP50Ms: sortedFromCommit.length === 0 ? NaN : percentile(sortedFromCommit, 0.5),
        commitP99Ms: sortedFromCommit.length === 0 ? NaN : percentile(sortedFromCommit, 0.99),
        deliveries: sortedDelivery.length,
        rssMiB,
        lagEntriesMax: Math.max(0, ...streams.map((stream) => stream.lag_entries)),
        lagging: streams.filter((stream) => stream.lag_entries > 1).length,
        notParked: streams.filter((stream) => !stream.parked).length,
        bufferedBytes: streams.reduce((sum, stream) => sum + stream.buffered_bytes, 0),
      };
    };
    const alone = await phase(0, 1);
    const fanned = await phase(options.subscribers, 1_000_000);
    let expected = 0;
    for (let subscriber = 0; subscriber < options.subscribers; subscriber++) expected += expectedDeliveries(subscriber, options.filter, 1_000_000, options.rate * options.seconds);
    if (fanned.deliveries !== expected) throw new Error(`expected ${expected} deliveries, got ${fanned.deliveries}`);
    return { alone, fanned };
  } finally {
    await stopChild(child, 10_000);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const runDir = join(root, '.tmp', 'bench-fanout');
  mkdirSync(runDir, { recursive: true });
  process.on('SIGINT', () => {
    for (const child of liveChildren) child.kill('SIGKILL');
    process.exit(130);
  });
  const rounds: { alone: PhaseResult; fanned: PhaseResult }[] = [];
  for (let run = 1; run <= options.runs; run++) {
    const result = await round(options, runDir);
    rounds.push(result);
    console.error(`round ${run}: alone ${fmtRate(result.alone.writesPerSecond)}/s write p99 ${fmtMs(result.alone.writeP99Ms)} ms; ${options.subscribers} subscribers ${fmtRate(result.fanned.writesPerSecond)}/s write p99 ${fmtMs(result.fanned.writeP99Ms)} ms delivery p50 ${fmtMs(result.fanned.deliveryP50Ms)} p99 ${fmtMs(result.fanned.deliveryP99Ms)} ms, from commit p50 ${fmtMs(result.fanned.commitP50Ms)} p99 ${fmtMs(result.fanned.commitP99Ms)} ms, rss ${result.fanned.rssMiB.toFixed(0)} MiB; at the last write the node's streams were at most ${result.fanned.lagEntriesMax} entries behind (${result.fanned.lagging} streams more than one; ${result.fanned.notParked} not parked) with ${result.fanned.bufferedBytes} bytes unread`);
  }
  const med = (pick: (result: { alone: PhaseResult; fanned: PhaseResult }) => number): number => median(rounds.map(pick));
  console.log(`Machine: ${cpuModel()}, ${availableParallelism()} cores, Node ${process.version}; ${options.rate} writes/s for ${options.seconds} s, ${options.runs} rounds (medians); ${options.subscribers} subscribers in ${options.processes} processes, filter ${options.filter}`);
  console.log('');
  console.log('| phase | writes/s | write p50 ms | write p99 ms | delivery p50 ms | delivery p99 ms | commit→delivery p50 ms | commit→delivery p99 ms | node RSS MiB |');
  console.log('|---|--:|--:|--:|--:|--:|--:|--:|--:|');
  console.log(`| no subscribers | ${fmtRate(med((r) => r.alone.writesPerSecond))} | ${fmtMs(med((r) => r.alone.writeP50Ms))} | ${fmtMs(med((r) => r.alone.writeP99Ms))} | – | – | – | – | ${med((r) => r.alone.rssMiB).toFixed(0)} |`);
  console.log(`| ${options.subscribers} subscribers | ${fmtRate(med((r) => r.fanned.writesPerSecond))} | ${fmtMs(med((r) => r.fanned.writeP50Ms))} | ${fmtMs(med((r) => r.fanned.writeP99Ms))} | ${fmtMs(med((r) => r.fanned.deliveryP50Ms))} | ${fmtMs(med((r) => r.fanned.deliveryP99Ms))} | ${fmtMs(med((r) => r.fanned.commitP50Ms))} | ${fmtMs(med((r) => r.fanned.commitP99Ms))} | ${med((r) => r.fanned.rssMiB).toFixed(0)} |`);
  console.log('');
  console.log(`Write throughput with subscribers / without: ${(med((r) => r.fanned.writesPerSecond) / med((r) => r.alone.writesPerSecond)).toFixed(2)}×`);
}

await main();
