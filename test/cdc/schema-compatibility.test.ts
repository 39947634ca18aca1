// A DDL on a published table whose new Avro schema would break its subject (a table
// re-created under a dropped one's name, with another key) is refused with
// SCHEMA_INCOMPATIBLE and changes nothing, unless the request forces it; a compatible one, or
// one on a table that does not publish, goes through. A real node process with --kafka.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeProcess, freePort, temporaryDir } from '../system/node-process.js';

const brokers = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';
let node: NodeProcess;
let dir: { path: string; remove: () => void };

beforeAll(async () => {
  dir = temporaryDir('compat');
  node = new NodeProcess(dir.path, await freePort(), ['--kafka', brokers, '--topic-prefix', `compat_${randomUUID().slice(0, 8)}`, '--kafka-exclude', 'app.scratch']);
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

  it('is not checked on a table that does not publish', async () => {
    expect((await node.sql('CREATE TABLE scratch (id INT PRIMARY KEY)')).status).toBe(200);
    expect((await node.sql('DROP TABLE scratch')).status).toBe(200);
    expect((await node.sql('CREATE TABLE scratch (id VARCHAR(5) PRIMARY KEY)')).status).toBe(200);
  });
});
