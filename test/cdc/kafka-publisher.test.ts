// Proves the publisher puts every applied row change on its table's topic, decodable and in lsn
// order, resumes after a restart from its checkpoint without republishing, and never throws or
// hangs while Kafka is unreachable; and publishes without transactions in at-least-once mode.
// Real LMDB store in a temp dir, real broker at KAFKA_BROKERS.
import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { checkpointKey, KafkaPublisher } from '../../services/cdc/kafka-publisher.js';
import { SchemaRegistry } from '../../services/cdc/schema-registry.js';
import { lsnOf } from '../../services/storage/lsn.js';
import type { TableDef } from '../../services/storage/types.js';
import { collectingLogger, decode, row, useChangelogStore, readMessages, committedRecordCount, waitFor } from './fixtures/publisher-harness.js';

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
const changelog = useChangelogStore('tidedb-publisher-');
const applyEntry = changelog.applyEntry;

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

// Events and tombstones, decoded.
async function readTopic(topic: string, count: number): Promise<(DecodedEvent | Tombstone)[]> {
  const registry = new SchemaRegistry(changelog.store(), topicPrefix);
  return (await readMessages(kafka, topic, count)).map((message) => {
    const key = decode(registry, message.key);
    if (message.value === null) return { key, tombstone: true };
    const envelope = decode(registry, message.value);
    const source = envelope['source'] as Record<string, unknown>;
    return { key, op: envelope['op'], lsn: source['lsn'], before: envelope['before'], after: envelope['after'] };
  });
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
    const publisher = new KafkaPublisher(changelog.store(), { brokers, clientId: `${topicPrefix}-a`, topicPrefix, logger });
    publisher.start();
    publisher.notify();
    await waitFor(() => publisher.publishedLsn() === lsns.at(-1), 'the publisher to catch up', logger.lines);
    await publisher.stop();

    expect(changelog.store().getLocal(checkpointKey)).toBe(lsns.at(-1));
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
    const publisher = new KafkaPublisher(changelog.store(), { brokers, clientId: `${topicPrefix}-b`, topicPrefix, logger });
    publisher.start();
    await waitFor(() => publisher.publishedLsn() === lsns.at(-1), 'the restarted publisher to catch up', logger.lines);
    await publisher.stop();

    const userEvents = await readTopic(`${topicPrefix}.app.users`, 7);
    expect(userEvents.slice(5)).toEqual([
      { key: { id: 3n }, op: 'c', lsn: lsns[0], before: null, after: { id: 3n, name: 'cy', balance: 5n } },
      { key: { id: 3n }, op: 'u', lsn: lsns[2], before: { id: 3n, name: 'cy', balance: 5n }, after: { id: 3n, name: 'cy', balance: 6n } },
    ]);
    // Nothing from before the restart came again.
    expect(await committedRecordCount(kafka, `${topicPrefix}.app.users`, 7)).toBe(7);
    expect(await readTopic(`${topicPrefix}.shop.orders`, 1)).toEqual([
      { key: { id: 7 }, op: 'c', lsn: lsns[1], before: null, after: { id: 7, user_id: 3n } },
    ]);
    expect(await committedRecordCount(kafka, `${topicPrefix}.shop.orders`, 1)).toBe(1);
  });
});

describe('KafkaPublisher after a failed assertion', () => {
  it('stops publishing and raises its alarm instead of retrying the round forever', { timeout: testTimeoutMs }, async () => {
    applyEntry([row(users, 'c', null, [5n, 'eve', null])]);
    const store = changelog.store();
    // A changelog whose records name a table version the catalog lacks: a bug, not an outage.
    const broken = Object.assign(Object.create(store) as typeof store, { tableVersion: () => undefined });
    const logger = collectingLogger();
    const publisher = new KafkaPublisher(broken, { brokers, clientId: `${topicPrefix}-alarm`, topicPrefix, logger });
    const checkpoint = store.getLocal(checkpointKey);
    publisher.start();
    await waitFor(() => publisher.alarm() !== null, 'the alarm', logger.lines);
    for (let i = 0; i < 10; i++) publisher.notify();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await publisher.stop();
    expect(publisher.alarm()).toMatch(/publisher stopped after lsn .*names unknown table/);
    expect(logger.lines.filter((line) => line.startsWith('error'))).toHaveLength(1);
    expect(logger.lines.filter((line) => line.includes('round failed'))).toEqual([]);
    expect(store.getLocal(checkpointKey)).toBe(checkpoint);
  });
});

describe('KafkaPublisher after changes it never published were pruned', () => {
  it('raises its alarm instead of carrying on from the next change that survived', { timeout: testTimeoutMs }, async () => {
    const store = changelog.store();
    // Retention removed changes this publisher has not taken (its checkpoint is further back).
    const pruned = Object.assign(Object.create(store) as typeof store, { changelogPrunedThrough: () => lsnOf(store.appliedIndex(), 0), getLocal: () => undefined });
    const logger = collectingLogger();
    const publisher = new KafkaPublisher(pruned, { brokers, clientId: `${topicPrefix}-gap`, topicPrefix: `${topicPrefix}_gap`, initialSnapshot: 'never', logger });
    publisher.start();
    await waitFor(() => publisher.alarm() !== null, 'the alarm', logger.lines);
    await publisher.stop();
    expect(publisher.alarm()).toMatch(/pruned through lsn .* past the checkpoint none/);
    expect(publisher.publishedLsn()).toBeNull();
  });
});

