// Proves the publisher puts every applied row change on its table's topic, decodable and in lsn
// order, resumes after a restart from its checkpoint without republishing, and never throws or
// hangs while Kafka is unreachable. Real LMDB store in a temp dir, real broker at KAFKA_BROKERS.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avsc from 'avsc';
import kafkajs from 'kafkajs';
import type { Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointKey, KafkaPublisher } from '../../services/cdc/kafka-publisher.js';
import type { PublisherLogger } from '../../services/cdc/kafka-publisher.js';
import { SchemaRegistry } from '../../services/cdc/schema-registry.js';
import { decodeWireFormat } from '../../services/cdc/wire-format.js';
import { lsnOf } from '../../services/storage/lsn.js';
import { Store } from '../../services/storage/store.js';
import type { BatchChange, Row, TableDef } from '../../services/storage/types.js';
import { encodeBatch } from '../../services/storage/batch-codec.js';
import { bigintLong } from './fixtures/bigint-long.js';

const { Kafka, logLevel } = kafkajs;

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((broker) => broker.trim());
// A fresh prefix per run, so topics left by earlier runs are never read.
const topicPrefix = `test_${Date.now().toString(36)}_${randomUUID().slice(0, 8)}`;
const testTimeoutMs = 90_000;

const users: TableDef = {
  id: 1,
  version: 1,
  database: 'app',
  name: 'users',
  columns: [
    { name: 'id', type: 'BIGINT', length: null, nullable: false, autoIncrement: true },
    { name: 'name', type: 'VARCHAR', length: 32, nullable: false, autoIncrement: false },
    { name: 'balance', type: 'BIGINT', length: null, nullable: true, autoIncrement: false },
  ],
  primaryKey: [0],
};
const orders: TableDef = {
  id: 2,
  version: 1,
  database: 'shop',
  name: 'orders',
  columns: [
    { name: 'id', type: 'INT', length: null, nullable: false, autoIncrement: false },
    { name: 'user_id', type: 'BIGINT', length: null, nullable: false, autoIncrement: false },
  ],
  primaryKey: [0],
};
const big = 2n ** 60n + 1n;

const kafka = new Kafka({ clientId: `${topicPrefix}-test`, brokers, logLevel: logLevel.NOTHING });
let dir: string;
let store: Store;
let nextIndex = 1n;
const consumers: Consumer[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tidedb-publisher-'));
  store = Store.open(join(dir, 'db'));
});

afterAll(async () => {
  await Promise.allSettled(consumers.map((consumer) => consumer.disconnect()));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

// Applies one Raft entry; returns the lsn of each of its row changes, in order.
function applyEntry(changes: readonly BatchChange[]): bigint[] {
  const index = nextIndex++;
  store.apply([{ index, term: 1n, kind: 'batch', data: encodeBatch({ proposedAtMs: 1_700_000_000_000 + Number(index), changes }) }]);
  return changes.filter((change) => change.kind === 'row').map((_change, offset) => lsnOf(index, offset));
}

function row(table: TableDef, op: 'c' | 'u' | 'd', before: Row | null, after: Row | null): BatchChange {
  return { kind: 'row', tableId: table.id, schemaVersion: table.version, op, before, after };
}

function collectingLogger(): PublisherLogger & { readonly lines: string[] } {
  const lines: string[] = [];
  return { lines, debug: (line) => lines.push(`debug ${line}`), info: (line) => lines.push(`info ${line}`), warn: (line) => lines.push(`warn ${line}`), error: (line) => lines.push(`error ${line}`) };
}

// `log` goes into the failure message, so a timeout says what the publisher was doing.
async function waitFor(condition: () => boolean, what: string, log: readonly string[] = [], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${log.slice(-20).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}


interface DecodedEvent {
  readonly key: unknown;
  readonly op: unknown;
  readonly lsn: unknown;
  readonly before: unknown;
  readonly after: unknown;
}

// A null value: the tombstone after a delete.
interface Tombstone {
  readonly key: unknown;
  readonly tombstone: true;
}

interface ReadMessage {
  readonly partition: number;
  readonly key: Buffer;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, Buffer>>;
}

// Decodes a message the way a consumer does: schema id from the wire format, writer schema
// text from the registry (here called directly; the HTTP side is schema-registry.test.ts).
function decode(registry: SchemaRegistry, framed: Buffer | null): Record<string, unknown> {
  expect(framed).not.toBeNull();
  const wire = decodeWireFormat(framed!);
  expect(wire).toBeDefined();
  const schema = registry.schemaById(wire!.schemaId);
  expect(schema).toBeDefined();
  const type = avsc.Type.forSchema(JSON.parse(schema!) as avsc.Schema, { registry: { long: bigintLong } });
  return plain(type.fromBuffer(wire!.body)) as Record<string, unknown>;
}

// avsc records are class instances; compare them as plain data.
function plain(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, plain(field)]));
}

// Reads a topic from the beginning with a fresh consumer group until `count` messages arrived.
async function readRaw(topic: string, count: number): Promise<ReadMessage[]> {
  const consumer = kafka.consumer({ groupId: `${topicPrefix}-${randomUUID()}` });
  consumers.push(consumer);
  const messages: ReadMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, value as Buffer]));
      messages.push({ partition, key: message.key!, value: message.value, headers });
    },
  });
  await waitFor(() => messages.length >= count, `${count} messages on ${topic}`);
  await consumer.disconnect();
  return messages;
}

