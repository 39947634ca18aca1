// The inventory service's consumer: new pending orders from the orders topic (Avro, decoded
// through the node's schema registry), in a consumer group, each decided before its offset is
// committed (consumeTable commits only after the handler resolves), so a crash redelivers the
// event and deciding it again is harmless (decide-order.ts).
import { Kafka, logLevel } from 'kafkajs';
import type { TideClient } from '@tidedb/client';
import { consumeTable } from '@tidedb/client/kafka';
import type { TableConsumer, TableEvent } from '@tidedb/client/kafka';
import { decideOrder } from './decide-order.js';
import type { Decision } from './decide-order.js';

export interface OrderConsumerOptions {
  readonly client: TideClient;
  readonly brokers: readonly string[];
  // A node's HTTP URL: its schema registry decodes the events.
  readonly registryUrl: string;
  readonly topic: string;
  readonly groupId: string;
  // The account the registry's requests log in as, when the node has a root password.
  readonly user?: string;
  readonly password?: string;
  // Told of every decision, for logs and tests.
  readonly onDecision?: (orderId: number, decision: Decision) => void;
}

interface OrderEventRow {
  readonly id: number;
  readonly status: string;
}

const topicWaitMs = 500;

export async function consumeOrders(options: OrderConsumerOptions): Promise<TableConsumer> {
  await waitForTopic(options.brokers, options.topic);
  const login = options.user === undefined ? {} : { user: options.user, password: options.password ?? '' };
  return consumeTable<OrderEventRow>(
    { brokers: options.brokers, registryUrl: options.registryUrl, topic: options.topic, groupId: options.groupId, fromBeginning: true, clientId: 'store-inventory', ...login },
    async (event) => {
      const orderId = pendingOrderOf(event);
      if (orderId === null) return;
      const decision = await decideOrder(options.client, orderId);
      options.onDecision?.(orderId, decision);
    },
  );
}

// The order an event asks to decide: an order row that is (or was, when the event was made)
// pending. Its own later updates (confirmed, rejected) and deletes ask nothing.
export function pendingOrderOf(event: TableEvent<OrderEventRow>): number | null {
  const after = event.value?.after ?? null;
  if (after === null || after.status !== 'pending') return null;
  return after.id;
}

// The node creates the topic with its first orders event. Subscribing before would let the
// broker auto-create it with its own defaults instead of the node's, so wait for it.
async function waitForTopic(brokers: readonly string[], topic: string): Promise<void> {
  const admin = new Kafka({ clientId: 'store-inventory-admin', brokers: [...brokers], logLevel: logLevel.WARN }).admin();
  await admin.connect();
  try {
    while (!(await admin.listTopics()).includes(topic)) await new Promise((resolve) => setTimeout(resolve, topicWaitMs));
  } finally {
    await admin.disconnect();
  }
}
