// `npm run store`: the whole store on this machine, without Docker — a Kafka broker (reused if
// one already answers on its port), a three-node TideDB cluster, the schema, the seed data,
// and the store's services, each its own process. Node n serves HTTP on <base>+n, MySQL on
// <base>+100+n and its peer link on <base>+200+n (4001…, 4101…, 4201… by default); the orders
// API listens on <base>+301 and the dashboard on <base>+401. Every process's output goes to
// <data-dir>/logs/. Ctrl-C (or SIGTERM) stops everything this started, and only that.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { TideClient } from '@tidedb/client';
import { storeSchema } from './schema.js';
import { seedDefaults, seedStore } from './seed.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..', '..');
const kafkaScript = join(repoRoot, 'test', 'broker', 'kafka.sh');
const nodeScript = resolve(here, '..', 'main.js');
const nodeIds = [1, 2, 3] as const;
const leaderWaitMs = 60_000;
const serviceRestartPauseMs = 1_000;

const { values } = parseArgs({
  options: {
    'port-base': { type: 'string', default: '4000' },
    'kafka-port': { type: 'string', default: '9092' },
    'data-dir': { type: 'string', default: './data/store' },
    seed: { type: 'string', default: String(seedDefaults.seed) },
    products: { type: 'string', default: String(seedDefaults.products) },
    users: { type: 'string', default: String(seedDefaults.users) },
  },
});
const portBase = Number(values['port-base']);
const kafkaPort = Number(values['kafka-port']);
const dataRoot = resolve(values['data-dir']);
const logDir = join(dataRoot, 'logs');
const brokers = `127.0.0.1:${kafkaPort}`;
const ordersTopic = 'tide.app.orders';
const nodeUrls = nodeIds.map((id) => `http://127.0.0.1:${portBase + id}`);
const ordersApiUrl = `http://127.0.0.1:${portBase + 301}`;
const dashboardUrl = `http://127.0.0.1:${portBase + 401}/`;

const children: { readonly name: string; readonly child: ChildProcess }[] = [];
let stopping = false;
let kafkaStarted = false;

// Starts a process whose output goes to its log. A service (`restart`) that exits on its own is
// started again after a pause: the store keeps running through a service's crash, as the
// services themselves are built to (an order event redelivered, a notification written again).
function start(name: string, args: readonly string[], options: { readonly env?: NodeJS.ProcessEnv; readonly restart?: boolean } = {}): void {
  const log = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  child.once('close', () => log.end());
  const entry = { name, child };
  children.push(entry);
  child.once('exit', (code, signal) => {
    if (stopping) return;
    const again = options.restart === true;
    process.stderr.write(`${name} exited (${signal ?? code})${again ? ', starting it again' : ''}; see ${join(logDir, `${name}.log`)}\n`);
    if (!again) return;
    children.splice(children.indexOf(entry), 1);
    setTimeout(() => {
      if (!stopping) start(name, args, options);
    }, serviceRestartPauseMs);
  });
}

function startNode(id: number, secret: string): void {
  const peers = nodeIds.map((peer) => `${peer}=127.0.0.1:${portBase + 200 + peer}`).join(',');
  const http = nodeIds.map((peer) => `${peer}=http://127.0.0.1:${portBase + peer}`).join(',');
  const args = [nodeScript, '--node-id', String(id), '--port', String(portBase + id), '--mysql-port', String(portBase + 100 + id), '--data-dir', join(dataRoot, `node-${id}`), '--peers', peers, '--peer-http', http, '--kafka', brokers];
  // A node that exits stays down, as with `npm run cluster`: the cluster outlives it.
  start(`node-${id}`, args, { env: { TIDE_CLUSTER_SECRET: secret } });
}

// The cluster's secret is made once and kept with its data, so a restarted store is the same
// cluster.
function clusterSecret(): string {
  const path = join(dataRoot, 'cluster.secret');
  if (!existsSync(path)) writeFileSync(path, randomBytes(24).toString('hex'), { mode: 0o600 });
  return readFileSync(path, 'utf8').trim();
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolveAnswer) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.destroy(), resolveAnswer(true)));
    socket.once('error', () => resolveAnswer(false));
  });
}

function runScript(args: readonly string[]): Promise<number> {
  return new Promise((resolveExit, reject) => {
    const child = spawn('bash', [kafkaScript, ...args], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, KAFKA_PORT: String(kafkaPort) } });
    child.once('error', reject);
    child.once('exit', (code) => resolveExit(code ?? 1));
  });
}

