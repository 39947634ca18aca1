// The orders API as a process: `node dist/services/store/orders-api/main.js --port 4301
// --nodes http://127.0.0.1:4001,…`. Prints its URL once listening; SIGINT/SIGTERM close it.
import { parseArgs } from 'node:util';
import { TideClient } from '@tidedb/client';
import { clientFlags, clientOptions, stopSignal } from '../shared/flags.js';
import { ordersApi } from './server.js';

const { values } = parseArgs({ options: { ...clientFlags, port: { type: 'string', default: '4301' }, host: { type: 'string', default: '127.0.0.1' } } });
const app = ordersApi({ client: new TideClient(clientOptions(values)) });
await app.listen({ port: Number(values.port), host: values.host });
process.stdout.write(`orders API: http://${values.host}:${values.port}/v1/products\n`);
await stopSignal();
await app.close();
