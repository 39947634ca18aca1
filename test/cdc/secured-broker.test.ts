// Publishing to a secured Kafka: a broker of this test's own with SASL listeners, plain and over
// TLS (its certificate signed by a CA the node is given), takes a real node's events through
// SCRAM-SHA-512 over TLS and through PLAIN, as --kafka-sasl-* and --kafka-tls* configure it; a
// wrong password publishes nothing, says why in the log, and leaves writes going on.
import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaInstance, saslAccount } from '../support/kafka-instance.js';
import { NodeProcess, freePort, sleep, temporaryDir } from '../system/node-process.js';
import { readCommittedRecords } from './fixtures/publisher-harness.js';

const { Kafka, logLevel } = kafkajs;
const runId = `${Date.now().toString(36)}_${randomUUID().slice(0, 6)}`;

let broker: KafkaInstance;
const nodes: NodeProcess[] = [];
const dirs: { remove: () => void }[] = [];

beforeAll(async () => {
  broker = new KafkaInstance(await freePort(), await freePort(), { saslPort: await freePort(), saslSslPort: await freePort() });
  await broker.start();
}, 240_000);

afterAll(async () => {
  for (const node of nodes) await node.stop();
  await broker?.stop();
  broker?.removeHome();
  for (const dir of dirs) dir.remove();
}, 60_000);

async function startNode(prefix: string, kafkaArgs: readonly string[]): Promise<NodeProcess> {
  const dir = temporaryDir('secured');
  dirs.push(dir);
  const node = new NodeProcess(dir.path, await freePort(), ['--topic-prefix', prefix, '--kafka-resolved-interval-ms', '0', ...kafkaArgs]);
  nodes.push(node);
  await node.start();
  return node;
}

async function publishedLsn(node: NodeProcess): Promise<string | null> {
  return ((await (await fetch(`${node.url}/v1/status`)).json()) as { kafka: { published_lsn: string | null } }).kafka.published_lsn;
}

// Writes three rows and waits until the node says they are published; returns the ids Kafka has.
async function writeAndRead(node: NodeProcess, prefix: string): Promise<unknown[]> {
  expect((await node.sql('CREATE TABLE orders (id INT PRIMARY KEY, total INT)')).status).toBe(200);
  let lastLsn = '';
  for (const id of [1, 2, 3]) lastLsn = (await node.sql('INSERT INTO orders VALUES (?, ?)', [id, id * 100])).body.lsn!;
  const deadline = Date.now() + 60_000;
  while ((await publishedLsn(node)) !== lastLsn) {
    if (Date.now() > deadline) throw new Error(`not published within 60 s:\n${node.output}`);
    await sleep(200);
  }
  const records = await readCommittedRecords(new Kafka({ clientId: prefix, brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }), `${prefix}.app.orders`, 3);
  return records.map((record) => record.value === null ? null : 'event');
}

describe('publishing to a secured broker', () => {
  it('authenticates with SCRAM-SHA-512 over TLS, trusting the CA it is given', { timeout: 120_000 }, async () => {
    const prefix = `scram_tls_${runId}`;
    const node = await startNode(prefix, [
      '--kafka', `127.0.0.1:${broker.secured!.saslSslPort}`, '--kafka-tls', 'true', '--kafka-tls-ca', broker.caFile,
      '--kafka-sasl-mechanism', 'scram-sha-512', '--kafka-sasl-username', saslAccount.username, '--kafka-sasl-password', saslAccount.password,
    ]);
    expect(await writeAndRead(node, prefix)).toEqual(['event', 'event', 'event']);
  });

  it('authenticates with PLAIN without TLS', { timeout: 120_000 }, async () => {
    const prefix = `plain_${runId}`;
    const node = await startNode(prefix, ['--kafka', `127.0.0.1:${broker.secured!.saslPort}`, '--kafka-sasl-mechanism', 'plain', '--kafka-sasl-username', saslAccount.username, '--kafka-sasl-password', saslAccount.password]);
    expect(await writeAndRead(node, prefix)).toEqual(['event', 'event', 'event']);
  });

  it('publishes nothing with a wrong password, says so in its log, and keeps taking writes', { timeout: 120_000 }, async () => {
    const prefix = `refused_${runId}`;
    const node = await startNode(prefix, ['--kafka', `127.0.0.1:${broker.secured!.saslPort}`, '--kafka-sasl-mechanism', 'scram-sha-256', '--kafka-sasl-username', saslAccount.username, '--kafka-sasl-password', 'not-the-password']);
    expect((await node.sql('CREATE TABLE orders (id INT PRIMARY KEY)')).status).toBe(200);
    expect((await node.sql('INSERT INTO orders VALUES (1)')).status).toBe(200);
    const deadline = Date.now() + 30_000;
    while (!/authentication failed/i.test(node.output)) {
      if (Date.now() > deadline) throw new Error(`no authentication failure logged:\n${node.output}`);
      await sleep(200);
    }
    expect(await publishedLsn(node)).toBeNull();
    expect((await node.sql('INSERT INTO orders VALUES (2)')).status).toBe(200);
  });
});
