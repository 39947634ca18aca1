// Debezium's transaction metadata on `<prefix>._transactions`: a BEGIN marker before a
// transaction's first event and an END marker after its last, with its event counts per table,
// so that a consumer can reassemble transactions from the table topics. Their schemas are fixed
// (schemas/transaction-key.avsc, transaction-marker.avsc) and registered under ids outside any
// table's, so the registry stays a function of the catalog and the schema files.
import { assert } from '../base/assert.js';
import type { KafkaMessage } from './change-encoder.js';
import { transactionsSubject } from './fixed-schemas.js';
import { FixedTopicEncoder } from './fixed-topic-encoder.js';

export interface DataCollectionCount {
  // `<database>.<table>`, as Debezium names a data collection.
  readonly dataCollection: string;
  readonly eventCount: number;
}

export class TransactionMarkerEncoder {
  private readonly encoder: FixedTopicEncoder;

  constructor(topicPrefix: string) {
    this.encoder = new FixedTopicEncoder(topicPrefix, transactionsSubject);
  }

  get topic(): string {
    return this.encoder.topic;
  }

  begin(entryIndex: bigint, tsMs: number): KafkaMessage {
    return this.marker(entryIndex, { status: 'BEGIN', id: entryIndex.toString(), event_count: null, data_collections: null, ts_ms: BigInt(tsMs) });
  }

  end(entryIndex: bigint, tsMs: number, counts: readonly DataCollectionCount[]): KafkaMessage {
    assert(counts.length > 0, `END of transaction ${entryIndex} without events`);
    return this.marker(entryIndex, {
      status: 'END',
      id: entryIndex.toString(),
      event_count: counts.reduce((sum, count) => sum + BigInt(count.eventCount), 0n),
      data_collections: counts.map((count) => ({ data_collection: count.dataCollection, event_count: BigInt(count.eventCount) })),
      ts_ms: BigInt(tsMs),
    });
  }

  private marker(entryIndex: bigint, value: Record<string, unknown>): KafkaMessage {
    return this.encoder.encode({ id: entryIndex.toString() }, value);
  }
}
