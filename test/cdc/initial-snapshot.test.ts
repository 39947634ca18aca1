// The initial snapshot: the rows of the published tables as of one lsn, read chunk by chunk at
// later times — from the current rows and the changelog's before-images — and, against a real
// broker, published as op r events before the changes that follow them. Real LMDB store.
import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { SnapshotReader } from '../../services/cdc/initial-snapshot.js';
import type { SnapshotProgress } from '../../services/cdc/initial-snapshot.js';
import { KafkaPublisher } from '../../services/cdc/kafka-publisher.js';
import { SchemaRegistry } from '../../services/cdc/schema-registry.js';
import { TableSelection } from '../../services/cdc/table-selection.js';
import { lsnOf } from '../../services/storage/lsn.js';
import type { Row, TableDef } from '../../services/storage/types.js';
import { seededRandom } from '../support/seeded-random.js';
import { collectingLogger, decode, readCommittedRecords, row, useChangelogStore, waitFor } from './fixtures/publisher-harness.js';

const { Kafka, logLevel } = kafkajs;
const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((broker) => broker.trim());
const changelog = useChangelogStore('tidedb-snapshot-');

function table(id: number, name: string): TableDef {
  return {
    id,
    version: 1,
    database: 'app',
    name,
    columns: [
      { name: 'id', type: 'INT', length: null, nullable: false, autoIncrement: false },
      { name: 'v', type: 'INT', length: null, nullable: false, autoIncrement: false },
    ],
    primaryKey: [0],
  };
}

// A new table of the store, with the next id.
function created(name: string): TableDef {
  const made = table(changelog.store().nextTableId(), name);
  changelog.applyEntry([{ kind: 'create_table', table: made }]);
  return made;
}

// The table's rows in a model, applied to the store as random entries of inserts, updates and deletes.
interface Random {
  next(): number;
  int(below: number): number;
}

function randomOf(seed: number): Random {
  const next = seededRandom(seed);
  return { next, int: (below) => Math.floor(next() * below) };
}

class Workload {
  readonly rows = new Map<number, number>();
  constructor(
    private readonly target: TableDef,
    private readonly random: Random,
  ) {}

  entry(): void {
    const changes = [];
    const touched = new Set<number>();
    for (let count = 1 + this.random.int(4); count > 0; count--) {
      const id = this.random.int(40);
      if (touched.has(id)) continue;
      touched.add(id);
      const old = this.rows.get(id);
      const value = this.random.int(1_000);
      if (old === undefined) {
        changes.push(row(this.target, 'c', null, [BigInt(id), BigInt(value)]));
        this.rows.set(id, value);
      } else if (this.random.next() < 0.3) {
        changes.push(row(this.target, 'd', [BigInt(id), BigInt(old)], null));
        this.rows.delete(id);
      } else {
        changes.push(row(this.target, 'u', [BigInt(id), BigInt(old)], [BigInt(id), BigInt(value)]));
        this.rows.set(id, value);
      }
    }
    if (changes.length > 0) changelog.applyEntry(changes);
  }
}

function sorted(rows: ReadonlyMap<number, number>): Row[] {
  return [...rows].sort(([a], [b]) => a - b).map(([id, value]) => [BigInt(id), BigInt(value)]);
}

const liveSource = () => {
  const store = changelog.store();
  return { openSnapshot: () => store.openSnapshot(), tableVersion: (id: number, version: number) => store.tableVersion(id, version), liveTable: (id: number) => store.liveTable(id) };
};

describe('the snapshot reader', () => {
  it('gives the rows as of its lsn, in key order, however the changes after it and its chunks interleave (seeded)', () => {
    const seeds = [1, 2, 3, 4, 5];
    for (const seed of seeds) {
      const random = randomOf(seed);
      const first = created(`first_${seed}`);
      const second = created(`second_${seed}`);
      const workloads = [new Workload(first, random), new Workload(second, random)];
      for (let step = 0; step < 60; step++) workloads[random.int(2)]!.entry();
      const atIndex = changelog.store().appliedIndex();
      const atLsn = lsnOf(atIndex + 1n, 0) - 1n;
      const expected = workloads.map((workload) => sorted(workload.rows));
      const reader = new SnapshotReader(liveSource(), atLsn);
      let progress: SnapshotProgress | null = { atLsn, tsMs: 0, tableIds: [first.id, second.id], afterKey: null };
      const read: Row[][] = [[], []];
      let lastFlags = 0;
      while (progress !== null) {
        // Writes go on between chunks, changing rows on both sides of the chunk boundary.
        for (let step = random.int(6); step > 0; step--) workloads[random.int(2)]!.entry();
        const chunk: { rows: { table: TableDef; row: Row; last: boolean }[]; progress: SnapshotProgress | null } = reader.next(progress, 1 + random.int(7));
        for (const { table: of, row: values, last } of chunk.rows) {
          read[of.id === first.id ? 0 : 1]!.push(values);
          if (last) lastFlags++;
        }
        progress = chunk.progress;
      }
      expect(read, `seed ${seed}`).toEqual(expected);
      expect(lastFlags, `seed ${seed}`).toBe(expected.flat().length > 0 ? 1 : 0);
    }
  });
});

