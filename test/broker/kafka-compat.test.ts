// Proves kafkajs 2.2.4 works against the broker test/broker/kafka.sh runs: plain and idempotent produce, consumer-group consume/commit/rejoin, and transactions (send + sendOffsets + commit, and abort).
// Talks to the already-running broker at KAFKA_BROKERS (default 127.0.0.1:9092) with fresh topics/groups per run, and checks record-batch metadata and committed offsets, not just "no error".
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import kafkajs from 'kafkajs';
import type { Admin, Consumer, KafkaMessage, Producer } from 'kafkajs';

// kafkajs is CommonJS and builds its exports object with spreads and renames,
// which Node's named-export detection can't see; take them off the default.
const { Kafka, Partitioners, CompressionTypes, logLevel } = kafkajs;

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092')
  .split(',')
  .map((b) => b.trim())
  .filter((b) => b.length > 0);

const runId = `${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
const name = (what: string): string => `compat-${runId}-${what}`;

const kafka = new Kafka({
  clientId: name('client'),
  brokers,
  // Fail fast: the broker is local, so a slow connect means it isn't there.
  connectionTimeout: 3000,
  requestTimeout: 10_000,
  retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 2000 },
  // kafkajs logs retriable errors (e.g. "coordinator loading" on a fresh
  // broker) at ERROR, which is noise here: real failures reach the assertions.
  // Set KAFKAJS_LOG_LEVEL=DEBUG|INFO|WARN|ERROR to see the protocol chatter.
  logLevel: parseLogLevel(process.env['KAFKAJS_LOG_LEVEL']),
});

function parseLogLevel(level: string | undefined): number {
  switch (level?.toUpperCase()) {
    case 'DEBUG':
      return logLevel.DEBUG;
    case 'INFO':
      return logLevel.INFO;
    case 'WARN':
      return logLevel.WARN;
    case 'ERROR':
      return logLevel.ERROR;
    default:
      return logLevel.NOTHING;
  }
}

const TEST_TIMEOUT_MS = 60_000;
const CONSUME_TIMEOUT_MS = 30_000;

// Everything connected is tracked so afterAll can disconnect it even when an
// assertion fails half-way; a leaked consumer keeps vitest's worker alive.
const open: Array<{ disconnect: () => Promise<void> }> = [];
function track<T extends { disconnect: () => Promise<void> }>(client: T): T {
  open.push(client);
  return client;
}

let admin: Admin;

beforeAll(async () => {
  admin = track(kafka.admin({ retry: { retries: 1, initialRetryTime: 200 } }));
  try {
    await admin.connect();
    await admin.listTopics();
  } catch (err) {
    throw new Error(
      `cannot reach a Kafka broker at ${brokers.join(',')} (${String(err)}); ` +
        'start one with `bash test/broker/kafka.sh start` or set KAFKA_BROKERS',
    );
  }
}, TEST_TIMEOUT_MS);

afterAll(async () => {
  await Promise.allSettled(open.map((c) => c.disconnect()));
}, TEST_TIMEOUT_MS);

async function createTopic(topic: string): Promise<void> {
  // Explicit single-partition topics keep ordering assertions meaningful and
  // avoid relying on auto-creation racing the first metadata request.
  const created = await admin.createTopics({
    topics: [{ topic, numPartitions: 1, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  expect(created).toBe(true);
}

/**
 * Batch-level metadata kafkajs decodes but does not put in its typings. It is
 * the only client-side evidence of which producer wrote a record and whether
 * it was transactional, so read it defensively and fail loudly if it moves.
 */
interface BatchContext {
  producerId: string;
  producerEpoch: number;
  firstSequence: number;
  inTransaction: boolean;
}

function batchContextOf(message: KafkaMessage): BatchContext {
  const ctx: unknown = (message as { batchContext?: unknown }).batchContext;
  if (
    typeof ctx !== 'object' ||
    ctx === null ||
    !('producerId' in ctx) ||
    !('firstSequence' in ctx) ||
    !('inTransaction' in ctx) ||
    !('producerEpoch' in ctx)
  ) {
    throw new Error('kafkajs message has no batchContext; the record-batch decoder changed');
  }
  return {
    producerId: String(ctx.producerId),
    producerEpoch: Number(ctx.producerEpoch),
    firstSequence: Number(ctx.firstSequence),
    inTransaction: Boolean(ctx.inTransaction),
  };
}

interface Received {
  value: string;
  key: string | null;
  offset: string;
  headers: Record<string, string>;
  batch: BatchContext;
}

/**
 * Runs `consumer` on `topic` until `done(received)` is true. Rejects with what
 * arrived so far on timeout, and immediately if the consumer crashes for good,
 * so a protocol incompatibility shows up as its real error, not a timeout.
 */
async function consumeUntil(
  consumer: Consumer,
  topic: string,
  done: (received: readonly Received[]) => boolean,
): Promise<Received[]> {
  const received: Received[] = [];
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  return await new Promise<Received[]>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(
        new Error(
          `timed out after ${CONSUME_TIMEOUT_MS}ms on ${topic}; got ${received.length}: ` +
            JSON.stringify(received.map((r) => r.value)),
        ),
      );
    }, CONSUME_TIMEOUT_MS);
    const removeCrashListener = consumer.on(consumer.events.CRASH, (event) => {
      // kafkajs restarts itself after retriable errors; only a crash it gives
      // up on is a failure.
      if (event.payload.restart) return;
      clearTimeout(timer);
      reject(new Error(`consumer crashed: ${String(event.payload.error)}`));
    });
    consumer
      .run({
        autoCommit: false,
        eachMessage: async ({ message }) => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(message.headers ?? {})) {
            headers[k] = String(v);
          }
          received.push({
            value: message.value?.toString() ?? '',
            key: message.key?.toString() ?? null,
            offset: message.offset,
            headers,
            batch: batchContextOf(message),
          });
          if (done(received)) {
            clearTimeout(timer);
            removeCrashListener();
            resolve(received);
          }
        },
      })
      .catch((err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      });
  });
}

/** Polls `check` until it returns true; throws `describe()` on timeout. */
async function waitFor(check: () => boolean, describe: () => string): Promise<void> {
  const deadline = Date.now() + CONSUME_TIMEOUT_MS;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${CONSUME_TIMEOUT_MS}ms: ${describe()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function committedOffset(groupId: string, topic: string): Promise<string | undefined> {
  const [topicOffsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return topicOffsets?.partitions.find((p) => p.partition === 0)?.offset;
}

/**
 * Transactional offset commits become visible only once the coordinator has
 * written the commit markers, which happens after EndTxn has already returned
 * (kafkajs's OffsetFetch can't ask the broker to wait for stable offsets), so
 * poll briefly instead of reading once.
 */
async function eventuallyCommittedOffset(
  groupId: string,
  topic: string,
  expected: string,
): Promise<string | undefined> {
  const deadline = Date.now() + 10_000;
  let offset = await committedOffset(groupId, topic);
  while (offset !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    offset = await committedOffset(groupId, topic);
  }
  return offset;
}

function newProducer(opts: { idempotent: boolean; transactionalId?: string }): Producer {
  return track(
    kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: opts.idempotent,
      // Idempotence/transactions only guarantee ordering with one in-flight
      // request per connection in kafkajs.
      maxInFlightRequests: opts.idempotent ? 1 : 5,
      allowAutoTopicCreation: false,
      ...(opts.transactionalId !== undefined
        ? { transactionalId: opts.transactionalId, transactionTimeout: 30_000 }
        : {}),
    }),
  );
}

function newConsumer(groupId: string, readCommitted = true): Consumer {
  return track(
    kafka.consumer({
      groupId,
      readUncommitted: !readCommitted,
      // Short timings: one local broker, and tests wait on every join.
      sessionTimeout: 10_000,
      heartbeatInterval: 1000,
      rebalanceTimeout: 10_000,
      maxWaitTimeInMs: 200,
      allowAutoTopicCreation: false,
    }),
  );
}

describe('kafkajs against the test broker', () => {
  it(
    'round-trips through a consumer group, commits offsets and resumes from them on rejoin',
    async () => {
      const topic = name('plain');
      const groupId = name('plain-group');
      await createTopic(topic);

      const producer = newProducer({ idempotent: false });
      await producer.connect();
      const first = ['a', 'b', 'c', 'd', 'e'];
      const meta = await producer.send({
        topic,
        acks: -1,
        compression: CompressionTypes.None,
        messages: first.map((v, i) => ({ key: `k${i}`, value: v, headers: { seq: String(i) } })),
      });
      expect(meta).toHaveLength(1);
      expect(meta[0]?.errorCode).toBe(0);
      expect(meta[0]?.baseOffset).toBe('0');

      const consumer1 = newConsumer(groupId);
      await consumer1.connect();
      const got = await consumeUntil(consumer1, topic, (r) => r.length >= first.length);
      expect(got.map((r) => r.value)).toEqual(first);
      expect(got.map((r) => r.key)).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);
      expect(got.map((r) => r.headers['seq'])).toEqual(['0', '1', '2', '3', '4']);
      expect(got.map((r) => r.offset)).toEqual(['0', '1', '2', '3', '4']);
      // A non-idempotent producer writes without a producer id.
      expect(got.every((r) => r.batch.producerId === '-1')).toBe(true);

      // Nothing is committed until we say so (autoCommit is off).
      expect(await committedOffset(groupId, topic)).toBe('-1');
      await consumer1.commitOffsets([{ topic, partition: 0, offset: '5' }]);
      expect(await committedOffset(groupId, topic)).toBe('5');
      await consumer1.disconnect();

      const second = ['f', 'g'];
      await producer.send({ topic, acks: -1, messages: second.map((value) => ({ value })) });

      // Same group again: must start at the committed offset despite
      // fromBeginning, i.e. see only the new records.
      const consumer2 = newConsumer(groupId);
      await consumer2.connect();
      const resumed = await consumeUntil(consumer2, topic, (r) => r.length >= second.length);
      expect(resumed.map((r) => r.value)).toEqual(second);
      expect(resumed[0]?.offset).toBe('5');
      await consumer2.disconnect();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'rebalances a running group when a second member joins, splitting partitions',
    async () => {
      const topic = name('rebalance');
      const groupId = name('rebalance-group');
      const created = await admin.createTopics({
        topics: [{ topic, numPartitions: 2, replicationFactor: 1 }],
        waitForLeaders: true,
      });
      expect(created).toBe(true);

      // Per member: every assignment it got (one per join) and what it consumed.
      const members = ['a', 'b'].map((id) => ({
        id,
        consumer: newConsumer(groupId),
        assignments: [] as number[][],
        received: [] as Array<{ partition: number; value: string }>,
      }));
      const start = async (m: (typeof members)[number]): Promise<void> => {
        m.consumer.on(m.consumer.events.GROUP_JOIN, (event) => {
          m.assignments.push([...(event.payload.memberAssignment[topic] ?? [])].sort((x, y) => x - y));
        });
        await m.consumer.connect();
        await m.consumer.subscribe({ topics: [topic], fromBeginning: true });
        await m.consumer.run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            m.received.push({ partition, value: message.value?.toString() ?? '' });
          },
        });
      };
      const [a, b] = members;
      if (a === undefined || b === undefined) throw new Error('unreachable');
      const show = (): string =>
        JSON.stringify(members.map(({ id, assignments, received }) => ({ id, assignments, received })));

      await start(a);
      await waitFor(() => a.assignments.some((p) => p.length === 2), show);

      // b joining forces the running member a through a rebalance and rejoin.
      await start(b);
      await waitFor(() => b.assignments.length > 0 && a.assignments.length >= 2, show);
      const aNow = a.assignments.at(-1) ?? [];
      const bNow = b.assignments.at(-1) ?? [];
      expect(aNow).toHaveLength(1);
      expect(bNow).toHaveLength(1);
      expect([...aNow, ...bNow].sort((x, y) => x - y)).toEqual([0, 1]);

      const producer = newProducer({ idempotent: false });
      await producer.connect();
      await producer.send({
        topic,
        acks: -1,
        messages: [
          { partition: 0, value: 'p0' },
          { partition: 1, value: 'p1' },
        ],
      });
      await waitFor(() => a.received.length + b.received.length >= 2, show);
      // Each member consumes exactly the partition it was assigned.
      expect(a.received).toEqual([{ partition: aNow[0], value: `p${aNow[0]}` }]);
      expect(b.received).toEqual([{ partition: bNow[0], value: `p${bNow[0]}` }]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'produces with an idempotent producer (producer id and sequence numbers assigned)',
    async () => {
      const topic = name('idempotent');
      await createTopic(topic);

      const producer = newProducer({ idempotent: true });
      await producer.connect();
      const values = Array.from({ length: 20 }, (_, i) => `v${i}`);
      // Several sends so the broker has to accept increasing sequence numbers.
      for (let i = 0; i < values.length; i += 5) {
        await producer.send({
          topic,
          acks: -1,
          messages: values.slice(i, i + 5).map((value) => ({ value })),
        });
      }

      const consumer = newConsumer(name('idempotent-group'));
      await consumer.connect();
      const got = await consumeUntil(consumer, topic, (r) => r.length >= values.length);
      expect(got.map((r) => r.value)).toEqual(values);

      const ids = new Set(got.map((r) => r.batch.producerId));
      expect(ids.size).toBe(1);
      const [producerId] = [...ids];
      expect(Number(producerId)).toBeGreaterThanOrEqual(0);
      expect(got.every((r) => !r.batch.inTransaction)).toBe(true);
      // Each send is one batch whose first sequence continues where the last ended.
      const sequences = [...new Set(got.map((r) => r.batch.firstSequence))];
      expect(sequences).toEqual([0, 5, 10, 15]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'commits transactions (with sendOffsets) and hides aborted ones from read_committed',
    async () => {
      const input = name('tx-in');
      const output = name('tx-out');
      const groupId = name('tx-group');
      await createTopic(input);
      await createTopic(output);

      const producer = newProducer({ idempotent: true, transactionalId: name('tx') });
      await producer.connect();

      // Committed: output records plus the group's input offset, atomically.
      const committed = await producer.transaction();
      await committed.send({
        topic: output,
        acks: -1,
        messages: [{ value: 'committed-1' }, { value: 'committed-2' }],
      });
      await committed.sendOffsets({
        consumerGroupId: groupId,
        topics: [{ topic: input, partitions: [{ partition: 0, offset: '3' }] }],
      });
      await committed.commit();
      expect(await eventuallyCommittedOffset(groupId, input, '3')).toBe('3');

      // Aborted: neither its records nor its offset commit may take effect.
      const aborted = await producer.transaction();
      await aborted.send({
        topic: output,
        acks: -1,
        messages: [{ value: 'aborted-1' }, { value: 'aborted-2' }],
      });
      await aborted.sendOffsets({
        consumerGroupId: groupId,
        topics: [{ topic: input, partitions: [{ partition: 0, offset: '99' }] }],
      });
      await aborted.abort();

      // A committed record after the aborted ones, so "not seen" means the
      // consumer read past them, not that it stopped early. The coordinator
      // only lets this transaction start once the abort markers are written.
      const sentinel = await producer.transaction();
      await sentinel.send({ topic: output, acks: -1, messages: [{ value: 'committed-3' }] });
      await sentinel.commit();
      // By now the abort is fully applied; its offset 99 must not have landed.
      expect(await committedOffset(groupId, input)).toBe('3');

      const readCommitted = newConsumer(name('tx-rc-group'), true);
      await readCommitted.connect();
      const visible = await consumeUntil(readCommitted, output, (r) =>
        r.some((m) => m.value === 'committed-3'),
      );
      expect(visible.map((r) => r.value)).toEqual(['committed-1', 'committed-2', 'committed-3']);
      expect(visible.every((r) => r.batch.inTransaction)).toBe(true);

      // Control check: the aborted records really are in the log, so the
      // read_committed assertion above is not passing vacuously.
      const readUncommitted = newConsumer(name('tx-ru-group'), false);
      await readUncommitted.connect();
      const all = await consumeUntil(readUncommitted, output, (r) =>
        r.some((m) => m.value === 'committed-3'),
      );
      expect(all.map((r) => r.value)).toEqual([
        'committed-1',
        'committed-2',
        'aborted-1',
        'aborted-2',
        'committed-3',
      ]);
    },
    TEST_TIMEOUT_MS,
  );
});
