// How a publishing round reaches Kafka and where its checkpoint lives: the part of the
// publisher that differs between its two delivery modes.
//
// exactly-once (the default): a transactional producer with one transactional.id for the
// whole cluster. A round's events and its checkpoint commit in one Kafka transaction, the
// checkpoint being the offset of a consumer group on a one-partition checkpoint topic (as
// Kafka Streams commits its input offsets). A new leader's producer, starting with the same
// transactional.id, fences the old one and aborts its open transaction; it then reads the
// checkpoint, which is therefore exactly what read_committed consumers have seen.
//
// at-least-once, for brokers without transactions: an idempotent producer, and the checkpoint
// written after the broker's ack, node-local as well as to the group offset; a crash between
// the ack and the checkpoint republishes that round.
//
// Both also keep the checkpoint node-locally: changelog retention and /v1/status read it
// without a round trip, and it is never ahead of what Kafka holds.
import type { Admin, CompressionTypes, Producer, ProducerConfig } from 'kafkajs';
import { assert } from '../base/assert.js';

export type DeliveryMode = 'exactly-once' | 'at-least-once';

// The codecs kafkajs has built in; snappy, lz4 and zstd need codec packages of their own.
export const kafkaCompressions = ['none', 'gzip'] as const;
export type KafkaCompression = (typeof kafkaCompressions)[number];
export const deliveryModes: readonly DeliveryMode[] = ['exactly-once', 'at-least-once'];

export interface TopicMessages {
  readonly topic: string;
  readonly messages: { key: Buffer | null; value: Buffer | null; partition?: number; headers?: Record<string, Buffer> }[];
}

// Where the checkpoint lives in Kafka: one group's offset on one partition of one topic.
export interface CheckpointLocation {
  readonly topic: string;
  readonly groupId: string;
}

export interface Delivery {
  readonly mode: DeliveryMode;
  // What the producer needs beyond the publisher's own settings.
  producerConfig(): Pick<ProducerConfig, 'idempotent' | 'maxInFlightRequests' | 'transactionalId' | 'transactionTimeout'>;
  // Makes a connected producer the only one that can commit under the publisher's name, before
  // the publisher reads where to continue: any older producer is fenced and its open
  // transaction ended. A no-op where there is no name to claim.
  claim(producer: Producer): Promise<void>;
  // Sends the messages; with a checkpoint, records it as taken only if they were. The
  // metadata (an initial snapshot's progress) goes with the checkpoint where Kafka keeps it
  // in the same transaction (exactly-once); the caller keeps it locally too.
  send(producer: Producer, admin: Admin, batch: readonly TopicMessages[], checkpointLsn: bigint | null, metadata?: string | null): Promise<void>;
}

// The checkpoint is stored as the offset a consumer would read next: lsn + 1.
function offsetOfLsn(lsn: bigint): string {
  return (lsn + 1n).toString();
}

// The checkpoint in Kafka and its metadata, or null when none was ever committed.
export async function readKafkaCheckpoint(admin: Admin, location: CheckpointLocation): Promise<{ lsn: bigint; metadata: string | null } | null> {
  const [topic] = await admin.fetchOffsets({ groupId: location.groupId, topics: [location.topic] });
  const partition = topic?.partitions.find((candidate) => candidate.partition === 0);
  if (partition === undefined || partition.offset === '-1') return null;
  const next = BigInt(partition.offset);
  assert(next >= 1n, `checkpoint offset ${partition.offset} on ${location.topic}`);
  return { lsn: next - 1n, metadata: partition.metadata === '' ? null : partition.metadata };
}

export function exactlyOnceDelivery(transactionalId: string, location: CheckpointLocation, compression: CompressionTypes): Delivery {
  return {
    mode: 'exactly-once',
    producerConfig: () => ({
      transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      // An open transaction of a producer that went silent (a paused or partitioned old leader)
      // blocks read_committed consumers until the broker aborts it: keep that short.
      transactionTimeout: 10_000,
    }),
    claim: async (producer) => {
      // kafkajs registers the transactional id (InitProducerId, which bumps its epoch, fences
      // every older producer of the id and ends, or waits out, its open transaction) when the
      // first transaction begins, not on connect. Until then a predecessor can still commit a
      // round after this publisher read the checkpoint, and the round this one sends from there
      // repeats it. A transaction begun and aborted at once registers the id and sends nothing
      // else: aborting one that holds no partition is only a change of the client's state.
      const transaction = await producer.transaction();
      await transaction.abort();
    },
    send: async (producer, _admin, batch, checkpointLsn, metadata = null) => {
      const transaction = await producer.transaction();
      try {
        // A round of changes of unpublished tables only has no events, just its checkpoint.
        if (batch.length > 0) await transaction.sendBatch({ topicMessages: [...batch], acks: -1, compression });
        if (checkpointLsn !== null) {
          await transaction.sendOffsets({
            consumerGroupId: location.groupId,
            // kafkajs passes a partition's metadata on (its types omit it).
            topics: [{ topic: location.topic, partitions: [{ partition: 0, offset: offsetOfLsn(checkpointLsn), metadata } as { partition: number; offset: string }] }],
          });
        }
        await transaction.commit();
      } catch (error) {
        // Best effort: a fenced or disconnected producer cannot abort, and the broker aborts
        // the transaction itself when it times out or the next producer starts.
        await transaction.abort().catch(() => undefined);
        throw error;
      }
    },
  };
}

export function atLeastOnceDelivery(location: CheckpointLocation, compression: CompressionTypes): Delivery {
  return {
    mode: 'at-least-once',
    producerConfig: () => ({
      // Idempotence makes the broker drop a retried duplicate; with one request in flight a
      // retry can never overtake the batch behind it, so per-key order holds across retries.
      idempotent: true,
      maxInFlightRequests: 1,
    }),
    // Without transactions no producer can fence another: a predecessor still publishing sends
    // its events too, and a consumer may see them twice, as at-least-once allows.
    claim: async () => undefined,
    send: async (producer, admin, batch, checkpointLsn) => {
      // All in-sync replicas: an event acked by the leader broker alone can be lost with it.
      if (batch.length > 0) await producer.sendBatch({ topicMessages: [...batch], acks: -1, compression });
      if (checkpointLsn !== null) {
        await admin.setOffsets({ groupId: location.groupId, topic: location.topic, partitions: [{ partition: 0, offset: offsetOfLsn(checkpointLsn) }] });
      }
    },
  };
}
