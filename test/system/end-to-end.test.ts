// One write path end to end with real parts: a node process, its LMDB files and Raft log, and a
// real Kafka broker. Rows written over HTTP are read back, every change is consumed from Kafka
// and decoded through the node's own schema registry; after SIGKILL and restart nothing
// acknowledged is missing and nothing is applied or published twice.
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeProcess, freePort, sleep, temporaryDir } from './node-process.js';

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const topicPrefix = `e2e${Date.now()}`;
const topic = `${topicPrefix}.app.accounts`;

interface DecodedEvent {
  readonly before: Record<string, unknown> | null;
  readonly after: Record<string, unknown> | null;
  readonly op: string;
  readonly ts_ms: number;
  readonly source: { readonly lsn: number | bigint; readonly db: string; readonly table: string };
}

describe('a single node, end to end', () => {
  const dir = temporaryDir('e2e');
  let node: NodeProcess;

  beforeAll(async () => {
    node = new NodeProcess(dir.path, await freePort(), ['--kafka', brokers.join(','), '--topic-prefix', topicPrefix]);
    await node.start();
  });
  afterAll(async () => {
    await node.stop();
    dir.remove();
  });

  const lsns: bigint[] = [];

  it('creates a table, writes rows and reads them back', async () => {
    const create = await node.sql('CREATE TABLE accounts (id INT PRIMARY KEY, owner VARCHAR(40) NOT NULL, balance BIGINT, rate DOUBLE, active BOOLEAN)');
    expect(create.status).toBe(200);

    const insert = await node.transaction([
      { sql: 'INSERT INTO accounts VALUES (?, ?, ?, ?, ?)', params: [1, 'ada', '1234567890123', 0.5, true] },
      { sql: 'INSERT INTO accounts (id, owner) VALUES (?, ?), (?, ?)', params: [2, 'bob', 3, 'cy'] },
    ]);
    expect(insert.status).toBe(200);
    expect(insert.body.results?.map((result) => result.rows_affected)).toEqual([1, 2]);
    lsns.push(BigInt(insert.body.lsn!));

    const update = await node.sql('UPDATE accounts SET balance = 10, active = FALSE WHERE id = ?', [2]);
    expect(update.body.results?.[0]?.rows_affected).toBe(1);
    lsns.push(BigInt(update.body.lsn!));

    const remove = await node.sql('DELETE FROM accounts WHERE owner = ?', ['cy']);
    expect(remove.body.results?.[0]?.rows_affected).toBe(1);
    lsns.push(BigInt(remove.body.lsn!));

    const select = await node.sql('SELECT id, owner, balance, rate, active FROM accounts WHERE id >= ? ORDER BY id', [1]);
    expect(select.status).toBe(200);
    expect(select.body.results?.[0]?.columns).toEqual(['id', 'owner', 'balance', 'rate', 'active']);
    expect(select.body.results?.[0]?.rows).toEqual([
      [1, 'ada', 1234567890123, 0.5, true],
      [2, 'bob', 10, null, false],
    ]);
    // Integers past 2^53 leave the node exact; JSON.parse would round them, so read the raw text.
    const raw = await (await fetch(`${node.url}/v1/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: 'SELECT 9007199254740991 + 2' }) })).text();
    expect(raw).toContain('[[9007199254740993]]');
  });

  it('publishes every change to Kafka, decodable through the node as schema registry', async () => {
    const events = await consumeAll(node, 5);
    expect(events.map((event) => event.op)).toEqual(['c', 'c', 'c', 'u', 'd']);
    const [first, second, third, update, remove] = events;
    expect(first!.before).toBeNull();
    expect(first!.after).toMatchObject({ id: 1, owner: 'ada', balance: 1234567890123, rate: 0.5, active: true });
    expect(second!.after).toMatchObject({ id: 2, owner: 'bob', balance: null, rate: null, active: null });
    expect(third!.after).toMatchObject({ id: 3, owner: 'cy' });
    expect(update!.before).toMatchObject({ id: 2, balance: null, active: null });
    expect(update!.after).toMatchObject({ id: 2, balance: 10, active: false });
    expect(remove!.before).toMatchObject({ id: 3, owner: 'cy' });
    expect(remove!.after).toBeNull();
    for (const event of events) expect(event.source).toMatchObject({ db: 'app', table: 'accounts' });
    // The lsn of each transaction's first change is the lsn its response carried.
    const eventLsns = events.map((event) => BigInt(event.source.lsn));
    expect(eventLsns).toEqual([lsns[0]!, lsns[0]! + 1n, lsns[0]! + 2n, lsns[1]!, lsns[2]!]);
  });

  it('keeps every acknowledged write across SIGKILL and applies nothing twice', async () => {
    const before = await node.status();
    await node.kill();
    await node.start();
    const after = await node.status();
    expect(after.raft.applied_index).toBeGreaterThanOrEqual(before.raft.applied_index);

    const select = await node.sql('SELECT id, owner, balance FROM accounts ORDER BY id');
    expect(select.body.results?.[0]?.rows).toEqual([
      [1, 'ada', 1234567890123],
      [2, 'bob', 10],
    ]);
    // Re-inserting an existing key still fails: the rows were not re-created by a replay.
    expect((await node.sql('INSERT INTO accounts (id, owner) VALUES (1, ?)', ['again'])).body.error?.code).toBe('DUPLICATE_KEY');
    const insert = await node.sql('INSERT INTO accounts (id, owner) VALUES (4, ?)', ['dee']);
    expect(insert.status).toBe(200);

    const events = await consumeAll(node, 6);
    const eventLsns = events.map((event) => BigInt(event.source.lsn));
    expect(new Set(eventLsns).size).toBe(eventLsns.length);
    expect(eventLsns).toEqual([...eventLsns].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(events.at(-1)!.after).toMatchObject({ id: 4, owner: 'dee' });
    expect(eventLsns.at(-1)).toBe(BigInt(insert.body.lsn!));
  });
});

// Waits until the node reports it has published everything, then reads the whole topic.
async function consumeAll(node: NodeProcess, expected: number): Promise<DecodedEvent[]> {
  const registry = new SchemaRegistry({ host: node.url });
  const kafka = new Kafka({ clientId: 'e2e-test', brokers, logLevel: logLevel.WARN });
  const consumer = kafka.consumer({ groupId: `e2e-${Date.now()}-${Math.random()}` });
  const events: DecodedEvent[] = [];
  const decodeErrors: unknown[] = [];
  await waitFor(async () => (await node.status()).kafka.published_lsn !== null);
  await consumer.connect();
  try {
    // The broker may not serve a topic's metadata yet right after its first transaction
    // committed (UNKNOWN_TOPIC_OR_PARTITION, which Kafka marks retriable): ask again.
    for (let attempt = 1; ; attempt++) {
      try {
        await consumer.subscribe({ topic, fromBeginning: true });
        break;
      } catch (error) {
        if ((error as { retriable?: boolean }).retriable !== true || attempt >= 20) throw error;
        await sleep(250);
      }
    }
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.value === null) return;
        try {
          events.push((await registry.decode(message.value)) as DecodedEvent);
        } catch (error) {
          decodeErrors.push(error);
        }
      },
    });
    await waitFor(async () => events.length + decodeErrors.length >= expected);
    await sleep(500); // anything past the expected count would be a duplicate: give it a moment
  } finally {
    await consumer.disconnect();
  }
  expect(decodeErrors).toEqual([]);
  expect(events.length).toBe(expected);
  return events;
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(100);
  }
}
