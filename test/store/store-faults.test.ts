// The store under faults: a three-node cluster publishing to a real broker, the orders API and
// the notifications service in this process, the inventory service as a process of its own.
// Several hundred orders are placed concurrently against limited stock while the cluster's
// leader and then the inventory service are each killed (SIGKILL) and restarted once. After:
// every order ends confirmed or rejected, none is decided twice, stock is never negative and
// equals the initial stock minus the confirmed quantities, every order the API acknowledged
// exists, and each order has exactly one notification, of its status. The dashboard, a process
// of its own on all three nodes from before the first order, reports at an lsn at or past the
// last write the same figures SQL computes.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TideClient } from '@tidedb/client';
import { runNotifier } from '../../services/store/notifications/notifier.js';
import { ordersApi } from '../../services/store/orders-api/server.js';
import { storeSchema } from '../../services/store/schema.js';
import { seededRandom } from '../support/seeded-random.js';
import { sleep } from '../system/node-process.js';
import { ClusterProcesses } from '../system/cluster-processes.js';
import { signalAndWait } from '../support/child-exit.js';
import { expectStoreInvariants, storeOutcome, waitFor } from './store-outcome.js';
import { DashboardProcess, figuresBySql } from './dashboard-process.js';

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const topicPrefix = `storefaults${Date.now()}`;
const inventoryScript = resolve(import.meta.dirname, '../../dist/services/store/inventory/main.js');
const productCount = 8;
const initialStock = 40;
const userCount = 30;
const orderCount = 300;
const placingConcurrency = 12;
const lowStockBelow = 10;

let cluster: ClusterProcesses;
let client: TideClient;
let api: FastifyInstance;
let apiUrl: string;
let nodeUrls: string[];
let dashboard: DashboardProcess | null = null;

// The inventory service's process, and every line it printed across its lives.
class InventoryProcess {
  private child: ChildProcess | null = null;
  output = '';

  start(): void {
    const args = [inventoryScript, '--nodes', nodeUrls.join(','), '--brokers', brokers.join(','), '--topic', `${topicPrefix}.app.orders`, '--group', `inventory-${topicPrefix}`];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child = child;
  }

  async stop(signal: NodeJS.Signals): Promise<void> {
    if (this.child === null) return;
    await signalAndWait(this.child, signal);
    this.child = null;
  }

  decisions(): [number, string][] {
    return [...this.output.matchAll(/^order (\d+): (\w+)$/gm)].map((match) => [Number(match[1]), match[2]!]);
  }
}
const inventory = new InventoryProcess();

beforeAll(async () => {
  cluster = await ClusterProcesses.start(3, { extraArgs: ['--kafka', brokers.join(','), '--topic-prefix', topicPrefix] });
  nodeUrls = cluster.nodes.map((node) => node.url);
  client = new TideClient({ nodes: nodeUrls, retryForMs: 20_000 });
  for (const sql of storeSchema) await client.query(sql);
  const products = Array.from({ length: productCount }, (_, at) => [at + 1, `Kettle ${at + 1}`, 'a test product', `${at + 3}.50`, initialStock]);
  await client.query(`INSERT INTO products (id, name, description, price, stock) VALUES ${products.map(() => '(?, ?, ?, ?, ?)').join(', ')}`, products.flat() as (string | number)[]);
  const users = Array.from({ length: userCount }, (_, at) => [at + 1, `buyer${at + 1}@example.org`, `Buyer ${at + 1}`, 'scrypt$1$1$1$AA==$AA==', '2026-01-01 00:00:00']);
  await client.query(`INSERT INTO users (id, email, name, password_hash, created_at) VALUES ${users.map(() => '(?, ?, ?, ?, ?)').join(', ')}`, users.flat() as (string | number)[]);
  api = ordersApi({ client });
  await api.listen({ port: 0, host: '127.0.0.1' });
  const address = api.server.address();
  apiUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
}, 120_000);

afterAll(async () => {
  await dashboard?.stop();
  await inventory.stop('SIGTERM');
  await api?.close();
  await cluster?.stop();
});

