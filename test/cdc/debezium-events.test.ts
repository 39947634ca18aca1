// Proves the events on a table topic are Debezium's: each carries its transaction block, a
// delete is followed by a tombstone (unless turned off), a primary-key change carries the
// old/new key headers, and the created topic is compacted with the configured partitions,
// each key on the partition Java's murmur2 picks. Real LMDB changelog.store(), real broker at KAFKA_BROKERS.
import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SchemaRegistry as RegistryClient } from '@kafkajs/confluent-schema-registry';
import Fastify from 'fastify';
import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { newKeyHeader, oldKeyHeader } from '../../services/cdc/change-encoder.js';
import { checkpointKey, KafkaPublisher } from '../../services/cdc/kafka-publisher.js';
import { SchemaRegistry } from '../../services/cdc/schema-registry.js';
import { schemaRegistryRoutes } from '../../services/http/schema-registry-routes.js';
import { lsnOf } from '../../services/storage/lsn.js';
import type { TableDef } from '../../services/storage/types.js';
import { javaMurmur2, javaPartitionOf } from './fixtures/java-murmur2.js';
import { itemsTable } from './fixtures/items.js';
import { collectingLogger, decode, row, useChangelogStore, readMessages, committedRecordCount, waitFor } from './fixtures/publisher-harness.js';
import type { ReadMessage } from './fixtures/publisher-harness.js';

const { Kafka, logLevel, ConfigResourceTypes } = kafkajs;

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((broker) => broker.trim());
const runId = `${Date.now().toString(36)}_${randomUUID().slice(0, 8)}`;
const testTimeoutMs = 90_000;
const partitions = 3;

const items = itemsTable;
const tags: TableDef = { ...items, id: 2, name: 'tags' };

const kafka = new Kafka({ clientId: `dbz_${runId}`, brokers, logLevel: logLevel.NOTHING });
const changelog = useChangelogStore('tidedb-debezium-');
const applyEntry = changelog.applyEntry;

async function publishAll(prefix: string, lastLsn: bigint, options: { tombstones?: boolean; transactionMarkers?: boolean } = {}): Promise<void> {
  const logger = collectingLogger();
  const publisher = new KafkaPublisher(changelog.store(), { brokers, clientId: `${prefix}-publisher`, topicPrefix: prefix, topicPartitions: partitions, logger, ...options });
  publisher.start();
  await waitFor(() => publisher.publishedLsn() === lastLsn, 'the publisher to catch up', logger.lines);
  await publisher.stop();
  expect(logger.lines.filter((line) => line.startsWith('error'))).toEqual([]);
}

interface Seen {
  readonly partition: number;
  readonly key: unknown;
  readonly lsn?: unknown;
  readonly op?: unknown;
  readonly transaction?: unknown;
  readonly headers: Record<string, unknown>;
}

function describeMessage(registry: SchemaRegistry, message: ReadMessage): Seen {
  const headers = Object.fromEntries(Object.entries(message.headers).map(([name, value]) => [name, decode(registry, value)]));
  const seen = { partition: message.partition, key: decode(registry, message.key), headers };
  if (message.value === null) return seen;
  const envelope = decode(registry, message.value);
  return { ...seen, lsn: (envelope['source'] as Record<string, unknown>)['lsn'], op: envelope['op'], transaction: envelope['transaction'] };
}

// Messages of one partition keep their order; across partitions there is none to compare.
function inLsnOrderPerPartition(seen: readonly Seen[]): Seen[][] {
  return [...Array(partitions).keys()].map((partition) => seen.filter((message) => message.partition === partition));
}

describe("Kafka's Java partitioner, as the test computes it", () => {
  it('matches the murmur2 values of Kafka\'s own tests', () => {
    const cases: [string, number][] = [['21', -973932308], ['foobar', -790332482], ['a-little-bit-long-string', -985981536], ['a-little-bit-longer-string', -1486304829], ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971], ['abc', 479470107]];
    for (const [text, hash] of cases) expect(javaMurmur2(Buffer.from(text))).toBe(hash);
  });
});