async function startKafka(keepData: boolean): Promise<void> {
  if (await answers(kafkaPort)) {
    if (!keepData) await refuseEarlierStoreTopics();
    process.stdout.write(`Kafka: reusing the broker on ${brokers}\n`);
    return;
  }
  // The broker keeps its topics when the store keeps its data: the nodes' Kafka checkpoints
  // and the inventory's offsets then still match what they point at.
  const code = await runScript(['start', ...(keepData ? ['--keep-data'] : [])]);
  if (code !== 0) throw new Error(`test/broker/kafka.sh start failed (${code})`);
  kafkaStarted = true;
}

// A broker that already holds an earlier store's orders topic also holds that cluster's publishing
// checkpoint, and a new cluster publishing there resumes after it, skipping its own first
// changes (the inventory would then never hear of the first orders). A fresh store needs a
// fresh broker: say so rather than start one that silently decides nothing.
async function refuseEarlierStoreTopics(): Promise<void> {
  const admin = new Kafka({ clientId: 'store-runner', brokers: [brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const topics = await admin.listTopics();
    if (topics.includes(ordersTopic)) {
      throw new Error(`the broker on ${brokers} already holds ${ordersTopic} from an earlier store, whose data (${dataRoot}) is gone; stop that broker (or give --kafka-port of a free port, and this starts a fresh one) and run again`);
    }
  } finally {
    await admin.disconnect();
  }
}

async function waitForLeader(): Promise<void> {
  const deadline = Date.now() + leaderWaitMs;
  while (Date.now() < deadline) {
    for (const url of nodeUrls) {
      try {
        const status = (await (await fetch(`${url}/v1/status`)).json()) as { raft?: { role?: string } };
        if (status.raft?.role === 'leader') return;
      } catch {
        // not up yet
      }
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 250));
  }
  throw new Error(`no leader among ${nodeUrls.join(', ')} after ${leaderWaitMs} ms; see ${logDir}`);
}

async function stop(exitCode = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.stdout.write('stopping the store…\n');
  // Services first, so none of them sees its database vanish; then the nodes; the broker last.
  for (const group of [children.filter((entry) => !entry.name.startsWith('node-')), children.filter((entry) => entry.name.startsWith('node-'))]) {
    await Promise.all(group.map(({ child }) => exited(child)));
  }
  if (kafkaStarted) await runScript(['stop']);
  process.exit(exitCode);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const done = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  child.kill('SIGTERM');
  return done;
}

async function main(): Promise<void> {
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  const keepData = existsSync(dataRoot);
  mkdirSync(logDir, { recursive: true });
  await startKafka(keepData);
  if (stopping) return;
  const secret = clusterSecret();
  for (const id of nodeIds) startNode(id, secret);
  await waitForLeader();
  const client = new TideClient({ nodes: nodeUrls });
  for (const sql of storeSchema) await client.query(sql);
  const seeded = await seedStore(client, { seed: Number(values.seed), products: Number(values.products), users: Number(values.users) });
  process.stdout.write(`seed: ${seeded.products} products and ${seeded.users} users added\n`);
  if (stopping) return;
  const nodes = nodeUrls.join(',');
  start('orders-api', [join(here, 'orders-api', 'main.js'), '--port', String(portBase + 301), '--nodes', nodes], { restart: true });
  start('inventory', [join(here, 'inventory', 'main.js'), '--nodes', nodes, '--brokers', brokers], { restart: true });
  start('notifications', [join(here, 'notifications', 'main.js'), '--nodes', nodes], { restart: true });
  const dashboardScript = join(here, 'dashboard', 'main.js');
  const dashboard = existsSync(dashboardScript);
  if (dashboard) start('dashboard', [dashboardScript, '--port', String(portBase + 401), '--nodes', nodes], { restart: true });
  process.stdout.write(
    [
      '',
      'the store is running:',
      dashboard ? `  dashboard:   ${dashboardUrl}` : '  dashboard:   not built (dist/services/store/dashboard/main.js is missing)',
      `  orders API:  ${ordersApiUrl}/v1/products`,
      ...nodeUrls.map((url, at) => `  TideDB node ${at + 1}: ${url}   (mysql -h127.0.0.1 -P${portBase + 101 + at} -uroot)`),
      `  Kafka:       ${brokers} (orders on ${ordersTopic})`,
      `  logs:        ${logDir}`,
      `load: npm run store:load -- --url ${ordersApiUrl} --rate 20 --duration 60`,
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

main().catch(async (error: unknown) => {
  process.stderr.write(`the store did not start: ${error instanceof Error ? error.message : String(error)}\n`);
  await stop(1);
});
