// The client's Kafka helper against a real broker and a real node publishing to it: a table's
// changes arrive in a consumer group, keys and values decoded through the node's own registry
// (logging in to it when the node has a root password).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumeTable } from '../../packages/client/src/kafka.js';
import type { TableEvent } from '../../packages/client/src/kafka.js';
import { TideClient } from '../../packages/client/src/index.js';
import { NodeProcess, freePort, sleep, temporaryDir } from '../system/node-process.js';

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const topicPrefix = `client${Date.now()}`;
const dir = temporaryDir('client-kafka');
let node: NodeProcess;

beforeAll(async () => {
  node = new NodeProcess(dir.path, await freePort(), ['--kafka', brokers.join(','), '--topic-prefix', topicPrefix]);
  await node.start();
});
afterAll(async () => {
  await node.stop();
  dir.remove();
});

describe('consumeTable', () => {
  it("hands over a table's changes decoded, in order per key", async () => {
    const client = new TideClient({ nodes: [node.url] });
    await client.query('CREATE TABLE pets (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL)');
    await client.query('INSERT INTO pets VALUES (1, ?)', ['rex']);
    await client.query('UPDATE pets SET name = ? WHERE id = 1', ['max']);
    const last = await client.query('DELETE FROM pets WHERE id = 1');
    // The publisher creates the topic with its first events: subscribe once they are out.
    for (let waited = 0; waited < 60_000; waited += 200) {
      const published = (await node.status()).kafka.published_lsn;
      if (published !== null && BigInt(published) >= BigInt(last.lsn)) break;
      await sleep(200);
    }
    const events: TableEvent[] = [];
    const consumer = await consumeTable({ brokers, registryUrl: node.url, topic: `${topicPrefix}.app.pets`, groupId: `pets-${Date.now()}` }, async (event) => {
      events.push(event);
    });
    try {
      for (let waited = 0; events.filter((event) => event.value !== null).length < 3 && waited < 60_000; waited += 200) await sleep(200);
    } finally {
      await consumer.stop();
    }
    const changes = events.filter((event) => event.value !== null);
    expect(changes.map((event) => [event.key, event.value!.op, event.value!.after])).toEqual([
      [{ id: 1 }, 'c', { id: 1, name: 'rex' }],
      [{ id: 1 }, 'u', { id: 1, name: 'max' }],
      [{ id: 1 }, 'd', null],
    ]);
  });
});

describe('consumeTable against a node with a root password', () => {
  it('logs in to the registry with the account given, and decodes nothing without it', async () => {
    const securedDir = temporaryDir('client-kafka-secured');
    const prefix = `${topicPrefix}s`;
    const secured = new NodeProcess(securedDir.path, await freePort(), ['--kafka', brokers.join(','), '--topic-prefix', prefix, '--root-password', 'kafka-secret']);
    await secured.start();
    try {
      const client = new TideClient({ nodes: [secured.url], user: 'root', password: 'kafka-secret' });
      await client.query('CREATE TABLE toys (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL)');
      const last = await client.query('INSERT INTO toys VALUES (1, ?)', ['ball']);
      for (let waited = 0; waited < 60_000; waited += 200) {
        const published = (await secured.status()).kafka.published_lsn;
        if (published !== null && BigInt(published) >= BigInt(last.lsn)) break;
        await sleep(200);
      }
      const events: TableEvent[] = [];
      const options = { brokers, registryUrl: secured.url, topic: `${prefix}.app.toys`, user: 'root', password: 'kafka-secret' };
      const consumer = await consumeTable({ ...options, groupId: `toys-${Date.now()}` }, async (event) => {
        events.push(event);
      });
      try {
        for (let waited = 0; events.length < 1 && waited < 60_000; waited += 200) await sleep(200);
      } finally {
        await consumer.stop();
      }
      expect(events.map((event) => [event.key, event.value?.after])).toEqual([[{ id: 1 }, { id: 1, name: 'ball' }]]);

      // Without the account, the registry refuses: the event is never handed over.
      const refused: unknown[] = [];
      const anonymous = await consumeTable({ brokers, registryUrl: secured.url, topic: `${prefix}.app.toys`, groupId: `toys-anonymous-${Date.now()}` }, async (event) => {
        refused.push(event);
      });
      try {
        await sleep(3_000);
      } finally {
        await anonymous.stop();
      }
      expect(refused).toEqual([]);
    } finally {
      await secured.stop();
      securedDir.remove();
    }
  });
});
