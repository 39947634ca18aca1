// Proves schema changes reach Kafka in order with the data: CREATE, INSERT, CREATE INDEX,
// TRUNCATE and DROP run through the SQL layer on a real store, and the publisher puts each
// schema change on `<prefix>.<database>._schema` (Debezium's schema change shape, decoded with
// the registry's schemas, by a stock Python consumer too) and the truncate on every partition
// of a delete-policy table topic, all in lsn order; a compacted topic gets no truncate event
// (the broker refuses keyless records there); an excluded table publishes no schema change.
// Real LMDB store, real broker at KAFKA_BROKERS.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { runSliced, TimeSlice } from '../../services/base/time-slice.js';
import { checkpointKey, KafkaPublisher } from '../../services/cdc/kafka-publisher.js';
import type { KafkaPublisherOptions } from '../../services/cdc/kafka-publisher.js';
import { SchemaRegistry } from '../../services/cdc/schema-registry.js';
import { TableSelection } from '../../services/cdc/table-selection.js';
import { executeSteps } from '../../services/sql/executor.js';
import { OverlayView } from '../../services/sql/overlay-view.js';
import { parseSql } from '../../services/sql/parser.js';
import { planStatement } from '../../services/sql/planner.js';
import { encodeBatch } from '../../services/storage/batch-codec.js';
import { lsnOf } from '../../services/storage/lsn.js';
import type { Store } from '../../services/storage/store.js';
import { collectingLogger, decode, readCommittedRecords, useChangelogStore, waitFor } from './fixtures/publisher-harness.js';
import type { ReadMessage } from './fixtures/publisher-harness.js';
import { withRegistryServer } from './fixtures/registry-server.js';

const { Kafka, logLevel } = kafkajs;
const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((broker) => broker.trim());
const runId = `${Date.now().toString(36)}_${randomUUID().slice(0, 8)}`;
const kafka = new Kafka({ clientId: `ddl-${runId}-test`, brokers, logLevel: logLevel.NOTHING });
const changelog = useChangelogStore('tidedb-ddl-topic-');
const partitions = 2;

// One request of statements, as the write path runs it: each statement's text on the view
// while it executes, the batch applied as the next entry. Returns the entry's first lsn.
async function run(store: Store, ...statements: string[]): Promise<bigint> {
  const view = new OverlayView(store);
  for (const sql of statements) {
    view.statementText = sql;
    const { plan } = planStatement(parseSql(sql)[0]!, view, 'app');
    await runSliced(executeSteps(plan, [], view, 1_700_000_000_000), new TimeSlice());
  }
  const index = store.appliedIndex() + 1n;
  await store.apply([{ index, term: 1n, kind: 'batch', data: encodeBatch({ proposedAtMs: 1_700_000_000_000, changes: view.changes() }) }]);
  return lsnOf(index, 0);
}

async function publishAll(options: Partial<KafkaPublisherOptions> & { topicPrefix: string }): Promise<void> {
  const logger = collectingLogger();
  const publisher = new KafkaPublisher(changelog.store(), { brokers, clientId: `${options.topicPrefix}-p`, resolvedIntervalMs: 0, logger, ...options });
  const last = changelog.store().readChanges(0n, 1_000).at(-1)!.lsn;
  // Each publishing here starts from the beginning, under its own prefix.
  await changelog.store().putLocal(checkpointKey, null);
  publisher.start();
  await waitFor(() => publisher.publishedLsn() === last, 'the publisher to pass every change', logger.lines);
  await publisher.stop();
}

