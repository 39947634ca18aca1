// A DDL on a published table whose new Avro schema would break its subject (a table
// re-created under a dropped one's name, with another key; an ALTER TABLE changing the key's
// type) is refused with SCHEMA_INCOMPATIBLE and changes nothing, unless the request forces it;
// a compatible one, or one on a table that does not publish, goes through. An ALTER TABLE
// mid-stream: the events before and after it decode, each with its own schema version, through
// @kafkajs/confluent-schema-registry asking the node's registry. A real node process with --kafka.
import { randomUUID } from 'node:crypto';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCommittedRecords } from './fixtures/publisher-harness.js';
import { NodeProcess, freePort, temporaryDir } from '../system/node-process.js';

const brokers = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';
const topicPrefix = `compat_${randomUUID().slice(0, 8)}`;
let node: NodeProcess;
let dir: { path: string; remove: () => void };

beforeAll(async () => {
  dir = temporaryDir('compat');
  node = new NodeProcess(dir.path, await freePort(), ['--kafka', brokers, '--topic-prefix', topicPrefix, '--kafka-exclude', 'app.scratch']);
  await node.start();
}, 60_000);

afterAll(async () => {
  await node?.stop();
  dir?.remove();
});

describe('a DDL on a published table', () => {
  it('that breaks its subject is refused unless forced; a compatible one is not', async () => {
    expect((await node.sql('CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL)')).status).toBe(200);
    expect((await node.sql('DROP TABLE items')).status).toBe(200);
    // Another key type: consumers of items-key could not read the new keys.
    const refused = await node.sql('CREATE TABLE items (id VARCHAR(10) PRIMARY KEY, name VARCHAR(20) NOT NULL)');
    expect(refused.status).toBe(409);
    expect(refused.body.error?.code).toBe('SCHEMA_INCOMPATIBLE');
    expect(refused.body.error?.message).toMatch(/items-key/);
    expect((await node.sql('SELECT * FROM items')).body.error?.code).toBe('TABLE_NOT_FOUND');

    // The same shape with a nullable column more is BACKWARD compatible.
    expect((await node.sql('CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL, note TEXT)')).status).toBe(200);
    expect((await node.sql('DROP TABLE items')).status).toBe(200);
    const forced = await node.post({ sql: 'CREATE TABLE items (id VARCHAR(10) PRIMARY KEY)', force_schema_change: true });
    expect(forced.status).toBe(200);
    expect((await node.sql("INSERT INTO items VALUES ('a')")).status).toBe(200);
  });

  it('of an ALTER TABLE mid-stream leaves old and new events each readable with its own schema version; a key type change is refused', { timeout: 90_000 }, async () => {
    expect((await node.sql('CREATE TABLE notes (id INT PRIMARY KEY, body VARCHAR(20) NOT NULL)')).status).toBe(200);
    expect((await node.sql("INSERT INTO notes VALUES (1, 'before')")).status).toBe(200);
    expect((await node.sql('ALTER TABLE notes ADD COLUMN stars INT NULL, MODIFY body VARCHAR(40) NOT NULL')).status).toBe(200);
    expect((await node.sql("INSERT INTO notes VALUES (2, 'after', 5)")).status).toBe(200);
    const keyChange = await node.sql('ALTER TABLE notes MODIFY id VARCHAR(10) NOT NULL');
    expect(keyChange.status).toBe(409);
    expect(keyChange.body.error?.code).toBe('SCHEMA_INCOMPATIBLE');
    expect((await node.sql('DESCRIBE notes')).body.results?.[0]?.rows[0]?.[1]).toBe('int(11)');

    const kafka = new Kafka({ clientId: 'compat-test', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
    const registry = new SchemaRegistry({ host: node.url });
    const topic = `${topicPrefix}.app.notes`;
    let records: Awaited<ReturnType<typeof readCommittedRecords>> = [];
    for (const deadline = Date.now() + 30_000; records.length < 2 && Date.now() < deadline; ) {
      records = await readCommittedRecords(kafka, topic).catch(() => []);
      if (records.length < 2) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    // The rewrite of the MODIFY publishes no row events: one create before, one after.
    const events = await Promise.all(records.map(async (record) => (await registry.decode(record.value!)) as { after: Record<string, unknown>; source: { lsn: bigint } }));
    events.sort((a, b) => (a.source.lsn < b.source.lsn ? -1 : 1));
    expect(events.map((event) => event.after)).toEqual([
      { id: 1, body: 'before' },
      { id: 2, body: 'after', stars: 5 },
    ]);
    // Two schema versions of the subject, the second one adding the column.
    const ids = new Set(records.map((record) => record.value!.readUInt32BE(1)));
    expect(ids.size).toBe(2);
  });

  it('is not checked on a table that does not publish', async () => {
    expect((await node.sql('CREATE TABLE scratch (id INT PRIMARY KEY)')).status).toBe(200);
    expect((await node.sql('DROP TABLE scratch')).status).toBe(200);
    expect((await node.sql('CREATE TABLE scratch (id VARCHAR(5) PRIMARY KEY)')).status).toBe(200);
  });
});
