// The store's live dashboard as a process:
//   node dist/services/store/dashboard/main.js --port 8080 --nodes http://127.0.0.1:4001,http://127.0.0.1:4002
// It prints `dashboard: <url>` once listening (with --port 0, the port the system chose) and
// stops cleanly on SIGTERM or SIGINT.
import { parseArgs } from 'node:util';
import { startDashboard } from './dashboard.js';
import { dashboardDefaults } from './dashboard-state.js';

const commandLine = {
  port: { type: 'string', default: '8080' },
  host: { type: 'string', default: '127.0.0.1' },
  nodes: { type: 'string', default: 'http://127.0.0.1:4001' },
  user: { type: 'string' },
  password: { type: 'string' },
  'low-stock-below': { type: 'string', default: String(dashboardDefaults.lowStockBelow) },
} as const;

const { values } = parseCommandLine();

function parseCommandLine(): ReturnType<typeof parseArgs<{ options: typeof commandLine; strict: true }>> {
  try {
    return parseArgs({ options: commandLine, strict: true });
  } catch (error) {
    // An unknown or malformed option: say which, with the usage, rather than a stack trace.
    return usage((error as Error).message);
  }
}

const port = Number(values.port);
const lowStockBelow = Number(values['low-stock-below']);
if (!Number.isInteger(port) || port < 0 || port > 65_535) usage(`--port must be a port number, not '${values.port}'`);
if (!Number.isInteger(lowStockBelow) || lowStockBelow < 0) usage(`--low-stock-below must be a whole number, not '${values['low-stock-below']}'`);
const nodes = values.nodes.split(',').map((url) => url.trim()).filter((url) => url !== '');
if (nodes.length === 0) usage('--nodes needs at least one node URL');

const dashboard = await startDashboard({
  nodes,
  host: values.host,
  port,
  figures: { ...dashboardDefaults, lowStockBelow },
  ...(values.user === undefined ? {} : { user: values.user }),
  ...(values.password === undefined ? {} : { password: values.password }),
});
console.log(`dashboard: ${dashboard.url}`);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    dashboard.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('dashboard: stopping failed:', error);
        process.exit(1);
      },
    );
  });
}

function usage(problem: string): never {
  console.error(`dashboard: ${problem}\nusage: main.js --port <p> --nodes <url,url,...> [--host <h>] [--user <u> --password <p>] [--low-stock-below <n>]`);
  process.exit(2);
}