// Events and tombstones, decoded.
async function readTopic(topic: string, count: number): Promise<(DecodedEvent | Tombstone)[]> {
  const registry = new SchemaRegistry(store, topicPrefix);
  return (await readRaw(topic, count)).map((message) => {
    const key = decode(registry, message.key);
    if (message.value === null) return { key, tombstone: true };
    const envelope = decode(registry, message.value);
    const source = envelope['source'] as Record<string, unknown>;
    return { key, op: envelope['op'], lsn: source['lsn'], before: envelope['before'], after: envelope['after'] };
  });
}

async function topicLength(topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
  } finally {
    await admin.disconnect();
  }
}

describe('KafkaPublisher against a real broker', () => {
  it('publishes every change in lsn order, decodable, and checkpoints the last', { timeout: testTimeoutMs }, async () => {
    applyEntry([{ kind: 'create_table', table: users }]);
    const lsns = [
      ...applyEntry([row(users, 'c', null, [1n, 'ada', null]), row(users, 'c', null, [2n, 'bob', big])]),
      ...applyEntry([row(users, 'u', [1n, 'ada', null], [1n, 'ada', 10n])]),
      ...applyEntry([row(users, 'd', [2n, 'bob', big], null)]),
    ];
    const logger = collectingLogger();
    const publisher = new KafkaPublisher(store, { brokers, clientId: `${topicPrefix}-a`, topicPrefix, logger });
    publisher.start();
    publisher.notify();
    await waitFor(() => publisher.publishedLsn() === lsns.at(-1), 'the publisher to catch up', logger.lines);
    await publisher.stop();

    expect(store.getLocal(checkpointKey)).toBe(lsns.at(-1));
    expect(await readTopic(`${topicPrefix}.app.users`, 5)).toEqual([
      { key: { id: 1n }, op: 'c', lsn: lsns[0], before: null, after: { id: 1n, name: 'ada', balance: null } },
      { key: { id: 2n }, op: 'c', lsn: lsns[1], before: null, after: { id: 2n, name: 'bob', balance: big } },
      { key: { id: 1n }, op: 'u', lsn: lsns[2], before: { id: 1n, name: 'ada', balance: null }, after: { id: 1n, name: 'ada', balance: 10n } },
      { key: { id: 2n }, op: 'd', lsn: lsns[3], before: { id: 2n, name: 'bob', balance: big }, after: null },
      { key: { id: 2n }, tombstone: true },
    ]);
    expect(logger.lines.filter((line) => line.startsWith('error'))).toEqual([]);
  });

  it('after a restart publishes only what the checkpoint has not passed, to every table\'s topic', { timeout: testTimeoutMs }, async () => {
    applyEntry([{ kind: 'create_table', table: orders }]);
    const lsns = applyEntry([row(users, 'c', null, [3n, 'cy', 5n]), row(orders, 'c', null, [7n, 3n]), row(users, 'u', [3n, 'cy', 5n], [3n, 'cy', 6n])]);
    const logger = collectingLogger();
    const publisher = new KafkaPublisher(store, { brokers, clientId: `${topicPrefix}-b`, topicPrefix, logger });
    publisher.start();
    await waitFor(() => publisher.publishedLsn() === lsns.at(-1), 'the restarted publisher to catch up', logger.lines);
    await publisher.stop();

    const userEvents = await readTopic(`${topicPrefix}.app.users`, 7);
    expect(userEvents.slice(5)).toEqual([
      { key: { id: 3n }, op: 'c', lsn: lsns[0], before: null, after: { id: 3n, name: 'cy', balance: 5n } },
      { key: { id: 3n }, op: 'u', lsn: lsns[2], before: { id: 3n, name: 'cy', balance: 5n }, after: { id: 3n, name: 'cy', balance: 6n } },
    ]);
    // Nothing from before the restart came again.
    expect(await topicLength(`${topicPrefix}.app.users`)).toBe(7);
    expect(await readTopic(`${topicPrefix}.shop.orders`, 1)).toEqual([
      { key: { id: 7 }, op: 'c', lsn: lsns[1], before: null, after: { id: 7, user_id: 3n } },
    ]);
    expect(await topicLength(`${topicPrefix}.shop.orders`)).toBe(1);
  });
});

describe('KafkaPublisher without a reachable broker', () => {
  it('keeps retrying without throwing, publishes nothing, and stops promptly', { timeout: testTimeoutMs }, async () => {
    const logger = collectingLogger();
    // Port 1 on loopback: connections are refused at once.
    const publisher = new KafkaPublisher(store, { brokers: ['127.0.0.1:1'], clientId: `${topicPrefix}-down`, topicPrefix, logger });
    const checkpoint = store.getLocal(checkpointKey);
    applyEntry([row(users, 'c', null, [4n, 'dee', null])]);
    publisher.start();
    for (let i = 0; i < 100; i++) publisher.notify();
    await waitFor(() => logger.lines.some((line) => line.startsWith('warn kafka publisher: round failed')), 'a failed round', logger.lines);
    const stoppedAtMs = Date.now();
    await publisher.stop();
    expect(Date.now() - stoppedAtMs).toBeLessThan(5_000);
    expect(store.getLocal(checkpointKey)).toBe(checkpoint);
    expect(publisher.publishedLsn()).toBe(checkpoint ?? null);
  });
});
