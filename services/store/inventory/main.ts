// The inventory service as a process: `node dist/services/store/inventory/main.js --nodes …
// --brokers 127.0.0.1:9092 [--topic tide.app.orders] [--group store-inventory]`. Several may run
// in one group: Kafka shares the orders topic's partitions among them. SIGINT/SIGTERM leave the
// group cleanly.
import { parseArgs } from 'node:util';
import { TideClient } from '@tidedb/client';
import { clientFlags, clientOptions, splitList, stopSignal } from '../shared/flags.js';
import { consumeOrders } from './order-consumer.js';

const { values } = parseArgs({
  options: {
    ...clientFlags,
    brokers: { type: 'string', default: '127.0.0.1:9092' },
    topic: { type: 'string', default: 'tide.app.orders' },
    group: { type: 'string', default: 'store-inventory' },
  },
});
const options = clientOptions(values);
const consumer = await consumeOrders({
  client: new TideClient(options),
  brokers: splitList(values.brokers),
  registryUrl: await firstAnswering(options.nodes),
  topic: values.topic,
  groupId: values.group,
  ...(options.user === undefined ? {} : { user: options.user, password: options.password ?? '' }),
  onDecision: (orderId, decision) => process.stdout.write(`order ${orderId}: ${decision}\n`),
});
process.stdout.write(`inventory: consuming ${values.topic} in group ${values.group}\n`);
await stopSignal();
await consumer.stop();

// The node whose schema registry decodes the events: the first that answers now. (The registry
// client caches each schema it has fetched, so it asks again only for a new table version.)
async function firstAnswering(nodes: readonly string[]): Promise<string> {
  for (;;) {
    for (const url of nodes) {
      try {
        if ((await fetch(`${url}/v1/status`, { signal: AbortSignal.timeout(2_000) })).ok) return url;
      } catch {
        // down: the next one
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
