// An interactive transaction's changes reach Kafka only if it committed, all under one
// transaction id — the Raft index of the entry that committed it, which its COMMIT answered as
// tx_id. A real node process publishing to the shared broker: one transaction writes two tables
// and commits, one is rolled back, one loses a conflict; the table topics then hold the first
// one's events alone, each carrying its tx_id, with its BEGIN and END markers around them.
import { randomUUID } from 'node:crypto';
import { SchemaRegistry as RegistryClient } from '@kafkajs/confluent-schema-registry';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCommittedRecords } from '../cdc/fixtures/publisher-harness.js';
import { NodeProcess, freePort, sleep, temporaryDir } from '../system/node-process.js';
import { TxClient } from './tx-http.js';

const { Kafka, logLevel } = kafkajs;
const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((broker) => broker.trim());
const prefix = `txk_${Date.now().toString(36)}_${randomUUID().slice(0, 6)}`;

let node: NodeProcess;
let dir: { path: string; remove: () => void };
let client: TxClient;

beforeAll(async () => {
  dir = temporaryDir('tx-kafka');
  node = new NodeProcess(dir.path, await freePort(), ['--kafka', brokers.join(','), '--topic-prefix', prefix, '--kafka-resolved-interval-ms', '0']);
  await node.start();
  client = new TxClient(node.url);
}, 60_000);

afterAll(async () => {
  await node?.stop();
  dir?.remove();
});

async function sql(statement: string, tx?: string): Promise<void> {
  const answer = await client.sql(statement, tx);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
}

describe('an interactive transaction on Kafka', () => {
  it('publishes a committed transaction\'s events under its tx_id, and nothing of a rolled-back or conflicting one', { timeout: 120_000 }, async () => {
    await sql('CREATE TABLE orders (id INT PRIMARY KEY, total INT)');
    await sql('CREATE TABLE items (id INT PRIMARY KEY, order_id INT)');
    await sql('INSERT INTO orders VALUES (100, 0)');

    const committed = await client.open();
    await sql('INSERT INTO orders VALUES (1, 30)', committed);
    await sql('INSERT INTO items VALUES (10, 1), (11, 1)', committed);

    const rolledBack = await client.open();
    await sql('INSERT INTO orders VALUES (2, 99)', rolledBack);
    expect((await client.rollback(rolledBack)).status).toBe(200);

    // Both read order 100 and write it: the second to commit conflicts.
    const winner = await client.open();
    const loser = await client.open();
    await client.rows('SELECT total FROM orders WHERE id = 100', winner);
    await client.rows('SELECT total FROM orders WHERE id = 100', loser);
    await sql('UPDATE orders SET total = 5 WHERE id = 100', winner);
    await sql('UPDATE orders SET total = 7 WHERE id = 100', loser);
    await sql('INSERT INTO items VALUES (20, 100)', loser);

    const commit = await client.commit(committed);
    expect(commit.status).toBe(200);
    const txId = String(commit.body['tx_id']);
    const won = await client.commit(winner);
    expect(won.status).toBe(200);
    expect((await client.commit(loser)).body.error?.code).toBe('TX_CONFLICT');

    const lastLsn = String(won.body['lsn']);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const status = (await (await fetch(`${node.url}/v1/status`)).json()) as { kafka: { published_lsn: string | null } };
      if (status.kafka.published_lsn !== null && BigInt(status.kafka.published_lsn) >= BigInt(lastLsn)) break;
      if (Date.now() > deadline) throw new Error(`not published within 60 s:\n${node.output}`);
      await sleep(200);
    }

    const kafka = new Kafka({ clientId: prefix, brokers, logLevel: logLevel.NOTHING });
    const registry = new RegistryClient({ host: node.url });
    // At least the records the test wrote: the last transaction's markers may still be on their
    // way to a partition that holds nothing else (readCommittedRecords).
    const decoded = async (topic: string, atLeast: number) =>
      Promise.all(
        (await readCommittedRecords(kafka, topic, atLeast)).filter((record) => record.value !== null).map(async (record) => {
          const value = (await registry.decode(record.value!)) as { op: string; after: Record<string, unknown> | null; source: { txId: string | number }; transaction: { id: string } | null };
          return { op: value.op, id: value.after?.['id'] ?? null, tx: value.transaction?.id ?? null, sourceTx: String(value.source.txId) };
        }),
      );
    const orders = await decoded(`${prefix}.app.orders`, 3);
    const items = await decoded(`${prefix}.app.items`, 2);
    // The committed transaction's three rows, one id; the winner's update; nothing else.
    expect(orders.filter((event) => event.tx === txId)).toEqual([{ op: 'c', id: 1, tx: txId, sourceTx: txId }]);
    expect(items.filter((event) => event.tx === txId)).toEqual([
      { op: 'c', id: 10, tx: txId, sourceTx: txId },
      { op: 'c', id: 11, tx: txId, sourceTx: txId },
    ]);
    expect(orders.map((event) => event.id)).not.toContain(2);
    expect(items.map((event) => event.id)).not.toContain(20);
    expect(orders.filter((event) => event.op === 'u')).toHaveLength(1);
    // Its BEGIN and END markers: one transaction of three events over two tables.
    const markers = await Promise.all(
      (await readCommittedRecords(kafka, `${prefix}._transactions`)).map(async (record) => (await registry.decode(record.value!)) as { status: string; id: string; event_count: number | null }),
    );
    expect(markers.filter((marker) => marker.id === txId).map((marker) => [marker.status, marker.event_count])).toEqual([
      ['BEGIN', null],
      ['END', 3],
    ]);
  });
});
