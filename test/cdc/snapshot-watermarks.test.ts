// The initial snapshot and the live changes after it, as a consumer of a real node's topics
// sees them: a node that held rows before Kafka was configured restarts with --kafka and
// --kafka-snapshot always while one client keeps writing (single-row writes and transactions
// over two tables, some refused on a duplicate key). At every resolved watermark on
// `<prefix>._resolved`, the op r rows plus the changes up to its lsn on its partition are
// exactly the rows that the test's own acknowledged writes up to that lsn leave there — counting
// only the records that were on the partition when the watermark was written (by the records'
// CreateTime: the publisher writes a watermark after the round that published its lsn, on the
// same clock), since a watermark sent too early is wrong even if the rows follow later.
// Replays its writes with SEED=….
import { randomUUID } from 'node:crypto';
import { SchemaRegistry as RegistryClient } from '@kafkajs/confluent-schema-registry';
import kafkajs from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../support/seeded-random.js';
import { NodeProcess, freePort, sleep, temporaryDir } from '../system/node-process.js';
import { readCommittedRecords } from './fixtures/publisher-harness.js';

const { Kafka, logLevel } = kafkajs;
const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((broker) => broker.trim());
const seed = Number(process.env['SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const prefix = `snapwm_${Date.now().toString(36)}_${randomUUID().slice(0, 6)}`;
const tables = ['items', 'stock'] as const;
type TableName = (typeof tables)[number];
// Rows of the snapshot: 6,000 per table, more than one round of the publisher takes, so that
// watermarks fall due while it goes out.
const keys = 12_000;
const writingMs = 8_000;

const dir = temporaryDir('snapshot-watermarks');
afterAll(() => dir.remove());

// One acknowledged write's effect on the rows, at the lsn it answered with (its entry's first).
interface AppliedWrite {
  readonly lsn: bigint;
  readonly effects: readonly { readonly table: TableName; readonly key: number; readonly value: number | null }[];
}

type Rows = Map<string, number>;
const rowName = (table: string, key: number): string => `${table}/${key}`;

function applyWrite(rows: Rows, write: AppliedWrite): void {
  for (const { table, key, value } of write.effects) {
    if (value === null) rows.delete(rowName(table, key));
    else rows.set(rowName(table, key), value);
  }
}

describe('the initial snapshot and the live changes', () => {
  it(`equal the state of the acknowledged writes at every resolved watermark (SEED=${seed})`, { timeout: 180_000 }, async () => {
    const random = seededRandom(seed);
    const pick = <T>(of: readonly T[]): T => of[Math.floor(random() * of.length)]!;
    const port = await freePort();
    // The rows the acknowledged writes leave, as the writer tracks them, and each write's effect.
    const rows: Rows = new Map();
    const applied: AppliedWrite[] = [];

    // Rows from before Kafka: the snapshot's part.
    const plain = new NodeProcess(dir.path, port);
    await plain.start();
    try {
      for (const table of tables) {
        expect((await plain.sql(`CREATE TABLE ${table} (id INT PRIMARY KEY, v INT NOT NULL)`)).status).toBe(200);
        for (let from = 0; from < keys; from += 1_000) {
          const ids = Array.from({ length: 500 }, (_, at) => from + at * 2);
          const answer = await plain.sql(`INSERT INTO ${table} VALUES ${ids.map(() => '(?, ?)').join(', ')}`, ids.flatMap((id) => [id, id]));
          expect(answer.status).toBe(200);
          const write = { lsn: BigInt(answer.body.lsn!), effects: ids.map((id) => ({ table, key: id, value: id })) };
          applyWrite(rows, write);
          applied.push(write);
        }
      }
    } finally {
      await plain.stop();
    }

    // The same node with Kafka: it publishes the rows as of one lsn, then every change after it,
    // while the writes go on.
    const node = new NodeProcess(dir.path, port, ['--kafka', brokers.join(','), '--topic-prefix', prefix, '--kafka-snapshot', 'always', '--kafka-resolved-interval-ms', '100']);
    await node.start();
    try {
      let tag = keys;
      let refused = 0;
      const until = Date.now() + writingMs;
      while (Date.now() < until) {
        tag++;
        const table = pick(tables);
        const key = Math.floor(random() * keys);
        const roll = random();
        const has = (of: TableName, id: number): boolean => rows.has(rowName(of, id));
        let statements: { sql: string; params: unknown[] }[];
        let effects: AppliedWrite['effects'];
        if (roll < 0.35) {
          statements = [{ sql: `INSERT INTO ${table} VALUES (?, ?)`, params: [key, tag] }];
          effects = [{ table, key, value: tag }];
        } else if (roll < 0.6) {
          statements = [{ sql: `UPDATE ${table} SET v = ? WHERE id = ?`, params: [tag, key] }];
          effects = has(table, key) ? [{ table, key, value: tag }] : [];
        } else if (roll < 0.8) {
          statements = [{ sql: `DELETE FROM ${table} WHERE id = ?`, params: [key] }];
          effects = [{ table, key, value: null }];
        } else {
          // A transaction over both tables: moves a row from one to the other.
          const other = table === 'items' ? 'stock' : 'items';
          statements = [
            { sql: `DELETE FROM ${table} WHERE id = ?`, params: [key] },
            { sql: `INSERT INTO ${other} VALUES (?, ?)`, params: [key, tag] },
          ];
          effects = [{ table, key, value: null }, { table: other, key, value: tag }];
        }
        const answer = statements.length === 1 ? await node.sql(statements[0]!.sql, statements[0]!.params) : await node.transaction(statements);
        if (answer.status !== 200) {
          // Only a duplicate key may refuse a write here, and it changes nothing.
          expect(answer.body.error?.code, JSON.stringify(answer.body)).toBe('DUPLICATE_KEY');
          refused++;
          continue;
        }
        const write = { lsn: BigInt(answer.body.lsn!), effects };
        applyWrite(rows, write);
        applied.push(write);
      }
      const lastLsn = applied.at(-1)!.lsn;
      expect(refused).toBeGreaterThan(0);

      // Published through the last write, with a watermark at or past it on every partition.
      const kafka = new Kafka({ clientId: `${prefix}-test`, brokers, logLevel: logLevel.NOTHING });
      const registry = new RegistryClient({ host: node.url });
      interface Watermark {
        readonly topic: string;
        readonly partition: number;
        readonly lsn: bigint;
        readonly timestamp: number;
      }
      let watermarks: Watermark[] = [];
      const deadline = Date.now() + 60_000;
      for (;;) {
        watermarks = await Promise.all(
          (await readCommittedRecords(kafka, `${prefix}._resolved`)).map(async (record) => {
            const marker = (await registry.decode(record.value!)) as { topic: string; partition: number; lsn: unknown };
            return { topic: marker.topic, partition: marker.partition, lsn: BigInt(String(marker.lsn)), timestamp: record.timestamp };
          }),
        );
        const partitions = new Set(watermarks.map((mark) => `${mark.topic}#${mark.partition}`));
        const reached = new Set(watermarks.filter((mark) => mark.lsn >= lastLsn).map((mark) => `${mark.topic}#${mark.partition}`));
        if (partitions.size > 0 && reached.size === partitions.size) break;
        if (Date.now() > deadline) throw new Error(`no watermark reached lsn ${lastLsn} on every partition:\n${node.output}`);
        await sleep(500);
      }

      // Each partition's records in offset order: the snapshot's rows (op r, at its lsn), then
      // the changes after it.
      interface Event {
        readonly table: TableName;
        readonly key: number;
        readonly lsn: bigint;
        readonly op: string;
        readonly value: number | null;
        readonly timestamp: number;
      }
      const eventsByPartition = new Map<string, Event[]>();
      let snapshotLsn: bigint | null = null;
      for (const table of tables) {
        for (const record of await readCommittedRecords(kafka, `${prefix}.app.${table}`)) {
          if (record.value === null) continue; // a tombstone, after its delete
          const envelope = (await registry.decode(record.value)) as { op: string; before: { id: number } | null; after: { id: number; v: number } | null; source: { lsn: unknown } };
          const event: Event = { table, key: Number((envelope.after ?? envelope.before)!.id), lsn: BigInt(String(envelope.source.lsn)), op: envelope.op, value: envelope.after === null ? null : Number(envelope.after.v), timestamp: record.timestamp };
          if (event.op === 'r') snapshotLsn ??= event.lsn;
          const partition = `${prefix}.app.${table}#${record.partition}`;
          eventsByPartition.get(partition)?.push(event) ?? eventsByPartition.set(partition, [event]);
        }
      }
      const allEvents = [...eventsByPartition.values()].flat();
      expect(snapshotLsn).not.toBeNull();
      const snapshotRows = allEvents.filter((event) => event.op === 'r');
      expect(snapshotRows.every((event) => event.lsn === snapshotLsn)).toBe(true);
      // Writes ran while the snapshot went out and after it.
      expect(applied.filter((write) => write.lsn > snapshotLsn!).length).toBeGreaterThan(50);

      // Every row's partition, as its records say (a row with none is missing from all).
      const partitionOfRow = new Map<string, string>();
      for (const [partition, events] of eventsByPartition) for (const event of events) partitionOfRow.set(rowName(event.table, event.key), partition);

      expect(watermarks.length).toBeGreaterThan(tables.length);
      for (const mark of watermarks) {
        const partition = `${mark.topic}#${mark.partition}`;
        // No watermark while the snapshot is still going out.
        expect(mark.lsn >= snapshotLsn!, `watermark ${mark.lsn} of ${partition} before the snapshot's lsn`).toBe(true);
        const seen: Rows = new Map();
        for (const event of eventsByPartition.get(partition) ?? []) {
          if (event.lsn > mark.lsn || event.timestamp > mark.timestamp) break;
          if (event.value === null) seen.delete(rowName(event.table, event.key));
          else seen.set(rowName(event.table, event.key), event.value);
        }
        const expected: Rows = new Map();
        for (const write of applied) if (write.lsn <= mark.lsn) applyWrite(expected, write);
        const expectedHere = [...expected].filter(([name]) => name.startsWith(`${tableOfTopic(mark.topic)}/`) && (partitionOfRow.get(name) ?? partition) === partition);
        expect(new Map(expectedHere), `rows of ${partition} at watermark ${mark.lsn}`).toEqual(seen);
      }
    } finally {
      await node.stop();
    }
  });
});

const tableOfTopic = (topic: string): string => topic.split('.').at(-1)!;
