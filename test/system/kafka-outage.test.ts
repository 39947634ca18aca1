// Publishing never blocks a write: with its Kafka unreachable a node answers writes as usual,
// and once it is restarted against a reachable broker it publishes everything it held back,
// once and in order. Real node process, real broker.
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { NodeProcess, freePort, sleep, temporaryDir } from './node-process.js';

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const topicPrefix = `outage${Date.now()}`;

describe('a Kafka outage', () => {
  const dir = temporaryDir('outage');
  let node: NodeProcess | null = null;
  afterAll(async () => {
    await node?.stop();
    dir.remove();
  });

  it('does not block writes, and what was held back is published after a restart', async () => {
    const port = await freePort();
    const deadBroker = `127.0.0.1:${await freePort()}`;
    node = new NodeProcess(dir.path, port, ['--kafka', deadBroker, '--topic-prefix', topicPrefix]);
    await node.start();
    expect((await node.sql('CREATE TABLE notes (id INT PRIMARY KEY, body TEXT)')).status).toBe(200);
    const started = Date.now();
    for (let id = 1; id <= 20; id++) {
      expect((await node.sql('INSERT INTO notes VALUES (?, ?)', [id, `note ${id}`])).status).toBe(200);
    }
    // Twenty writes take a few fsyncs each, not a Kafka timeout each.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await node.status()).kafka.published_lsn).toBeNull();
    await node.stop();

    node = new NodeProcess(dir.path, port, ['--kafka', brokers.join(','), '--topic-prefix', topicPrefix]);
    await node.start();
    const registry = new SchemaRegistry({ host: node.url });
    const consumer = new Kafka({ clientId: 'outage-test', brokers, logLevel: logLevel.WARN }).consumer({ groupId: `outage-${Date.now()}` });
    const ids: number[] = [];
    const deadline = Date.now() + 30_000;
    while ((await node.status()).kafka.published_lsn === null && Date.now() < deadline) await sleep(100);
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: `${topicPrefix}.app.notes`, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const event = (await registry.decode(message.value!)) as { after: { id: number } };
          ids.push(event.after.id);
        },
      });
      while (ids.length < 20 && Date.now() < deadline) await sleep(100);
      await sleep(500);
    } finally {
      await consumer.disconnect();
    }
    expect(ids).toEqual(Array.from({ length: 20 }, (_, at) => at + 1));
  });
});