describe('Debezium-compatible events against a real broker', () => {
  let entryA: bigint[];
  let keyChange: bigint[];
  let deletion: bigint[];

  it('number each event in its transaction, tombstone deletes, mark key changes, and go to the key\'s murmur2 partition of a compacted topic', { timeout: testTimeoutMs }, async () => {
    applyEntry([{ kind: 'create_table', table: items }]);
    applyEntry([{ kind: 'create_table', table: tags }]);
    entryA = applyEntry([
      row(items, 'c', null, [1n, 'a']),
      row(tags, 'c', null, [1n, 't']),
      ...[2n, 3n, 4n, 5n, 6n].map((id) => row(items, 'c', null, [id, `i${id}`])),
    ]);
    keyChange = applyEntry([row(items, 'd', [1n, 'a'], null), row(items, 'c', null, [11n, 'a'])]);
    deletion = applyEntry([row(items, 'd', [2n, 'i2'], null)]);
    const prefix = `dbz_${runId}`;
    await publishAll(prefix, deletion.at(-1)!);

    const topic = `${prefix}.app.items`;
    const registry = new SchemaRegistry(changelog.store(), prefix);
    // 6 creates; the key change's delete, its tombstone and create; a delete and its tombstone.
    const raw = await readMessages(kafka, topic, 11);
    expect(await committedRecordCount(kafka, topic, 11)).toBe(11);
    for (const message of raw) expect(message.partition).toBe(javaPartitionOf(message.key, partitions));
    const seen = raw.map((message) => describeMessage(registry, message));

    const at = (lsn: bigint): Seen => seen.find((message) => message.lsn === lsn)!;
    // Entry A: the items at places 1 and 3..7 overall and 1..6 among items (the tag is place 2).
    const itemLsns = [entryA[0]!, ...entryA.slice(2)];
    expect(itemLsns.map((lsn) => at(lsn).transaction)).toEqual(
      [1, 3, 4, 5, 6, 7].map((totalOrder, position) => block(entryA, totalOrder, position + 1)),
    );

    const [movedFrom, movedTo] = keyChange.map(at);
    expect(movedFrom).toMatchObject({ op: 'd', key: { id: 1 }, headers: { [newKeyHeader]: { id: 11 } } });
    expect(movedTo).toMatchObject({ op: 'c', key: { id: 11 }, headers: { [oldKeyHeader]: { id: 1 } } });
    expect(movedTo!.transaction).toEqual(block(keyChange, 2, 2));
    expect(at(deletion[0]!)).toMatchObject({ op: 'd', key: { id: 2 }, headers: {} });

    // Each delete is followed, in its partition, by its key's tombstone and nothing else of that key.
    for (const ordered of inLsnOrderPerPartition(seen)) {
      ordered.forEach((message, position) => {
        if (message.op !== 'd') return;
        expect(ordered[position + 1]).toEqual({ partition: message.partition, key: message.key, headers: {} });
      });
    }
    expect(seen.filter((message) => message.op === undefined).map((message) => message.key)).toEqual(expect.arrayContaining([{ id: 1 }, { id: 2 }]));

    const tagEvent = describeMessage(registry, (await readMessages(kafka, `${prefix}.app.tags`, 1))[0]!);
    expect(tagEvent).toMatchObject({ lsn: entryA[1], op: 'c', transaction: block(entryA, 2, 1) });

    // BEGIN and END of each transaction, in commit order, END with its counts per table.
    const markers = (await readMessages(kafka, `${prefix}._transactions`, 6)).map((message) => ({ key: decode(registry, message.key), value: decode(registry, message.value) }));
    expect(await committedRecordCount(kafka, `${prefix}._transactions`, 6)).toBe(6);
    const marker = (lsns: readonly bigint[], status: string, counts: [string, number][] | null): unknown => {
      const id = String(lsns[0]! >> 20n);
      const tsMs = BigInt(1_700_000_000_000) + (lsns[0]! >> 20n);
      const eventCount = counts === null ? null : BigInt(counts.reduce((sum, [, count]) => sum + count, 0));
      const dataCollections = counts === null ? null : counts.map(([name, count]) => ({ data_collection: name, event_count: BigInt(count) }));
      return { key: { id }, value: { status, id, event_count: eventCount, data_collections: dataCollections, ts_ms: tsMs } };
    };
    expect(markers).toEqual([
      marker(entryA, 'BEGIN', null),
      marker(entryA, 'END', [['app.items', 6], ['app.tags', 1]]),
      marker(keyChange, 'BEGIN', null),
      marker(keyChange, 'END', [['app.items', 2]]),
      marker(deletion, 'BEGIN', null),
      marker(deletion, 'END', [['app.items', 1]]),
    ]);

    const admin = kafka.admin();
    await admin.connect();
    try {
      const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy'] }] });
      expect(described.resources[0]!.configEntries.find((entry) => entry.configName === 'cleanup.policy')?.configValue).toBe('compact');
      const metadata = await admin.fetchTopicMetadata({ topics: [topic, `${prefix}._transactions`] });
      const partitionsOf = Object.fromEntries(metadata.topics.map((described) => [described.name, described.partitions.length]));
      expect(partitionsOf).toEqual({ [topic]: partitions, [`${prefix}._transactions`]: 1 });
    } finally {
      await admin.disconnect();
    }
  });

  it('publish no tombstone and no transaction markers when they are turned off', { timeout: testTimeoutMs }, async () => {
    // Publish again from just before the last delete, under a new prefix.
    await changelog.store().putLocal(checkpointKey, keyChange.at(-1)!);
    const prefix = `dbz_off_${runId}`;
    await publishAll(prefix, deletion.at(-1)!, { tombstones: false, transactionMarkers: false });
    const topic = `${prefix}.app.items`;
    const [only] = await readMessages(kafka, topic, 1);
    expect(only!.value).not.toBeNull();
    // The event keeps its transaction block: only the BEGIN and END messages are left out.
    expect(describeMessage(new SchemaRegistry(changelog.store(), prefix), only!)).toMatchObject({ op: 'd', lsn: deletion[0], key: { id: 2 }, transaction: { id: String(deletion[0]! >> 20n), total_order: 1n, data_collection_order: 1n } });
    expect(await committedRecordCount(kafka, topic, 1)).toBe(1);
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.listTopics()).not.toContain(`${prefix}._transactions`);
    } finally {
      await admin.disconnect();
    }
  });

  it('send resolved watermarks for every partition of every live table at the checkpoint, on their own topic, at the interval', { timeout: testTimeoutMs }, async () => {
    const prefix = `dbz_resolved_${runId}`;
    const logger = collectingLogger();
    const publisher = new KafkaPublisher(changelog.store(), { brokers, clientId: `${prefix}-publisher`, topicPrefix: prefix, topicPartitions: partitions, resolvedIntervalMs: 300, logger });
    publisher.start();
    // Two tables by three partitions, twice: the second round comes an interval later.
    const startedMs = Date.now();
    await waitForTopic(`${prefix}._resolved`);
    const raw = await readMessages(kafka, `${prefix}._resolved`, 12);
    await publisher.stop();
    const registry = new SchemaRegistry(changelog.store(), prefix);
    const marks = raw.map((message) => ({ key: decode(registry, message.key), value: decode(registry, message.value) }));
    const expected = ['items', 'tags'].flatMap((name) =>
      [0, 1, 2].map((partition) => ({ key: { topic: `${prefix}.app.${name}`, partition }, value: { topic: `${prefix}.app.${name}`, partition, lsn: deletion.at(-1)! } })),
    );
    expect(marks.slice(0, 6)).toMatchObject(expected);
    expect(marks.slice(6, 12)).toMatchObject(expected);
    const firstMs = Number((marks[0]!.value as { ts_ms: bigint }).ts_ms);
    const secondMs = Number((marks[6]!.value as { ts_ms: bigint }).ts_ms);
    expect(firstMs).toBeGreaterThanOrEqual(startedMs - 1);
    expect(secondMs - firstMs).toBeGreaterThanOrEqual(300);
    expect(logger.lines.filter((line) => line.startsWith('error'))).toEqual([]);
  });

  it("are read by Python's confluent-kafka AvroDeserializer and by @kafkajs/confluent-schema-registry through the node's registry: events, tombstones, key-change headers and transaction markers", { timeout: testTimeoutMs }, async () => {
    // Everything again, from the start of the changelog, under a new prefix.
    await changelog.store().putLocal(checkpointKey, null);
    const prefix = `dbz_py_${runId}`;
    const logger = collectingLogger();
    const publisher = new KafkaPublisher(changelog.store(), { brokers, clientId: `${prefix}-publisher`, topicPrefix: prefix, topicPartitions: partitions, resolvedIntervalMs: 0, logger });
    publisher.start();
    await waitFor(() => publisher.publishedLsn() === deletion.at(-1), 'the publisher to catch up', logger.lines);
    await publisher.stop();

    const app = Fastify();
    await app.register(schemaRegistryRoutes(new SchemaRegistry(changelog.store(), prefix)));
    const registryUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    let stdout: string;
    try {
      const script = fileURLToPath(new URL('./python/consume.py', import.meta.url));
      // 11 messages on items, 1 on tags, BEGIN and END of 3 transactions.
      ({ stdout } = await promisify(execFile)('/usr/bin/python3', [script, brokers[0]!, registryUrl, '18', '60', `${prefix}.app.items`, `${prefix}.app.tags`, `${prefix}._transactions`], { timeout: 70_000 }));
      // And the JS client Confluent users reach for, against the same registry over HTTP.
      const client = new RegistryClient({ host: registryUrl });
      const markers = await Promise.all((await readMessages(kafka, `${prefix}._transactions`, 6)).map(async (message) => client.decode(message.value!)));
      expect(markers.map((marker) => (marker as Record<string, unknown>)['status'])).toEqual(['BEGIN', 'END', 'BEGIN', 'END', 'BEGIN', 'END']);
      const itemMessages = await readMessages(kafka, `${prefix}.app.items`, 11);
      const tombstoneKeys = await Promise.all(itemMessages.filter((message) => message.value === null).map(async (message) => client.decode(message.key)));
      expect(tombstoneKeys.map((key) => (key as { id: number }).id).sort()).toEqual([1, 2]);
      const keyMove = itemMessages.find((message) => message.headers['__debezium.oldkey'] !== undefined)!;
      expect(await client.decode(keyMove.headers['__debezium.oldkey']!)).toEqual({ id: 1 });
      expect(await client.decode(keyMove.value!)).toMatchObject({ op: 'c', after: { id: 11, name: 'a' }, transaction: { total_order: 2, data_collection_order: 2 } });
    } finally {
      await app.close();
    }
    interface PythonMessage { topic: string; partition: number; key: Record<string, unknown>; value: Record<string, unknown> | null; headers: Record<string, unknown> }
    const read = stdout.trim().split('\n').map((line) => JSON.parse(line) as PythonMessage);
    const items = read.filter((message) => message.topic === `${prefix}.app.items`);
    expect(items).toHaveLength(11);
    expect(items.filter((message) => message.value === null).map((message) => message.key)).toEqual(expect.arrayContaining([{ id: 1 }, { id: 2 }]));
    const lsnOf = (message: PythonMessage): unknown => (message.value?.['source'] as Record<string, unknown> | undefined)?.['lsn'];
    const movedFrom = items.find((message) => lsnOf(message) === Number(keyChange[0]));
    expect(movedFrom).toMatchObject({ key: { id: 1 }, value: { op: 'd', after: null, before: { id: 1, name: 'a' } }, headers: { '__debezium.newkey': { id: 11 } } });
    const movedTo = items.find((message) => lsnOf(message) === Number(keyChange[1]));
    expect(movedTo).toMatchObject({ key: { id: 11 }, value: { op: 'c', transaction: { id: String(keyChange[0]! >> 20n), total_order: 2, data_collection_order: 2 } }, headers: { '__debezium.oldkey': { id: 1 } } });
    expect(movedTo!.value!['source']).toMatchObject({ connector: 'tidedb', name: prefix, db: 'app', table: 'items', snapshot: 'false', txId: Number(keyChange[0]! >> 20n) });

    const markers = read.filter((message) => message.topic === `${prefix}._transactions`).map((message) => message.value);
    expect(markers.map((marker) => [marker?.['status'], marker?.['id']])).toEqual(
      [entryA, keyChange, deletion].flatMap((lsns) => [['BEGIN', String(lsns[0]! >> 20n)], ['END', String(lsns[0]! >> 20n)]]),
    );
    expect(markers[1]).toMatchObject({ event_count: 7, data_collections: [{ data_collection: 'app.items', event_count: 6 }, { data_collection: 'app.tags', event_count: 1 }] });
  });
});

// The transaction block of an event of the entry holding `lsns`, as the test's decoder reads
// it (longs as bigint).
function block(lsns: readonly bigint[], totalOrder: number, dataCollectionOrder: number): unknown {
  return { id: String(lsns[0]! >> 20n), total_order: BigInt(totalOrder), data_collection_order: BigInt(dataCollectionOrder) };
}

// A consumer subscribing before the publisher created the topic fails; wait for it first.
async function waitForTopic(topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + 15_000;
    while (!(await admin.listTopics()).includes(topic)) {
      if (Date.now() > deadline) throw new Error(`topic ${topic} never created`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await admin.disconnect();
  }
}