describe('a publisher that starts with an initial snapshot', () => {
  it('sends the rows as of one lsn as op r, the last one marked, then every change after it', { timeout: 90_000 }, async () => {
    const prefix = `snap_${Date.now().toString(36)}_${randomUUID().slice(0, 6)}`;
    const items = created('items');
    changelog.applyEntry([1, 2, 3].map((id) => row(items, 'c', null, [id, id * 10])));
    changelog.applyEntry([row(items, 'u', [2, 20], [2, 21])]);
    const logger = collectingLogger();
    const publisher = new KafkaPublisher(changelog.store(), { brokers, clientId: `${prefix}-p`, topicPrefix: prefix, resolvedIntervalMs: 0, initialSnapshot: 'always', logger });
    publisher.start();
    const atLsn = lsnOf(changelog.store().appliedIndex() + 1n, 0) - 1n;
    await waitFor(() => publisher.publishedLsn() !== null, 'the snapshot', logger.lines);
    const after = changelog.applyEntry([row(items, 'd', [1, 10], null)]);
    publisher.notify();
    await waitFor(() => publisher.publishedLsn() === after[0], 'the change after the snapshot', logger.lines);
    await publisher.stop();

    const registry = new SchemaRegistry(changelog.store(), prefix);
    const events = (await readCommittedRecords(new Kafka({ clientId: prefix, brokers, logLevel: logLevel.NOTHING }), `${prefix}.app.items`)).map((message) => {
      if (message.value === null) return { tombstone: decode(registry, message.key)['id'] };
      const envelope = decode(registry, message.value);
      const source = envelope['source'] as Record<string, unknown>;
      return { op: envelope['op'], lsn: source['lsn'], snapshot: source['snapshot'], after: envelope['after'], transaction: envelope['transaction'] };
    });
    expect(events.slice(0, 3)).toEqual([
      { op: 'r', lsn: atLsn, snapshot: 'true', after: { id: 1, v: 10 }, transaction: null },
      { op: 'r', lsn: atLsn, snapshot: 'true', after: { id: 2, v: 21 }, transaction: null },
      { op: 'r', lsn: atLsn, snapshot: 'last', after: { id: 3, v: 30 }, transaction: null },
    ]);
    // Every other table in this store was snapshotted too, on its own topic; here, the delete.
    expect(events.slice(3)).toMatchObject([{ op: 'd', lsn: after[0], snapshot: 'false' }, { tombstone: 1 }]);
  });
});

describe('a publisher restarted with more tables included', () => {
  it('sends the added tables\' rows as of its checkpoint as op r, then the changes after it, and none twice', { timeout: 120_000 }, async () => {
    const prefix = `added_${Date.now().toString(36)}_${randomUUID().slice(0, 6)}`;
    const kept = created(`kept_${prefix}`);
    const added = created(`added_${prefix}`);
    const only = TableSelection.parse(`app.${kept.name}`, '');
    const both = TableSelection.parse(`app.${kept.name},app.${added.name}`, '');
    const kafka = new Kafka({ clientId: prefix, brokers, logLevel: logLevel.NOTHING });
    const logger = collectingLogger();
    const publisher = (tables: TableSelection) => new KafkaPublisher(changelog.store(), { brokers, clientId: `${prefix}-p`, topicPrefix: prefix, resolvedIntervalMs: 0, initialSnapshot: 'never', tables, logger });
    const publishThrough = async (tables: TableSelection, lsn: bigint): Promise<void> => {
      const running = publisher(tables);
      running.start();
      await waitFor(() => running.publishedLsn() === lsn, `publishing through lsn ${lsn}`, logger.lines);
      await running.stop();
    };

    changelog.applyEntry([row(kept, 'c', null, [1, 10]), row(added, 'c', null, [1, 100]), row(added, 'c', null, [2, 200])]);
    const checkpoint = changelog.applyEntry([row(added, 'u', [2, 200], [2, 201])]).at(-1)!;
    await publishThrough(only, checkpoint);
    const admin = kafka.admin();
    await admin.connect();
    const topics = await admin.listTopics();
    await admin.disconnect();
    expect(topics).toContain(`${prefix}.app.${kept.name}`);
    expect(topics).not.toContain(`${prefix}.app.${added.name}`);

    // After the checkpoint: row 1 changes and row 3 is born, so the snapshot must read row 1 as
    // it was at the checkpoint (its before-image) and leave row 3 to its own event.
    const after = changelog.applyEntry([row(added, 'u', [1, 100], [1, 101]), row(added, 'c', null, [3, 300]), row(kept, 'u', [1, 10], [1, 11])]);
    await publishThrough(both, after.at(-1)!);
    // Restarted with the same selection, nothing is snapshotted again.
    const last = changelog.applyEntry([row(added, 'd', [3, 300], null)]).at(-1)!;
    await publishThrough(both, last);

    const registry = new SchemaRegistry(changelog.store(), prefix);
    const eventsOf = async (table: TableDef) =>
      (await readCommittedRecords(kafka, `${prefix}.app.${table.name}`)).filter((message) => message.value !== null).map((message) => {
        const envelope = decode(registry, message.value);
        const source = envelope['source'] as Record<string, unknown>;
        return { op: envelope['op'], lsn: source['lsn'], snapshot: source['snapshot'], after: envelope['after'] };
      });
    expect(await eventsOf(added)).toEqual([
      { op: 'r', lsn: checkpoint, snapshot: 'true', after: { id: 1, v: 100 } },
      { op: 'r', lsn: checkpoint, snapshot: 'last', after: { id: 2, v: 201 } },
      { op: 'u', lsn: after[0], snapshot: 'false', after: { id: 1, v: 101 } },
      { op: 'c', lsn: after[1], snapshot: 'false', after: { id: 3, v: 300 } },
      { op: 'd', lsn: last, snapshot: 'false', after: null },
    ]);
    // The table published all along got no snapshot and each change once.
    expect((await eventsOf(kept)).map((event) => event.op)).toEqual(['c', 'u']);
    expect(logger.lines.filter((line) => /adds 1 tables/.test(line))).toHaveLength(1);
  });
});
