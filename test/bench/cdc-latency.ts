/**
 * Change data capture to Kafka: commit-to-consumer latency at a steady write rate, and the
 * most events a second the publisher sustains, beside a bare kafkajs producer loop on the same
 * broker in the same run (the physical reference).
 *
 *   bash test/broker/kafka.sh start
 *   npm run build && npx tsc -p test/bench/tsconfig.json && node .tmp/bench-build/bench/cdc-latency.js
 *       [--rate W] [--seconds S] [--backlog N] [--runs R] [--markers true|false]
 *       [--node-port P] [--cpu-prof-dir DIR]
 *
 * Each round:
 * - bare producer: an idempotent kafkajs producer sends batches of 100 messages of the size of
 *   an event, one batch in flight, for S seconds: messages/s acked; and at W messages/s, one at
 *   a time, the latency from send to a read_committed consumer's receipt.
 * - TideDB: a fresh node with --kafka (exactly-once delivery, the default). Latency: W
 *   single-row INSERTs a second (open loop), from the moment each was sent to the moment a
 *   read_committed consumer of the table's topic received its event. Throughput: N rows
 *   (100,000) written while the node runs without Kafka, then the time from restarting it with
 *   Kafka until its backlog is published: the publisher's rate, apart from the write path's.
 *   Reported twice: over the whole time, the node's start and its first connection to Kafka
 *   included; and sustained, from the first round the broker acknowledged to the last (every
 *   backlog entry is one INSERT of 100 rows, so the entries left at the first acknowledgement
 *   tell the events published after it).
 * --markers false starts the node with --kafka-transaction-markers false: no BEGIN and END
 * messages on <prefix>._transactions, so a single-row transaction is one message, not three.
 * Beside each rate, the CPU time it cost: the bench process's own (user + system) per message
 * over the bare producer's throughput loop, and the publishing node's per event over the
 * sustained span (from /proc, Linux only). On a machine shared with other work the rates follow
 * the CPU each side happened to get; the CPU per message does not.
 * --node-port P: every node the benchmark starts (one at a time) listens on P instead of a free
 * port, for machines where each user keeps to a range of ports. --cpu-prof-dir DIR: the node
 * that drains the backlog runs with node --cpu-prof, its profile written to DIR.
 * The broker at KAFKA_BROKERS (default 127.0.0.1:9092) is shared; topics are fresh per round.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import type { Consumer, Kafka as KafkaClient } from 'kafkajs';
import { cpuModel, fmtMs, fmtRate, median, percentile, positive } from './bench-measure.js';
import { freePort, liveChildren, post, stopChild, track } from './bench-process.js';

const { Kafka, logLevel, Partitioners } = kafkajs;
const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((broker) => broker.trim());
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

interface Options {
  readonly backlog: number;
  readonly rate: number;
  readonly seconds: number;
  readonly runs: number;
  readonly markers: boolean;
  readonly nodePort: number | null;
  readonly cpuProfDir: string | null;
}

function parseOptions(argv: readonly string[]): Options {
  const options: { -readonly [K in keyof Options]: Options[K] } = { rate: 100, seconds: 10, runs: 3, backlog: 100_000, markers: true, nodePort: null, cpuProfDir: null };
  for (let at = 0; at < argv.length; at += 2) {
    const [flag, value] = [argv[at]!, argv[at + 1]];
    if (flag === '--rate') options.rate = positive(flag, value);
    else if (flag === '--seconds') options.seconds = positive(flag, value);
    else if (flag === '--runs') options.runs = positive(flag, value);
    else if (flag === '--backlog') options.backlog = positive(flag, value);
    else if (flag === '--markers' && (value === 'true' || value === 'false')) options.markers = value === 'true';
    else if (flag === '--node-port') options.nodePort = positive(flag, value);
    else if (flag === '--cpu-prof-dir' && value !== undefined) options.cpuProfDir = value;
    else throw new Error(`unknown option ${flag}`);
  }
  return options;
}

interface RoundResult {
  readonly bareRate: number;
  readonly bareP50Ms: number;
  readonly bareP99Ms: number;
  readonly tideRate: number;
  readonly tideSustainedRate: number;
  readonly tideP50Ms: number;
  readonly tideP99Ms: number;
  readonly bareCpuUsPerMessage: number;
  readonly tideCpuUsPerEvent: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// A read_committed consumer of `topic` from its start; `onMessage` gets each message's key text.
async function consume(kafka: KafkaClient, topic: string, onMessage: (key: Buffer | null, value: Buffer | null) => void): Promise<Consumer> {
  const consumer = kafka.consumer({ groupId: `bench-${randomUUID()}`, maxWaitTimeInMs: 20 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => onMessage(message.key, message.value) });
  return consumer;
}

async function bareProducer(kafka: KafkaClient, options: Options): Promise<{ rate: number; cpuUsPerMessage: number; latencies: number[] }> {
  const topic = `bench-bare-${randomUUID().slice(0, 8)}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1 }] });
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const payload = Buffer.alloc(180, 7);
  // Latency at the steady rate, one message at a time.
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  const consumer = await consume(kafka, topic, (key) => {
    const sent = sentAt.get(Number(key));
    if (sent !== undefined) latencies.push(performance.now() - sent);
  });
  await sleep(2_000);
  const total = options.rate * options.seconds;
  await openLoop(options.rate, total, sentAt, (n) => producer.send({ topic, acks: -1, messages: [{ key: String(n), value: payload }] }));
  const deadline = performance.now() + 10_000;
  while (latencies.length < total && performance.now() < deadline) await sleep(50);
  await consumer.disconnect();
  // Throughput: batches of 100, one in flight, for S seconds.
  const batch = Array.from({ length: 100 }, (_, at) => ({ key: String(at), value: payload }));
  let sent = 0;
  const until = performance.now() + options.seconds * 1000;
  const began = performance.now();
  const cpuBefore = process.cpuUsage();
  while (performance.now() < until) {
    await producer.send({ topic, acks: -1, messages: batch });
    sent += batch.length;
  }
  const rate = sent / ((performance.now() - began) / 1000);
  const cpu = process.cpuUsage(cpuBefore);
  await producer.disconnect();
  return { rate, cpuUsPerMessage: (cpu.user + cpu.system) / sent, latencies: latencies.sort((a, b) => a - b) };
}

async function startNode(dataDir: string, topicPrefix: string, withKafka: boolean, options: Options, cpuProfDir: string | null = null): Promise<{ child: ChildProcess; port: number }> {
  const { markers } = options;
  const port = options.nodePort ?? (await freePort());
  const nodeFlags = cpuProfDir === null ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`];
  const args = [...nodeFlags, join(root, 'dist/services/main.js'), '--data-dir', dataDir, '--port', String(port), '--log-level', 'warn', '--mysql-port', 'off', '--kafka', withKafka ? brokers.join(',') : '', '--topic-prefix', topicPrefix, '--kafka-transaction-markers', String(markers)];
  const child = track(spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, KAFKA_BROKERS: '' } }));
  const agent = new Agent({ keepAlive: true });
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      if ((await post(agent, port, '/v1/status', null)).status === 200) return { child, port };
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  throw new Error('node did not start');
}

// The backlog is written as INSERTs of this many rows, one log entry each.
const backlogRowsPerInsert = 100;

async function tidedb(kafka: KafkaClient, options: Options, runDir: string): Promise<{ rate: number; sustainedRate: number; cpuUsPerEvent: number; latencies: number[] }> {
  const topicPrefix = `bench_${randomUUID().slice(0, 8)}`;
  const dataDir = mkdtempSync(join(runDir, 'node-'));
  let { child, port } = await startNode(dataDir, topicPrefix, true, options);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  try {
    await post(agent, port, '/v1/sql', JSON.stringify({ sql: 'CREATE TABLE cdc (id BIGINT PRIMARY KEY, grp INT, payload VARCHAR(64))' }));
    // The topic exists once its first event is published.
    await post(agent, port, '/v1/sql', JSON.stringify({ sql: 'INSERT INTO cdc VALUES (?, ?, ?)', params: [-1, 0, 'warm'] }));
    for (let attempt = 0; attempt < 600; attempt++) {
      const status = JSON.parse((await post(agent, port, '/v1/status', null)).text) as { kafka: { published_lsn: string | null } };
      if (status.kafka.published_lsn !== null) break;
      await sleep(50);
    }
    const sentAt = new Map<number, number>();
    const latencies: number[] = [];
    let received = 0;
    // Event keys are Avro after the wire header: the id, a zigzag varint; the value is longer,
    // so the id is read from the key's bytes.
    const consumer = await consume(kafka, `${topicPrefix}.app.cdc`, (key) => {
      received++;
      const id = key === null ? NaN : zigzagVarint(key, 5);
      const sent = sentAt.get(id);
      if (sent !== undefined) latencies.push(performance.now() - sent);
    });
    await sleep(2_000);
    const total = options.rate * options.seconds;
    await openLoop(options.rate, total, sentAt, (n) => post(agent, port, '/v1/sql', JSON.stringify({ sql: 'INSERT INTO cdc VALUES (?, ?, ?)', params: [n, n % 16, 'p'.repeat(48)] })));
    const deadline = performance.now() + 15_000;
    while (latencies.length < total && performance.now() < deadline) await sleep(50);
    await consumer.disconnect();
    await stopChild(child, 10_000);
    // Throughput: a backlog written while the node runs without Kafka (16 clients of 100-row
    // INSERTs), then the time the publisher takes to put all of it on the topic once the node
    // is back with Kafka: the publisher's own rate, not the write path's.
    const plain = await startNode(dataDir, topicPrefix, false, options);
    let nextId = 1_000_000;
    let rows = 0;
    try {
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (rows < options.backlog) {
            const ids = Array.from({ length: backlogRowsPerInsert }, () => nextId++);
            rows += ids.length;
            const answer = await post(agent, plain.port, '/v1/sql', JSON.stringify({ sql: `INSERT INTO cdc VALUES ${ids.map(() => '(?, ?, ?)').join(', ')}`, params: ids.flatMap((id) => [id, id % 16, 'p'.repeat(48)]) }));
            if (answer.status !== 200) throw new Error(`write answered ${answer.status}: ${answer.text}`);
          }
        }),
      );
    } finally {
      await stopChild(plain.child, 10_000);
    }
    const began = performance.now();
    const publishing = await startNode(dataDir, topicPrefix, true, options, options.cpuProfDir);
    ({ child, port } = publishing);
    const backlogDeadline = performance.now() + 300_000;
    const checkpointBefore = JSON.parse((await post(agent, port, '/v1/status', null)).text).kafka.published_lsn as string | null;
    let firstAck: { at: number; entriesLeft: number; cpuUs: number } | null = null;
    for (;;) {
      const status = JSON.parse((await post(agent, port, '/v1/status', null)).text) as { kafka: { backlog_entries: number | null; published_lsn: string | null } };
      if (firstAck === null && status.kafka.published_lsn !== checkpointBefore && status.kafka.backlog_entries !== null) firstAck = { at: performance.now(), entriesLeft: status.kafka.backlog_entries, cpuUs: childCpuUs(child) };
      if (status.kafka.backlog_entries === 0) break;
      if (performance.now() > backlogDeadline) throw new Error('the publisher did not catch up in 5 minutes');
      await sleep(10);
    }
    const ended = performance.now();
    const endedCpuUs = childCpuUs(child);
    const rate = rows / ((ended - began) / 1000);
    const sustainedRate = firstAck === null ? NaN : (firstAck.entriesLeft * backlogRowsPerInsert) / ((ended - firstAck.at) / 1000);
    const cpuUsPerEvent = firstAck === null ? NaN : (endedCpuUs - firstAck.cpuUs) / (firstAck.entriesLeft * backlogRowsPerInsert);
    return { rate, sustainedRate, cpuUsPerEvent, latencies: latencies.sort((a, b) => a - b) };
  } finally {
    agent.destroy();
    await stopChild(child, 10_000);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// The CPU time (user + system, µs) a child process has used so far, from /proc/<pid>/stat; NaN
// where there is no /proc.
const clockTicksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
function childCpuUs(child: ChildProcess): number {
  try {
    const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) in parentheses: utime and stime are the 14th and 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond) * 1e6;
  } catch {
    return NaN;
  }
}

// Sends `total` operations at `rate` a second, each on schedule whether or not the last one was
// answered (an open loop), noting when each left; resolves once all are answered.
async function openLoop(rate: number, total: number, sentAt: Map<number, number>, send: (n: number) => Promise<unknown>): Promise<void> {
  const start = performance.now();
  const pending: Promise<unknown>[] = [];
  for (let n = 0; n < total; n++) {
    const wait = start + (n * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait);
    sentAt.set(n, performance.now());
    pending.push(send(n));
  }
  await Promise.all(pending);
}

// A zigzag varint (Avro long) at `offset`.
function zigzagVarint(bytes: Buffer, offset: number): number {
  let value = 0;
  let shift = 0;
  for (let at = offset; at < bytes.length; at++) {
    const byte = bytes[at]!;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) break;
    shift += 7;
  }
  return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const runDir = join(root, '.tmp', 'bench-cdc');
  mkdirSync(runDir, { recursive: true });
  const kafka = new Kafka({ clientId: 'bench-cdc', brokers, logLevel: logLevel.NOTHING });
  console.log(`CDC to Kafka: ${options.rate} writes/s for ${options.seconds} s, ${options.runs} rounds, transaction markers ${options.markers ? 'on' : 'off'}; ${cpuModel()}, ${availableParallelism()} cores, Node ${process.version}`);
  const results: RoundResult[] = [];
  for (let run = 1; run <= options.runs; run++) {
    const bare = await bareProducer(kafka, options);
    const tide = await tidedb(kafka, options, runDir);
    const result = {
      bareRate: bare.rate,
      bareP50Ms: percentile(bare.latencies, 0.5),
      bareP99Ms: percentile(bare.latencies, 0.99),
      tideRate: tide.rate,
      tideSustainedRate: tide.sustainedRate,
      tideP50Ms: percentile(tide.latencies, 0.5),
      tideP99Ms: percentile(tide.latencies, 0.99),
      bareCpuUsPerMessage: bare.cpuUsPerMessage,
      tideCpuUsPerEvent: tide.cpuUsPerEvent,
    };
    results.push(result);
    console.log(
      `round ${run}: bare producer ${fmtRate(result.bareRate)} msg/s, latency p50 ${fmtMs(result.bareP50Ms)} / p99 ${fmtMs(result.bareP99Ms)} ms (${bare.latencies.length} of ${options.rate * options.seconds}); ` +
        `TideDB ${fmtRate(result.tideRate)} events/s (sustained ${fmtRate(result.tideSustainedRate)}), commit-to-consumer p50 ${fmtMs(result.tideP50Ms)} / p99 ${fmtMs(result.tideP99Ms)} ms (${tide.latencies.length} of ${options.rate * options.seconds}); ` +
        `CPU ${result.bareCpuUsPerMessage.toFixed(2)} µs/message bare, ${result.tideCpuUsPerEvent.toFixed(2)} µs/event TideDB sustained`,
    );
  }
  const med = (pick: (result: RoundResult) => number): number => median(results.map(pick));
  console.log('\n| measure | bare kafkajs producer | TideDB publisher | ratio |');
  console.log('|---|--:|--:|--:|');
  console.log(`| throughput, start included (median) | ${fmtRate(med((r) => r.bareRate))} msg/s | ${fmtRate(med((r) => r.tideRate))} events/s | ${(med((r) => r.tideRate) / med((r) => r.bareRate)).toFixed(2)}× |`);
  console.log(`| throughput, sustained (median) | ${fmtRate(med((r) => r.bareRate))} msg/s | ${fmtRate(med((r) => r.tideSustainedRate))} events/s | ${(med((r) => r.tideSustainedRate) / med((r) => r.bareRate)).toFixed(2)}× |`);
  console.log(`| CPU per message, sustained (median) | ${med((r) => r.bareCpuUsPerMessage).toFixed(2)} µs | ${med((r) => r.tideCpuUsPerEvent).toFixed(2)} µs | ${(med((r) => r.bareCpuUsPerMessage) / med((r) => r.tideCpuUsPerEvent)).toFixed(2)}× |`);
  console.log(`| latency p50 at ${options.rate}/s (median) | ${fmtMs(med((r) => r.bareP50Ms))} ms | ${fmtMs(med((r) => r.tideP50Ms))} ms | |`);
  console.log(`| latency p99 at ${options.rate}/s (median) | ${fmtMs(med((r) => r.bareP99Ms))} ms | ${fmtMs(med((r) => r.tideP99Ms))} ms | |`);
}

process.on('SIGINT', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
  process.exit(130);
});

main().catch((error: unknown) => {
  for (const child of liveChildren) child.kill('SIGKILL');
  console.error(error);
  process.exit(1);
});
