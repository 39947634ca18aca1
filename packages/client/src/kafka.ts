// A table's Kafka topic as decoded events: a consumer in a consumer group that reads the
// topic, decodes keys and values through the schema registry the TideDB node serves, and hands
// each event to the caller, committing its offset only once the handler has finished (so a
// crash redelivers, never skips). Tombstones (a delete's null value) arrive as `value: null`.
// kafkajs and @kafkajs/confluent-schema-registry are peer dependencies: only this entry needs
// them.
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel } from 'kafkajs';

export interface TableEvent<Row = Record<string, unknown>> {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  // Null for a truncate (op `t`), which is about every key.
  readonly key: Record<string, unknown> | null;
  // Debezium's envelope, or null for a tombstone.
  readonly value: { readonly op: 'c' | 'u' | 'd' | 'r' | 't'; readonly before: Row | null; readonly after: Row | null; readonly source: Record<string, unknown> } | null;
}

export interface TableConsumerOptions {
  readonly brokers: readonly string[];
  // A TideDB node's HTTP base URL: it serves the Schema Registry API.
  readonly registryUrl: string;
  // `<prefix>.<database>.<table>`, e.g. `tide.app.users`.
  readonly topic: string;
  readonly groupId: string;
  readonly fromBeginning?: boolean;
  readonly clientId?: string;
  // The TideDB account the registry requests log in as (HTTP Basic), as TideClient's: a node
  // with a root password answers no request without one.
  readonly user?: string;
  readonly password?: string;
}

export interface TableConsumer {
  stop(): Promise<void>;
}

export async function consumeTable<Row = Record<string, unknown>>(options: TableConsumerOptions, handle: (event: TableEvent<Row>) => Promise<void>): Promise<TableConsumer> {
  const auth = options.user === undefined ? {} : { auth: { username: options.user, password: options.password ?? '' } };
  const registry = new SchemaRegistry({ host: options.registryUrl, ...auth });
  const kafka = new Kafka({ clientId: options.clientId ?? 'tidedb-client', brokers: [...options.brokers], logLevel: logLevel.WARN });
  const consumer = kafka.consumer({ groupId: options.groupId });
  await consumer.connect();
  await consumer.subscribe({ topic: options.topic, fromBeginning: options.fromBeginning ?? true });
  await consumer.run({
    // Offsets are committed by kafkajs after eachMessage resolves: a handler that throws leaves
    // the message to be delivered again.
    eachMessage: async ({ topic, partition, message }) => {
      const key = message.key === null ? null : ((await registry.decode(message.key)) as Record<string, unknown>);
      const value = message.value === null ? null : ((await registry.decode(message.value)) as TableEvent<Row>['value']);
      await handle({ topic, partition, offset: message.offset, key, value });
    },
  });
  return { stop: () => consumer.disconnect() };
}
