// Two publishers under one name, as an old leader that still publishes and the new leader that
// takes over: each on a store of its own holding the same history, against a real broker at
// KAFKA_BROKERS. The newer one connects and reads the checkpoint while the older one is idle;
// then the older one publishes a change, and then the newer one is told of it too. Whoever
// commits the change, it is on the topic once: a publisher's connection claims the name (fencing
// the other) before it reads where to continue, so the round the older one commits after that
// read is either refused or seen by the newer one.
import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KafkaPublisher } from '../../services/cdc/kafka-publisher.js';
import type { BatchChange } from '../../services/storage/types.js';
import { itemsTable } from './fixtures/items.js';
import { collectingLogger, committedRecordCount, row, useChangelogStore, waitFor } from './fixtures/publisher-harness.js';

const { Kafka, logLevel } = kafkajs;

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((broker) => broker.trim());
const topicPrefix = `fence_${Date.now().toString(36)}_${randomUUID().slice(0, 8)}`;

const items = itemsTable;

const older = useChangelogStore('tidedb-fence-older-');
const newer = useChangelogStore('tidedb-fence-newer-');

// The same Raft entry applied on both nodes; its lsns are the same on each.
function applyOnBoth(changes: readonly BatchChange[]): bigint[] {
  const lsns = older.applyEntry(changes);
  expect(newer.applyEntry(changes)).toEqual(lsns);
  return lsns;
}

describe('two publishers under one name', () => {
  it('publish a change the older one commits after the newer one connected only once', { timeout: 90_000 }, async () => {
    applyOnBoth([{ kind: 'create_table', table: items }]);
    const [first] = applyOnBoth([row(items, 'c', null, [1, 'a'])]);
    const olderLog = collectingLogger();
    const olderPublisher = new KafkaPublisher(older.store(), { brokers, clientId: `${topicPrefix}-older`, topicPrefix, resolvedIntervalMs: 0, logger: olderLog });
    const newerLog = collectingLogger();
    const newerPublisher = new KafkaPublisher(newer.store(), { brokers, clientId: `${topicPrefix}-newer`, topicPrefix, resolvedIntervalMs: 0, logger: newerLog });
    try {
      olderPublisher.start();
      await waitFor(() => olderPublisher.publishedLsn() === first, 'the older publisher to publish the first change', olderLog.lines);

      // The newer one connects, takes Kafka's checkpoint (it has none of its own) and finds
      // nothing after it to publish.
      newerPublisher.start();
      await waitFor(() => newerPublisher.publishedLsn() === first, 'the newer publisher to read the checkpoint', newerLog.lines);

      // A change only the older one is told of: it publishes it, after being refused once if
      // the newer one fenced it.
      const [second] = applyOnBoth([row(items, 'u', [1, 'a'], [1, 'b'])]);
      olderPublisher.notify();
      await waitFor(() => olderPublisher.publishedLsn() === second, 'the older publisher to publish the second change', olderLog.lines);

      // Now the newer one hears of it too: it must find it published, not send it again.
      newerPublisher.notify();
      await waitFor(() => newerPublisher.publishedLsn() === second, 'the newer publisher to pass the second change', newerLog.lines);
    } finally {
      await olderPublisher.stop();
      await newerPublisher.stop();
    }

    const kafka = new Kafka({ clientId: `${topicPrefix}-test`, brokers, logLevel: logLevel.NOTHING });
    expect(await committedRecordCount(kafka, `${topicPrefix}.app.items`, 2)).toBe(2);
  });
});
