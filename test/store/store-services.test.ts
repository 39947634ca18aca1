// The store's three services against a real TideDB node publishing to a real Kafka broker:
// sign-ups (a duplicate email refused), orders placed concurrently against limited stock, each
// decided exactly once by the inventory service, stock never negative and equal to the initial
// stock minus the confirmed quantities, one notification per decided order across a restart of
// the notifications service, and an order event delivered twice changing nothing.
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TideClient } from '@tidedb/client';
import type { TableConsumer } from '@tidedb/client/kafka';
import { decideOrder } from '../../services/store/inventory/decide-order.js';
import type { Decision } from '../../services/store/inventory/decide-order.js';
import { consumeOrders } from '../../services/store/inventory/order-consumer.js';
import { runNotifier } from '../../services/store/notifications/notifier.js';
import { ordersApi } from '../../services/store/orders-api/server.js';
import { storeSchema } from '../../services/store/schema.js';
import { seededRandom } from '../support/seeded-random.js';
import { NodeProcess, freePort, sleep, temporaryDir } from '../system/node-process.js';
import { expectStoreInvariants, storeOutcome, waitFor } from './store-outcome.js';

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const topicPrefix = `store${Date.now()}`;
const ordersTopic = `${topicPrefix}.app.orders`;
const dir = temporaryDir('store-services');
const cheapCost = { N: 1_024, r: 8, p: 1 };
const productCount = 4;
const initialStock = 12;
const orderCount = 60;

let node: NodeProcess;
let client: TideClient;
let api: FastifyInstance;
let apiUrl: string;
let inventory: TableConsumer | null = null;
const decisions: { orderId: number; decision: Decision }[] = [];

beforeAll(async () => {
  node = new NodeProcess(dir.path, await freePort(), ['--kafka', brokers.join(','), '--topic-prefix', topicPrefix]);
  await node.start();
  client = new TideClient({ nodes: [node.url] });
  for (const sql of storeSchema) await client.query(sql);
  for (let id = 1; id <= productCount; id++) {
    await client.query('INSERT INTO products (id, name, description, price, stock) VALUES (?, ?, ?, ?, ?)', [id, `Lantern ${id}`, 'a test product', `${id}.25`, initialStock]);
  }
  api = ordersApi({ client, passwordCost: cheapCost });
  await api.listen({ port: 0, host: '127.0.0.1' });
  const address = api.server.address();
  apiUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
});

afterAll(async () => {
  await inventory?.stop();
  await api?.close();
  await node?.stop();
  dir.remove();
});

