// Resolved watermarks on `<prefix>._resolved`: for each live table and each partition of its
// topic, "every change up to lsn X is published". Consumers close windows and join topics at a
// watermark. They have their own topic so that compacted table topics hold only rows.
import type { KafkaMessage } from './change-encoder.js';
import { resolvedSubject } from './fixed-schemas.js';
import { FixedTopicEncoder } from './fixed-topic-encoder.js';

export class ResolvedMarkerEncoder {
  private readonly encoder: FixedTopicEncoder;

  constructor(topicPrefix: string) {
    this.encoder = new FixedTopicEncoder(topicPrefix, resolvedSubject);
  }

  get topic(): string {
    return this.encoder.topic;
  }

  // One marker per partition of each table topic, all at `lsn`.
  encode(tableTopics: readonly string[], partitions: number, lsn: bigint, nowMs: number): KafkaMessage[] {
    const messages: KafkaMessage[] = [];
    for (const topic of tableTopics) {
      for (let partition = 0; partition < partitions; partition++) {
        messages.push(this.encoder.encode({ topic, partition }, { topic, partition, lsn, ts_ms: BigInt(nowMs) }));
      }
    }
    return messages;
  }
}