describe('the store under faults', () => {
  it('decides every order once and notifies it once while a node and the inventory service are killed', { timeout: 240_000 }, async () => {
    inventory.start();
    dashboard = await DashboardProcess.start(nodeUrls.join(','), null, lowStockBelow);
    const notifierStop = new AbortController();
    const notifier = runNotifier({ client, signal: notifierStop.signal });
    const random = seededRandom(Number(process.env['SEED'] ?? 11));
    const answers: { status: number; id: number | null; code: string | null }[] = [];
    let next = 0;
    const placeOrders = async (): Promise<void> => {
      while (next < orderCount) {
        next++;
        const items = new Map<number, number>();
        const lines = 1 + Math.floor(random() * 3);
        while (items.size < lines) items.set(1 + Math.floor(random() * productCount), 1 + Math.floor(random() * 3));
        const body = { user_id: 1 + Math.floor(random() * userCount), items: [...items].map(([product_id, qty]) => ({ product_id, qty })) };
        const response = await fetch(`${apiUrl}/v1/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        const answer = (await response.json()) as { id?: number; error?: { code: string } };
        answers.push({ status: response.status, id: answer.id ?? null, code: answer.error?.code ?? null });
      }
    };
    const faults = async (): Promise<void> => {
      await waitFor('a third of the orders', async () => answers.length >= orderCount / 3, 60_000);
      const leader = await cluster.leader();
      await leader.kill();
      await cluster.leader(20_000, cluster.nodes.filter((node) => node !== leader));
      await leader.start();
      await waitFor('two thirds of the orders', async () => answers.length >= (2 * orderCount) / 3, 60_000);
      await inventory.stop('SIGKILL');
      await sleep(500);
      inventory.start();
    };
    await Promise.all([...Array.from({ length: placingConcurrency }, placeOrders), faults()]);

    try {
      await waitFor('every order decided', async () => (await client.query<{ n: number }>("SELECT COUNT(*) AS n FROM orders WHERE status = 'pending'")).rows[0]!.n === 0, 120_000);
      const orderTotal = (await client.query<{ n: number }>('SELECT COUNT(*) AS n FROM orders')).rows[0]!.n;
      await waitFor('a notification per order', async () => (await client.query<{ n: number }>('SELECT COUNT(*) AS n FROM notifications')).rows[0]!.n === orderTotal, 60_000);
    } finally {
      notifierStop.abort();
      await notifier;
    }

    const outcome = await storeOutcome(client);

    // Most orders were placed, and every acknowledged one exists; a refusal during the failover
    // may only be one the client could not know the fate of, or could not place at all.
    const acknowledged = answers.filter((answer) => answer.status === 201).map((answer) => answer.id!);
    expect(acknowledged.length).toBeGreaterThan(orderCount / 2);
    const failoverCodes = ['OUTCOME_UNKNOWN', 'UNREACHABLE', 'NOT_LEADER', 'SHUTTING_DOWN', 'OVERLOADED', 'REQUEST_TIMEOUT'];
    for (const answer of answers.filter((entry) => entry.status !== 201)) expect(failoverCodes).toContain(answer.code);
    const ids = new Set(outcome.orders.map((order) => order.id));
    expect(acknowledged.filter((id) => !ids.has(id))).toEqual([]);

    expectStoreInvariants(outcome, initialStock);
    // No order decided twice by the service (a kill between a decision and its log line may
    // leave one with none there, which the database's statuses above cover).
    const decisive = inventory.decisions().filter(([, decision]) => decision !== 'already_decided');
    expect(decisive.length).toBe(new Set(decisive.map(([id]) => id)).size);
    for (const [id, decision] of decisive) expect(outcome.orders.find((order) => order.id === id)?.status).toBe(decision);

    // The dashboard followed all of it through the failover: at the lsn of a read made after
    // every write, its figures are SQL's.
    const { lsn } = await client.query('SELECT COUNT(*) FROM orders');
    const state = await dashboard!.stateAtLeast(BigInt(lsn));
    const sql = await figuresBySql(client, lowStockBelow);
    expect(state.revenue).toEqual(sql.revenue);
    expect(state.ordersByStatus).toEqual(sql.ordersByStatus);
    expect(state.lowStock).toEqual(sql.lowStock);
    expect(state.latestOrders.map(({ id, status, total, items }) => ({ id, status, total, items }))).toEqual(sql.latestOrders);
    expect(Object.fromEntries(state.ordersPerMinute.filter((minute) => minute.orders > 0).map((minute) => [minute.minute, minute.orders]))).toEqual(sql.ordersPerMinute);
    expect(state.ordersByStatus['confirmed']).toBeGreaterThan(0);
  });
});
