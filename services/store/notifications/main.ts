// The notifications service as a process: `node dist/services/store/notifications/main.js
// --nodes http://127.0.0.1:4001,…`. SIGINT/SIGTERM stop it after its queued writes.
import { parseArgs } from 'node:util';
import { TideClient } from '@tidedb/client';
import { clientFlags, clientOptions, stopSignal } from '../shared/flags.js';
import { runNotifier } from './notifier.js';

const { values } = parseArgs({ options: clientFlags });
const controller = new AbortController();
const running = runNotifier({
  client: new TideClient(clientOptions(values)),
  signal: controller.signal,
  onWritten: (orderIds) => process.stdout.write(`notified orders ${orderIds.join(', ')}\n`),
  onRestart: (error) => process.stdout.write(`the stream ended (${error.code}: ${error.message}); taking it again from a snapshot\n`),
});
process.stdout.write('notifications: following decided orders\n');
const stopped = stopSignal().then(() => controller.abort());
await Promise.race([running, stopped]);
controller.abort();
await running;