describe('KafkaPublisher without a reachable broker', () => {
  it('keeps retrying without throwing, publishes nothing, and stops promptly', { timeout: testTimeoutMs }, async () => {
    const logger = collectingLogger();
    // Port 1 on loopback: connections are refused at once.
    const publisher = new KafkaPublisher(changelog.store(), { brokers: ['127.0.0.1:1'], clientId: `${topicPrefix}-down`, topicPrefix, logger });
    const checkpoint = changelog.store().getLocal(checkpointKey);
    applyEntry([row(users, 'c', null, [4n, 'dee', null])]);
    publisher.start();
    for (let i = 0; i < 100; i++) publisher.notify();
    await waitFor(() => logger.lines.some((line) => line.startsWith('warn kafka publisher: round failed')), 'a failed round', logger.lines);
    const stoppedAtMs = Date.now();
    await publisher.stop();
    expect(Date.now() - stoppedAtMs).toBeLessThan(5_000);
    expect(changelog.store().getLocal(checkpointKey)).toBe(checkpoint);
    expect(publisher.publishedLsn()).toBe(checkpoint ?? null);
  });
});

describe('KafkaPublisher finding a checkpoint another cluster wrote', () => {
  it('raises its alarm instead of skipping its own changes up to the foreign position', { timeout: testTimeoutMs }, async () => {
    const foreignPrefix = `${topicPrefix}_foreign`;
    applyEntry([row(users, 'c', null, [8n, 'gus', null])]);
    const store = changelog.store();
    // The earlier cluster published through this store's last index.
    const earlier = new KafkaPublisher(store, { brokers, clientId: `${topicPrefix}-earlier`, topicPrefix: foreignPrefix, initialSnapshot: 'never', logger: collectingLogger() });
    earlier.start();
    const published = lsnOf(store.appliedIndex(), 0);
    await waitFor(() => earlier.publishedLsn() === published, 'the earlier cluster to publish');
    await earlier.stop();
    // A newer cluster under the same prefix and name whose log is shorter: a fresh one, with
    // no local checkpoint.
    const fresh = Object.assign(Object.create(store) as typeof store, { getLocal: () => undefined });
    const logger = collectingLogger();
    const publisher = new KafkaPublisher(fresh, { brokers, clientId: `${topicPrefix}-fresh`, topicPrefix: foreignPrefix, initialSnapshot: 'never', logEnd: () => store.appliedIndex() - 1n, logger });
    publisher.start();
    await waitFor(() => publisher.alarm() !== null, 'the alarm', logger.lines);
    await publisher.stop();
    expect(publisher.alarm()).toMatch(/checkpoint for .* is past this node's log \(last index \d+\): another cluster/);
    expect(publisher.publishedLsn()).toBeNull();
  });
});

// For brokers without transactions: an idempotent producer, the checkpoint written after the
// broker's ack. A store and prefix of its own, so only its changes are on its topic.
describe('KafkaPublisher with at-least-once delivery', () => {
  const ownChangelog = useChangelogStore('tidedb-publisher-at-least-once-');
  const ownPrefix = `${topicPrefix}_alo`;

  it('publishes every change in lsn order without a Kafka transaction and checkpoints the last, node-locally too', { timeout: testTimeoutMs }, async () => {
    ownChangelog.applyEntry([{ kind: 'create_table', table: users }]);
    const lsns = [...ownChangelog.applyEntry([row(users, 'c', null, [1n, 'ada', null])]), ...ownChangelog.applyEntry([row(users, 'u', [1n, 'ada', null], [1n, 'ada', 4n])])];
    const logger = collectingLogger();
    const publisher = new KafkaPublisher(ownChangelog.store(), { brokers, clientId: `${ownPrefix}-a`, topicPrefix: ownPrefix, publisherName: ownPrefix, delivery: 'at-least-once', logger });
    expect(publisher.deliveryMode).toBe('at-least-once');
    publisher.start();
    publisher.notify();
    await waitFor(() => publisher.publishedLsn() === lsns.at(-1), 'the at-least-once publisher to catch up', logger.lines);
    await publisher.stop();

    expect(ownChangelog.store().getLocal(checkpointKey)).toBe(lsns.at(-1));
    const registry = new SchemaRegistry(ownChangelog.store(), ownPrefix);
    const events = (await readMessages(kafka, `${ownPrefix}.app.users`, 2)).map((message) => {
      const envelope = decode(registry, message.value);
      return { key: decode(registry, message.key), op: envelope['op'], lsn: (envelope['source'] as Record<string, unknown>)['lsn'] };
    });
    expect(events).toEqual([
      { key: { id: 1n }, op: 'c', lsn: lsns[0] },
      { key: { id: 1n }, op: 'u', lsn: lsns[1] },
    ]);
    expect(logger.lines.filter((line) => line.startsWith('error'))).toEqual([]);
  });
});
