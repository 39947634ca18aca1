// A Kafka outage under a node with a bounded backlog: while its broker (one of this test's
// own) is stopped, writes go on and /v1/status shows the backlog growing; past
// --kafka-backlog-max-entries writes are refused with KAFKA_BACKLOG_FULL and change nothing;
// once the broker is back with its data, publishing resumes on its own and the topic holds
// exactly the committed changes, each once.
import { randomUUID } from 'node:crypto';
import { SchemaRegistry as RegistryClient } from '@kafkajs/confluent-schema-registry';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaInstance } from '../support/kafka-instance.js';
import { NodeProcess, freePort, sleep, temporaryDir } from '../system/node-process.js';
import { subscribe } from '../streams/stream-client.js';
import { readCommittedRecords } from './fixtures/publisher-harness.js';

const { Kafka, logLevel } = kafkajs;
const prefix = `outage_${Date.now().toString(36)}_${randomUUID().slice(0, 6)}`;
const backlogMax = 30;

let broker: KafkaInstance;
let node: NodeProcess;
let dir: { path: string; remove: () => void };

beforeAll(async () => {
  broker = new KafkaInstance(await freePort(), await freePort());
  await broker.start();
  dir = temporaryDir('outage');
  node = new NodeProcess(dir.path, await freePort(), ['--kafka', broker.bootstrap, '--topic-prefix', prefix, '--kafka-resolved-interval-ms', '0', '--kafka-backlog-max-entries', String(backlogMax)]);
  await node.start();
}, 240_000);

afterAll(async () => {
  await node?.stop();
  await broker?.stop();
  broker?.removeHome();
  dir?.remove();
}, 60_000);

interface KafkaStatus {
  readonly published_lsn: string | null;
  readonly backlog_entries: number | null;
}

async function kafkaStatus(): Promise<KafkaStatus> {
  return ((await (await fetch(`${node.url}/v1/status`)).json()) as { kafka: KafkaStatus }).kafka;
}

async function pollUntil(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

describe('a Kafka outage', () => {
  it('lets writes go on up to the backlog bound, refuses them past it, and publishes every change once when Kafka returns', { timeout: 240_000 }, async () => {
    expect((await node.sql('CREATE TABLE events (id INT PRIMARY KEY)')).status).toBe(200);
    let lastLsn = '';
    for (let id = 0; id < 10; id++) lastLsn = (await node.sql('INSERT INTO events VALUES (?)', [id])).body.lsn!;
    await pollUntil(async () => (await kafkaStatus()).published_lsn === lastLsn, 30_000, 'the first writes to be published');
    expect((await kafkaStatus()).backlog_entries).toBe(0);

    await broker.stop();
    // Writes go on while Kafka is away, each one a further entry of backlog ...
    let acknowledged = 10;
    let refused: { status: number; code: string | undefined } | null = null;
    for (let id = 10; id < 10 + backlogMax * 2 && refused === null; id++) {
      const { status, body } = await node.sql('INSERT INTO events VALUES (?)', [id]);
      if (status === 200) acknowledged++;
      else refused = { status, code: body.error?.code };
    }
    const during = await kafkaStatus();
    expect(during.published_lsn).toBe(lastLsn);
    expect(during.backlog_entries).toBeGreaterThan(backlogMax);
    // ... until the bound: then they are refused, retriably, and change nothing.
    expect(acknowledged).toBeGreaterThan(10 + backlogMax / 2);
    expect(refused).toEqual({ status: 503, code: 'KAFKA_BACKLOG_FULL' });
    expect((await node.sql('SELECT COUNT(*) FROM events')).body.results![0]!.rows).toEqual([[acknowledged]]);
    // Reads are never refused, and the outage lasts a while.
    await sleep(8_000);
    expect((await node.sql('SELECT COUNT(*) FROM events', [])).status).toBe(200);

    await broker.start(true);
    await pollUntil(async () => (await kafkaStatus()).backlog_entries === 0, 60_000, 'publishing to catch up');
    const after = await node.sql('INSERT INTO events VALUES (?)', [1_000]);
    expect(after.status).toBe(200);
    acknowledged++;
    await pollUntil(async () => (await kafkaStatus()).published_lsn === after.body.lsn, 30_000, 'the last write to be published');

    // The committed changes, from the node's changelog, against the raw read_committed records.
    const stream = await subscribe(node.port, 'table=events&from=0&progress_ms=200');
    await stream.waitFor((event) => event.type === 'change' && event.lsn === after.body.lsn);
    stream.close();
    const committed = stream.events.filter((event) => event.type === 'change').map((event) => event.lsn);
    expect(committed).toHaveLength(acknowledged);
    const kafka = new Kafka({ clientId: `${prefix}-test`, brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const records = await readCommittedRecords(kafka, `${prefix}.app.events`, committed.length);
    const registry = new RegistryClient({ host: node.url });
    const published = await Promise.all(records.map(async ({ value }) => String(((await registry.decode(value!)) as { source: { lsn: unknown } }).source.lsn)));
    expect(published).toEqual(committed);
  });
});
