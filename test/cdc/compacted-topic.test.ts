// Proves that with tombstones a compacted table topic ends up holding exactly the table's live
// rows: after the broker's log cleaner has run, no delete event is left, and the latest value
// of every key is its row. The topic is created for the test with settings that make the
// cleaner run within seconds (segments roll after 100 ms, any dirt is worth cleaning,
// tombstones may go at once); the publisher leaves an existing topic as it is.
import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KafkaPublisher } from '../../services/cdc/kafka-publisher.js';
import { SchemaRegistry } from '../../services/cdc/schema-registry.js';
import { itemsTable } from './fixtures/items.js';
import { collectingLogger, decode, readCommittedRecords, row, useChangelogStore, waitFor } from './fixtures/publisher-harness.js';

const { Kafka, logLevel } = kafkajs;

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((broker) => broker.trim());
const prefix = `compact_${Date.now().toString(36)}_${randomUUID().slice(0, 8)}`;
const kafka = new Kafka({ clientId: prefix, brokers, logLevel: logLevel.NOTHING });
const changelog = useChangelogStore('tidedb-compacted-');

const items = itemsTable;

describe('a compacted table topic', () => {
  it('holds exactly the live rows and no delete once the cleaner has run', { timeout: 120_000 }, async () => {
    const topic = `${prefix}.app.items`;
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic, numPartitions: 1, replicationFactor: 1, configEntries: [
          { name: 'cleanup.policy', value: 'compact' },
          { name: 'segment.ms', value: '100' },
          { name: 'min.cleanable.dirty.ratio', value: '0.01' },
          { name: 'delete.retention.ms', value: '0' },
        ] }],
      });
    } finally {
      await admin.disconnect();
    }

    changelog.applyEntry([{ kind: 'create_table', table: items }]);
    changelog.applyEntry([1, 2, 3, 4, 5].map((id) => row(items, 'c', null, [BigInt(id), `v${id}`])));
    changelog.applyEntry([row(items, 'u', [1n, 'v1'], [1n, 'v1b']), row(items, 'd', [2n, 'v2'], null)]);
    changelog.applyEntry([row(items, 'd', [3n, 'v3'], null), row(items, 'c', null, [13n, 'v3'])]);
    const lastOfHistory = changelog.applyEntry([row(items, 'd', [4n, 'v4'], null)]).at(-1)!;
    const logger = collectingLogger();
    const publisher = new KafkaPublisher(changelog.store(), { brokers, clientId: `${prefix}-publisher`, topicPrefix: prefix, resolvedIntervalMs: 0, logger });
    publisher.start();
    try {
      await waitFor(() => publisher.publishedLsn() === lastOfHistory, 'the history to be published', logger.lines);
      // 5 creates, update, delete + tombstone, key change (delete + tombstone + create), delete + tombstone.
      const produced = 14;
      // Later writes roll the segment holding the history, so the cleaner may compact it (it
      // never touches the active segment).
      let rolls = 0;
      const live = new Map<number, string>([[1, 'v1b'], [5, 'v5'], [13, 'v3']]);
      const deadline = Date.now() + 90_000;
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        const id = 100 + rolls++;
        const lsn = changelog.applyEntry([row(items, 'c', null, [BigInt(id), 'roll'])]).at(-1)!;
        live.set(id, 'roll');
        publisher.notify();
        await waitFor(() => publisher.publishedLsn() === lsn, 'a roll to be published', logger.lines);
        // Read all that is there now: the count of records left after cleaning is unknown.
        const all = await readCommittedRecords(kafka, topic);
        const registry = new SchemaRegistry(changelog.store(), prefix);
        const decoded = all.map((message) => ({ key: decode(registry, message.key)['id'] as number, value: message.value === null ? null : decode(registry, message.value) }));
        // Fewer records than were written: the cleaner has run.
        const cleaned = decoded.length < produced + rolls;
        const deletesLeft = decoded.filter((message) => message.value?.['op'] === 'd').length;
        if (cleaned && deletesLeft === 0) {
          const latest = new Map<number, string | null>();
          for (const message of decoded) latest.set(message.key, message.value === null ? null : ((message.value['after'] as Record<string, unknown>)['name'] as string));
          const liveInTopic = new Map([...latest].filter(([, label]) => label !== null));
          expect(liveInTopic).toEqual(live);
          // What is gone is what compaction may drop: superseded events and old tombstones.
          expect([...latest].filter(([, label]) => label === null).map(([key]) => key).every((key) => [2, 3, 4].includes(key))).toBe(true);
          break;
        }
        if (Date.now() > deadline) throw new Error(`the cleaner did not run: ${decoded.length} records, ${deletesLeft} deletes left`);
      }
    } finally {
      await publisher.stop();
    }
  });
});