async function post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${apiUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function count(sql: string): Promise<number> {
  const { rows } = await client.query<{ n: number }>(sql);
  return rows[0]!.n;
}

// Everything the services may change, to compare before and after a duplicate event.
async function storeState(): Promise<unknown> {
  const { results } = await client.batch([
    { sql: 'SELECT id, status, decided_at FROM orders ORDER BY id' },
    { sql: 'SELECT id, stock FROM products ORDER BY id' },
    { sql: 'SELECT order_id, kind, created_at FROM notifications ORDER BY order_id' },
  ]);
  return results.map((result) => result.rows);
}

describe('the store services', () => {
  const userIds: number[] = [];

  it('registers users and refuses a duplicate email with EMAIL_TAKEN', async () => {
    for (let at = 0; at < 10; at++) {
      const created = await post('/v1/users', { email: `Shopper${at}@Example.org`, name: `Shopper ${at}`, password: 'correct horse' });
      expect(created.status).toBe(201);
      expect(created.body['email']).toBe(`shopper${at}@example.org`);
      userIds.push(created.body['id'] as number);
    }
    const again = await post('/v1/users', { email: 'SHOPPER3@example.org', name: 'Someone else', password: 'another one' });
    expect(again).toEqual({ status: 409, body: { error: { code: 'EMAIL_TAKEN', message: "a user with email 'shopper3@example.org' already exists" } } });
    const invalid = await post('/v1/users', { email: 'no-at-sign', name: 'x', password: 'short' });
    expect(invalid.status).toBe(400);
    expect((invalid.body['error'] as { code: string }).code).toBe('REQUEST_INVALID');
    const { rows } = await client.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE email = ?', ['shopper3@example.org']);
    expect(rows[0]!.password_hash).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(rows[0]!.password_hash).not.toContain('correct horse');
  });

  it('lists, searches and gets products, and refuses bad orders with clear codes', async () => {
    const get = async (path: string): Promise<{ status: number; body: Record<string, unknown> }> => {
      const response = await fetch(`${apiUrl}${path}`);
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    expect((await get('/v1/products?limit=2')).body).toEqual({
      products: [
        { id: 1, name: 'Lantern 1', description: 'a test product', price: '1.25', stock: initialStock },
        { id: 2, name: 'Lantern 2', description: 'a test product', price: '2.25', stock: initialStock },
      ],
    });
    expect(((await get('/v1/products?search=tern%203')).body['products'] as { id: number }[]).map((product) => product.id)).toEqual([3]);
    // LIKE's wildcards in a search are plain characters: `_` does not stand for the space.
    expect((await get('/v1/products?search=tern_3')).body).toEqual({ products: [] });
    expect((await get('/v1/products/4')).body['name']).toBe('Lantern 4');
    expect(await get('/v1/products/99')).toEqual({ status: 404, body: { error: { code: 'PRODUCT_NOT_FOUND', message: 'no product 99' } } });
    expect((await get('/v1/products?limit=1000')).status).toBe(400);

    const refused = async (body: unknown): Promise<[number, unknown]> => {
      const answer = await post('/v1/orders', body);
      return [answer.status, (answer.body['error'] as { code: string } | undefined)?.code];
    };
    expect(await refused({ user_id: userIds[0], items: [{ product_id: 1, qty: 1 }, { product_id: 99, qty: 1 }] })).toEqual([404, 'PRODUCT_NOT_FOUND']);
    expect(await refused({ user_id: userIds[0], items: [{ product_id: 98, qty: 1 }] })).toEqual([404, 'PRODUCT_NOT_FOUND']);
    expect(await refused({ user_id: 99_999, items: [{ product_id: 1, qty: 1 }] })).toEqual([404, 'USER_NOT_FOUND']);
    expect(await refused({ user_id: userIds[0], items: [{ product_id: 1, qty: 1 }, { product_id: 1, qty: 2 }] })).toEqual([400, 'REQUEST_INVALID']);
    expect(await refused({ user_id: userIds[0], items: [] })).toEqual([400, 'REQUEST_INVALID']);
    expect(await refused({ user_id: userIds[0], items: [{ product_id: 1, qty: 0 }] })).toEqual([400, 'REQUEST_INVALID']);
    expect(await refused({ user_id: userIds[0], items: [{ product_id: 1, qty: 1, price: '0.01' }] })).toEqual([400, 'REQUEST_INVALID']);
    // None of them left anything behind.
    expect(await count('SELECT COUNT(*) AS n FROM orders')).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM order_items')).toBe(0);
    expect(await get('/v1/users/99999/orders')).toEqual({ status: 404, body: { error: { code: 'USER_NOT_FOUND', message: 'no user 99999' } } });
    expect(await get(`/v1/users/${userIds[0]}/orders`)).toEqual({ status: 200, body: { orders: [] } });
  });

  it('decides every order of a concurrent burst exactly once, within the stock, and notifies each once across a restart', async () => {
    const random = seededRandom(Number(process.env['SEED'] ?? 7));
    const placeOrder = async (): Promise<{ status: number; body: Record<string, unknown> }> => {
      const items = new Map<number, number>();
      const lines = 1 + Math.floor(random() * 3);
      while (items.size < lines) items.set(1 + Math.floor(random() * productCount), 1 + Math.floor(random() * 3));
      return post('/v1/orders', { user_id: userIds[Math.floor(random() * userIds.length)], items: [...items].map(([product_id, qty]) => ({ product_id, qty })) });
    };

    let notifierStop = new AbortController();
    let notifier = runNotifier({ client, signal: notifierStop.signal });
    // The consumer waits for the orders topic, which the node creates with the first order.
    const consuming = consumeOrders({ client, brokers, registryUrl: node.url, topic: ordersTopic, groupId: `inventory-${topicPrefix}`, onDecision: (orderId, decision) => decisions.push({ orderId, decision }) });

    const firstHalf = await Promise.all(Array.from({ length: orderCount / 2 }, placeOrder));
    // The notifications service stops halfway and starts again: nothing decided meanwhile is lost.
    notifierStop.abort();
    await notifier;
    const secondHalf = await Promise.all(Array.from({ length: orderCount / 2 }, placeOrder));
    inventory = await consuming;
    notifierStop = new AbortController();
    notifier = runNotifier({ client, signal: notifierStop.signal });

    const placed = [...firstHalf, ...secondHalf];
    expect(placed.map((answer) => answer.status)).toEqual(placed.map(() => 201));
    for (const { body } of placed) {
      expect(body['status']).toBe('pending');
      const items = body['items'] as { qty: number; price: string }[];
      const total = items.reduce((sum, item) => sum + item.qty * Number(item.price), 0);
      expect(Number(body['total'])).toBeCloseTo(total, 2);
    }

    try {
      await waitFor('every order decided', async () => (await count("SELECT COUNT(*) AS n FROM orders WHERE status = 'pending'")) === 0);
      await waitFor('a notification per order', async () => (await count('SELECT COUNT(*) AS n FROM notifications')) === orderCount);
    } finally {
      notifierStop.abort();
      await notifier;
    }

    // Exactly once: each order was confirmed or rejected by one decision; any other look at it
    // found it decided.
    const decisive = decisions.filter((entry) => entry.decision !== 'already_decided');
    expect(decisive.map((entry) => entry.orderId).sort((a, b) => a - b)).toEqual(placed.map((answer) => answer.body['id'] as number).sort((a, b) => a - b));

    const outcome = await storeOutcome(client);
    expectStoreInvariants(outcome, initialStock);
    // A user's orders come back with their items, as placed.
    const mine = placed.filter((answer) => answer.body['user_id'] === userIds[0]).map((answer) => answer.body);
    const looked = (await (await fetch(`${apiUrl}/v1/users/${userIds[0]}/orders`)).json()) as { orders: Record<string, unknown>[] };
    expect(looked.orders.map((order) => [order['id'], order['total'], order['items']])).toEqual(mine.sort((a, b) => Number(b['id']) - Number(a['id'])).map((order) => [order['id'], order['total'], order['items']]));
    // The decisions agree with the database.
    expect(decisive.map((entry) => [entry.orderId, entry.decision]).sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual(outcome.orders.map((order) => [order.id, order.status]));
  });

  it('changes nothing when an order event is delivered twice', async () => {
    const before = await storeState();
    // A raw copy of the first pending order's event, produced again to the topic as a broker
    // redelivery or a duplicating producer would.
    const kafka = new Kafka({ clientId: 'store-test', brokers, logLevel: logLevel.WARN });
    const reader = kafka.consumer({ groupId: `copy-${topicPrefix}` });
    await reader.connect();
    await reader.subscribe({ topic: ordersTopic, fromBeginning: true });
    const first = await new Promise<{ key: Buffer | null; value: Buffer | null }>((resolve) => {
      void reader.run({ eachMessage: async ({ message }) => resolve({ key: message.key, value: message.value }) });
    });
    await reader.disconnect();
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const seenBefore = decisions.length;
    await producer.send({ topic: ordersTopic, messages: [first] });
    await producer.disconnect();
    await waitFor('the duplicate consumed', async () => decisions.length > seenBefore);
    expect(decisions.slice(seenBefore)).toEqual([{ orderId: decisions.slice(seenBefore)[0]!.orderId, decision: 'already_decided' }]);
    // And directly: deciding a decided order again is a no-op too.
    expect(await decideOrder(client, decisions[0]!.orderId)).toBe('already_decided');
    // A restarted notifications service writes nothing new either.
    const stop = new AbortController();
    const notifier = runNotifier({ client, signal: stop.signal, onWritten: () => stop.abort() });
    await Promise.race([notifier, sleep(10_000)]);
    stop.abort();
    await notifier;
    expect(await storeState()).toEqual(before);
  });

  it('confirms an order once when several deciders race for it', async () => {
    // Stock for it first: the burst above may have sold product 1 out.
    await client.query('UPDATE products SET stock = stock + 5 WHERE id = 1');
    const placed = await post('/v1/orders', { user_id: userIds[0], items: [{ product_id: 1, qty: 2 }] });
    expect(placed.status).toBe(201);
    const orderId = placed.body['id'] as number;
    const stockBefore = await count('SELECT stock AS n FROM products WHERE id = 1');
    // Three deciders here, and the inventory service's consumer on the order's event.
    const racing = await Promise.all([decideOrder(client, orderId), decideOrder(client, orderId), decideOrder(client, orderId)]);
    await waitFor('the consumer to see the order', async () => decisions.some((entry) => entry.orderId === orderId));
    const outcomes = [...racing, ...decisions.filter((entry) => entry.orderId === orderId).map((entry) => entry.decision)];
    expect(outcomes.filter((decision) => decision !== 'already_decided')).toEqual(['confirmed']);
    expect(await count('SELECT stock AS n FROM products WHERE id = 1')).toBe(stockBefore - 2);
  });
});
