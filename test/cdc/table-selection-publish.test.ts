// A publisher with --kafka-exclude: an excluded table's changes make no events and take no
// places in their transactions, a transaction of excluded changes only has no markers, and
// the checkpoint still moves past them. Real LMDB store, real broker at KAFKA_BROKERS.
import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KafkaPublisher } from '../../services/cdc/kafka-publisher.js';
import { SchemaRegistry } from '../../services/cdc/schema-registry.js';
import { TableSelection } from '../../services/cdc/table-selection.js';
import type { TableDef } from '../../services/storage/types.js';
import { collectingLogger, decode, readCommittedRecords, row, useChangelogStore, waitFor } from './fixtures/publisher-harness.js';

const { Kafka, logLevel } = kafkajs;
const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((broker) => broker.trim());
const prefix = `select_${Date.now().toString(36)}_${randomUUID().slice(0, 8)}`;
const kafka = new Kafka({ clientId: `${prefix}-test`, brokers, logLevel: logLevel.NOTHING });
const changelog = useChangelogStore('tidedb-selection-');

function table(id: number, database: string, name: string): TableDef {
  return {
    id,
    version: 1,
    database,
    name,
    columns: [{ name: 'id', type: 'INT', length: null, nullable: false, autoIncrement: false }],
    primaryKey: [0],
  };
}

const users = table(1, 'app', 'users');
const audit = table(2, 'app', 'audit_log');

describe('a publisher that leaves a table out', () => {
  it('publishes the others alone, numbers their events without it, and checkpoints past it', { timeout: 90_000 }, async () => {
    changelog.applyEntry([{ kind: 'create_table', table: users }, { kind: 'create_table', table: audit }]);
    // A transaction of both tables, one of the excluded table only, then one of users only.
    const mixed = changelog.applyEntry([row(audit, 'c', null, [1]), row(users, 'c', null, [1]), row(audit, 'c', null, [2]), row(users, 'c', null, [2])]);
    const auditOnly = changelog.applyEntry([row(audit, 'c', null, [3])]);
    const usersOnly = changelog.applyEntry([row(users, 'c', null, [3])]);
    const logger = collectingLogger();
    const publisher = new KafkaPublisher(changelog.store(), { brokers, clientId: `${prefix}-p`, topicPrefix: prefix, resolvedIntervalMs: 0, tables: TableSelection.parse('', '*.audit_*'), logger });
    publisher.start();
    await waitFor(() => publisher.publishedLsn() === usersOnly[0], 'the publisher to pass every change', logger.lines);
    await publisher.stop();
    expect(auditOnly).toHaveLength(1);

    const registry = new SchemaRegistry(changelog.store(), prefix);
    const userEvents = (await readCommittedRecords(kafka, `${prefix}.app.users`)).map((message) => {
      const envelope = decode(registry, message.value);
      const source = envelope['source'] as Record<string, unknown>;
      const transaction = envelope['transaction'] as Record<string, unknown>;
      return { lsn: source['lsn'], total: transaction['total_order'], table: transaction['data_collection_order'] };
    });
    expect(userEvents).toEqual([
      { lsn: mixed[1], total: 1n, table: 1n },
      { lsn: mixed[3], total: 2n, table: 2n },
      { lsn: usersOnly[0], total: 1n, table: 1n },
    ]);
    const markers = (await readCommittedRecords(kafka, `${prefix}._transactions`)).map((message) => {
      const value = decode(registry, message.value);
      return { status: value['status'], id: value['id'], collections: value['data_collections'] };
    });
    const id = (lsns: readonly bigint[]): string => String(lsns[0]! >> 20n);
    expect(markers).toEqual([
      { status: 'BEGIN', id: id(mixed), collections: null },
      { status: 'END', id: id(mixed), collections: [{ data_collection: 'app.users', event_count: 2n }] },
      { status: 'BEGIN', id: id(usersOnly), collections: null },
      { status: 'END', id: id(usersOnly), collections: [{ data_collection: 'app.users', event_count: 1n }] },
    ]);
    const admin = kafka.admin();
    await admin.connect();
    const topics = await admin.listTopics().finally(() => admin.disconnect());
    expect(topics).not.toContain(`${prefix}.app.audit_log`);
  });
});