// The committed records of a topic, read again until there are `count` (a topic just created
// may not be served by the broker yet, and its offsets may lag the commit by a moment).
async function committed(topic: string, count: number): Promise<ReadMessage[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const records = await readCommittedRecords(kafka, topic).catch(() => []);
    if (records.length >= count || Date.now() > deadline) return records;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe('schema changes on Kafka', () => {
  let created: bigint, inserted: bigint, indexed: bigint, truncated: bigint, dropped: bigint, hiddenCreated: bigint;

  it('go to <prefix>.<database>._schema in lsn order with the table events, in Debezium schema change shape', { timeout: 120_000 }, async () => {
    const store = changelog.store();
    created = await run(store, 'CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL, qty DECIMAL(6,2))');
    hiddenCreated = await run(store, 'CREATE TABLE hidden (id INT PRIMARY KEY)', 'INSERT INTO hidden VALUES (1)');
    inserted = await run(store, "INSERT INTO items VALUES (1, 'cup', 1.50), (2, 'pot', NULL), (3, 'jar', 2.25)");
    indexed = await run(store, 'CREATE INDEX by_name ON items (name)');
    truncated = await run(store, "INSERT INTO items VALUES (4, 'lid', NULL)", 'TRUNCATE TABLE items', 'TRUNCATE TABLE hidden');
    dropped = await run(store, "INSERT INTO items VALUES (5, 'pan', 3.00)", 'DROP TABLE items', 'DROP TABLE hidden');
    const prefix = `ddl_${runId}`;
    await publishAll({ topicPrefix: prefix, topicPartitions: partitions, topicCleanupPolicy: 'delete', tables: TableSelection.parse('', 'app.hidden') });

    const registry = new SchemaRegistry(store, prefix);
    const schemaChanges = (await committed(`${prefix}.app._schema`, 4)).map((message) => ({ partition: message.partition, key: decode(registry, message.key), value: decode(registry, message.value) }));
    expect(schemaChanges.map(({ value }) => [(value['source'] as Record<string, unknown>)['lsn'], value['ddl']])).toEqual([
      [created, 'CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL, qty DECIMAL(6,2))'],
      [indexed, 'CREATE INDEX by_name ON items (name)'],
      [truncated + 1n, 'TRUNCATE TABLE `app`.`items`'],
      [dropped + 1n, 'DROP TABLE items'],
    ]);
    expect(schemaChanges.every(({ partition, key }) => partition === 0 && key['databaseName'] === 'app')).toBe(true);
    const [create, index, truncate, drop] = schemaChanges.map(({ value }) => value);
    expect(create).toMatchObject({ databaseName: 'app', schemaName: null, ts_ms: 1_700_000_000_000n, source: { connector: 'tidedb', name: prefix, db: 'app', table: 'items', snapshot: 'false', txId: created >> 20n } });
    expect(create!['tableChanges']).toEqual([
      {
        type: 'CREATE',
        id: '"app"."items"',
        table: {
          defaultCharsetName: 'utf8mb4',
          primaryKeyColumnNames: ['id'],
          columns: [
            { name: 'id', jdbcType: 4, typeName: 'INT', typeExpression: 'INT', charsetName: null, length: null, scale: null, position: 1, optional: false, autoIncremented: false, generated: false },
            { name: 'name', jdbcType: 12, typeName: 'VARCHAR', typeExpression: 'VARCHAR', charsetName: 'utf8mb4', length: 20, scale: null, position: 2, optional: false, autoIncremented: false, generated: false },
            { name: 'qty', jdbcType: 3, typeName: 'DECIMAL', typeExpression: 'DECIMAL', charsetName: null, length: 6, scale: 2, position: 3, optional: true, autoIncremented: false, generated: false },
          ],
        },
      },
    ]);
    expect((index!['tableChanges'] as Record<string, unknown>[]).map((change) => change['type'])).toEqual(['ALTER']);
    expect(truncate!['tableChanges']).toEqual([]);
    expect(drop!['tableChanges']).toEqual([{ type: 'DROP', id: '"app"."items"', table: null }]);

    // The table topic: every row event in lsn order per key, and the truncate on each partition
    // after the events before it and before those after it.
    const events = (await committed(`${prefix}.app.items`, 7)).map((message) => {
      const value = decode(registry, message.value);
      return { partition: message.partition, keyless: message.key === null, op: value['op'], lsn: (value['source'] as Record<string, unknown>)['lsn'] as bigint, transaction: value['transaction'] };
    });
    // A consumer reads partitions in no set order: compare them by partition.
    const truncates = events.filter((event) => event.op === 't').sort((a, b) => a.partition - b.partition);
    expect(truncates.map((event) => [event.partition, event.keyless, event.lsn])).toEqual([
      [0, true, truncated + 1n],
      [1, true, truncated + 1n],
    ]);
    expect(truncates[0]!.transaction).toEqual({ id: String(truncated >> 20n), total_order: 2n, data_collection_order: 2n });
    for (let partition = 0; partition < partitions; partition++) {
      const lsns = events.filter((event) => event.partition === partition).map((event) => event.lsn);
      expect(lsns, `partition ${partition}`).toEqual([...lsns].sort((a, b) => (a < b ? -1 : 1)));
    }
    expect(events.filter((event) => event.op !== 't')).toHaveLength(5);
    // The excluded table: no topic, no schema change; its events take no place in the markers.
    const markers = (await committed(`${prefix}._transactions`, 6)).map((message) => decode(registry, message.value));
    const truncateEnd = markers.find((marker) => marker['status'] === 'END' && marker['id'] === String(truncated >> 20n));
    expect(truncateEnd).toMatchObject({ event_count: 2n, data_collections: [{ data_collection: 'app.items', event_count: 2n }] });
    expect(hiddenCreated).toBeGreaterThan(created);
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.listTopics()).not.toContain(`${prefix}.app.hidden`);
      const [schemaTopic] = (await admin.fetchTopicMetadata({ topics: [`${prefix}.app._schema`] })).topics;
      expect(schemaTopic!.partitions).toHaveLength(1);
      const configs = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: `${prefix}.app._schema`, configNames: ['cleanup.policy'] }] });
      expect(configs.resources[0]!.configEntries[0]!.configValue).toBe('delete');
    } finally {
      await admin.disconnect();
    }
  });

  it('leave the truncate off a compacted table topic, which refuses keyless records, and keep it on _schema', { timeout: 120_000 }, async () => {
    const prefix = `ddlc_${runId}`;
    await publishAll({ topicPrefix: prefix });
    const registry = new SchemaRegistry(changelog.store(), prefix);
    const ops = (await committed(`${prefix}.app.items`, 5)).filter((message) => message.value !== null).map((message) => decode(registry, message.value)['op']);
    expect(ops).toEqual(['c', 'c', 'c', 'c', 'c']);
    const ddl = (await committed(`${prefix}.app._schema`, 7)).map((message) => decode(registry, message.value)['ddl']);
    // Without an exclude, the other table's schema changes come too.
    expect(ddl).toEqual([
      'CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL, qty DECIMAL(6,2))',
      'CREATE TABLE hidden (id INT PRIMARY KEY)',
      'CREATE INDEX by_name ON items (name)',
      'TRUNCATE TABLE `app`.`items`',
      'TRUNCATE TABLE `app`.`hidden`',
      'DROP TABLE items',
      'DROP TABLE hidden',
    ]);
  });

  it("decode with Python's stock consumer through the node's registry", { timeout: 120_000 }, async () => {
    const prefix = `ddl_${runId}`;
    const script = fileURLToPath(new URL('./python/consume.py', import.meta.url));
    // 4 schema changes; on items 5 creates and 2 truncate copies.
    const { stdout } = await withRegistryServer(changelog.store(), prefix, (registryUrl) =>
      promisify(execFile)('/usr/bin/python3', [script, brokers[0]!, registryUrl, '11', '60', `${prefix}.app._schema`, `${prefix}.app.items`], { timeout: 70_000 }),
    );
    const read = stdout.trim().split('\n').map((line) => JSON.parse(line) as { topic: string; key: Record<string, unknown> | null; value: Record<string, unknown> });
    const schema = read.filter((message) => message.topic === `${prefix}.app._schema`);
    expect(schema.map((message) => [message.key, message.value['ddl'], (message.value['tableChanges'] as Record<string, unknown>[]).map((change) => change['type'])])).toEqual([
      [{ databaseName: 'app' }, 'CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL, qty DECIMAL(6,2))', ['CREATE']],
      [{ databaseName: 'app' }, 'CREATE INDEX by_name ON items (name)', ['ALTER']],
      [{ databaseName: 'app' }, 'TRUNCATE TABLE `app`.`items`', []],
      [{ databaseName: 'app' }, 'DROP TABLE items', ['DROP']],
    ]);
    const truncates = read.filter((message) => message.topic === `${prefix}.app.items` && message.value['op'] === 't');
    expect(truncates).toHaveLength(2);
    expect(truncates.every((message) => message.key === null && message.value['before'] === null && message.value['after'] === null)).toBe(true);
  });
});
