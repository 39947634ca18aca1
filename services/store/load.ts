// `npm run store:load -- --rate 20 --duration 60`: places orders against the orders API at a
// steady rate (random seed users, one to three random seed products each), printing every second
// how many were placed and which errors came back. A rejection for stock is not an error here:
// that is decided later, by the inventory service.
//
// With --nodes, it also follows the orders table's change stream and measures each order from
// the moment it was sent to the moment its decision (confirmed or rejected) arrives on the
// stream — what a dashboard sees — and prints decisions per second and the latency's p50/p99.
import { parseArgs } from 'node:util';
import { TideClient } from '@tidedb/client';
import { DecisionClock } from './load-latency.js';
import { seedDefaults } from './seed.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:4301' },
    rate: { type: 'string', default: '20' },
    duration: { type: 'string', default: '60' },
    users: { type: 'string', default: String(seedDefaults.users) },
    products: { type: 'string', default: String(seedDefaults.products) },
    'in-flight-max': { type: 'string', default: '64' },
    nodes: { type: 'string' },
    // How long to wait, after the last order, for the decisions still to come.
    'settle-seconds': { type: 'string', default: '30' },
  },
});
const ratePerSecond = Number(values.rate);
const durationMs = Number(values.duration) * 1_000;
const users = Number(values.users);
const products = Number(values.products);
const inFlightMax = Number(values['in-flight-max']);
for (const [name, value] of Object.entries({ rate: ratePerSecond, duration: durationMs, users, products, 'in-flight-max': inFlightMax })) {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
}

const randomInt = (max: number): number => 1 + Math.floor(Math.random() * max);
let placed = 0;
let skipped = 0;
let inFlight = 0;
const errors = new Map<string, number>();

function orderBody(): string {
  const lines = new Map<number, number>();
  const count = randomInt(3);
  while (lines.size < Math.min(count, products)) lines.set(randomInt(products), randomInt(3));
  return JSON.stringify({ user_id: randomInt(users), items: [...lines].map(([product_id, qty]) => ({ product_id, qty })) });
}

async function placeOne(): Promise<void> {
  inFlight++;
  try {
    const sentAt = performance.now();
    const response = await fetch(`${values.url}/v1/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: orderBody() });
    if (response.status === 201) {
      placed++;
      clock?.placed(((await response.json()) as { id: number }).id, sentAt);
    } else {
      const body = (await response.json().catch(() => ({}))) as { error?: { code?: string } };
      count(body.error?.code ?? `HTTP ${response.status}`);
    }
  } catch (error) {
    count((error as { cause?: { code?: string } }).cause?.code ?? 'FETCH_FAILED');
  } finally {
    inFlight--;
  }
}

function count(code: string): void {
  errors.set(code, (errors.get(code) ?? 0) + 1);
}

const clock = values.nodes === undefined ? null : new DecisionClock(new TideClient({ nodes: values.nodes.split(',') }));
await clock?.ready;
const startedAt = Date.now();
let sent = 0;
let reportedPlaced = 0;
const report = setInterval(() => {
  const errorText = [...errors].map(([code, n]) => `${code}=${n}`).join(' ') || 'none';
  process.stdout.write(`${Math.round((Date.now() - startedAt) / 1_000)} s: ${placed - reportedPlaced} placed/s, ${placed} placed in all, in flight ${inFlight}, skipped ${skipped}, errors: ${errorText}\n`);
  reportedPlaced = placed;
}, 1_000);

// Paced by the clock, not by answers: a slow API shows as orders in flight (and, past the
// bound, as skipped ones) rather than as a lower rate that hides it.
while (Date.now() - startedAt < durationMs) {
  const due = Math.floor(((Date.now() - startedAt) * ratePerSecond) / 1_000);
  for (; sent < due; sent++) {
    if (inFlight >= inFlightMax) skipped++;
    else void placeOne();
  }
  await new Promise((resolve) => setTimeout(resolve, 10));
}
while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 50));
clearInterval(report);
process.stdout.write(`done: ${placed} orders placed in ${values.duration} s (${(placed / (durationMs / 1_000)).toFixed(1)}/s), ${skipped} skipped, errors: ${[...errors].map(([code, n]) => `${code}=${n}`).join(' ') || 'none'}\n`);
if (clock !== null) {
  await clock.settle(Number(values['settle-seconds']) * 1_000);
  process.stdout.write(`${clock.summary()}\n`);
  await clock.close();
}
