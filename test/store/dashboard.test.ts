// The store's dashboard with real parts: a TideDB node process, the store's schema and a few
// hundred orders written by SQL (half before the dashboard starts, half while it runs), the
// dashboard's own process (dist/services/store/dashboard/main.js), and Debian's chromium driven
// by playwright-core. It proves that once /api/state reports an lsn at or past the last write's,
// its figures equal the same aggregates computed by SQL on the node; that the page renders them
// and shows a new order, confirmed by SQL, without a reload; and that SIGTERM stops it cleanly.
// The screenshot goes to a temporary directory (printed), and also to $STORE_SCREENSHOT if set
// (e.g. STORE_SCREENSHOT=docs/store-dashboard.png).
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TideClient } from '../../packages/client/src/index.js';
import type { SqlValue, Statement } from '../../packages/client/src/index.js';
import { storeSchema } from '../../services/store/schema.js';
import { seededRandom } from '../support/seeded-random.js';
import { DashboardProcess, dashboardScript, figuresBySql } from './dashboard-process.js';
import { NodeProcess, freePort, temporaryDir } from '../system/node-process.js';

const repository = resolve(import.meta.dirname, '../..');
const chromiumPath = '/usr/bin/chromium';
const lowStockBelow = 10;
// The node requires a login, so the dashboard's --user/--password are exercised too.
const login = { user: 'root', password: 'dashboard-test-secret' };

const dir = temporaryDir('dashboard');
let node: NodeProcess;
let client: TideClient;
let dashboard: DashboardProcess;
let browser: Browser | null = null;
// The lsn of the latest write: the dashboard's figures are compared once they reach it.
let lastWriteLsn = 0n;

beforeAll(async () => {
  node = new NodeProcess(dir.path, await freePort(), ['--root-password', login.password]);
  await node.start();
  client = new TideClient({ nodes: [node.url], ...login });
  for (const sql of storeSchema) await client.query(sql);
  const shop = new ShopData(seededRandom(10));
  await write(shop.usersAndProducts());
  // Half the orders are in the dashboard's first snapshot, half arrive as changes.
  for (const statements of shop.orders(150)) await write(statements);
  dashboard = await DashboardProcess.start(node.url, login, lowStockBelow);
  for (const statements of shop.orders(150)) await write(statements);
  await write(shop.decisions());
  await write([{ sql: 'DELETE FROM orders WHERE id = ?', params: [7] }]);
  await write([{ sql: 'UPDATE products SET stock = 2 WHERE id = ?', params: [1] }]);
});

afterAll(async () => {
  await browser?.close();
  await dashboard?.stop();
  await node?.stop();
  dir.remove();
});

async function write(statements: readonly Statement[]): Promise<void> {
  const { lsn } = await client.batch(statements);
  if (BigInt(lsn) > lastWriteLsn) lastWriteLsn = BigInt(lsn);
}

describe('the dashboard', () => {
  it('reports, at an lsn at or past the last write, the figures SQL computes', async () => {
    const state = await dashboard.stateAtLeast(lastWriteLsn);
    const sql = await figuresBySql(client, lowStockBelow);
    expect(state.revenue).toEqual(sql.revenue);
    expect(state.ordersByStatus).toEqual(sql.ordersByStatus);
    expect(Object.fromEntries(state.ordersPerMinute.filter((minute) => minute.orders > 0).map((minute) => [minute.minute, minute.orders]))).toEqual(sql.ordersPerMinute);
    expect(state.latestOrders.map(({ id, status, total, items }) => ({ id, status, total, items }))).toEqual(sql.latestOrders);
    expect(state.lowStock).toEqual(sql.lowStock);
    // The figures are not trivially empty: the comparison means something.
    expect(state.revenue.byProduct.length).toBeGreaterThan(10);
    expect(state.lowStock.products.map((product) => product.productId)).toContain(1);
  });

  it('follows the node across its restart and reaches the writes made after it', async () => {
    await node.stop();
    await node.start();
    await write([{ sql: 'UPDATE products SET stock = stock - 1 WHERE id = ?', params: [2] }]);
    await write([{ sql: "UPDATE orders SET status = 'rejected' WHERE id = ?", params: [8] }]);
    const state = await dashboard.stateAtLeast(lastWriteLsn);
    const sql = await figuresBySql(client, lowStockBelow);
    expect(state.revenue).toEqual(sql.revenue);
    expect(state.ordersByStatus).toEqual(sql.ordersByStatus);
    expect(state.lowStock).toEqual(sql.lowStock);
  });

  it('shows nothing with a wrong password, and says why', async () => {
    const refused = await DashboardProcess.start(node.url, { user: login.user, password: 'wrong' }, lowStockBelow);
    try {
      await expect.poll(() => refused.printed, { timeout: 10_000 }).toContain('LOGIN_FAILED');
      expect((await refused.state()).lsn).toBeNull();
    } finally {
      expect(await refused.stop()).toEqual({ code: 0, signal: null });
    }
  });

  it('renders the figures in chromium and shows a new confirmed order without a reload', async () => {
    if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: this test needs Debian's chromium (apt-get install chromium; .ci/run installs it)`);
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
    const page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => (message.type() === 'error' ? pageErrors.push(message.text()) : undefined));
    await page.goto(dashboard.url);

    const before = await figuresBySql(client, lowStockBelow);
    await expect.poll(() => page.locator('#total-revenue').textContent(), { timeout: 15_000 }).toBe(before.revenue.total);
    expect(await page.locator('#lsn').textContent()).toMatch(/^\d+$/);
    expect(await page.locator('#count-confirmed').textContent()).toBe(String(before.ordersByStatus['confirmed']));
    expect(await page.locator('#latest-orders tbody tr').count()).toBe(15);
    expect(await page.locator('#low-stock li').count()).toBe(before.lowStock.products.length);
    const charted = await page.evaluate(() => {
      const chartOf = (id: string): { data: { labels: unknown[]; datasets: { data: number[] }[] } } => (globalThis as unknown as { Chart: { getChart(id: string): never } }).Chart.getChart(id);
      return { products: chartOf('revenue-chart').data.labels, minutes: chartOf('orders-chart').data.datasets[0]!.data };
    });
    expect(charted.products).toEqual(before.revenue.byProduct.slice(0, 12).map((product) => product.name));
    expect(charted.minutes.reduce((sum, count) => sum + count, 0)).toBe(Object.values(before.ordersPerMinute).reduce((sum, count) => sum + count, 0));

    // A mark on the page's window: a reload would lose it.
    await page.evaluate(() => ((globalThis as Record<string, unknown>)['loadedOnce'] = true));
    // The next id after the seeded orders.
    const orderId = 301;
    await write([
      { sql: "INSERT INTO orders (id, user_id, status, total, placed_at) VALUES (?, 1, 'pending', '59.97', ?)", params: [orderId, utcDatetime(Date.now())] },
      { sql: "INSERT INTO order_items (order_id, product_id, qty, price) VALUES (?, 2, 3, '19.99')", params: [orderId] },
    ]);
    const row = page.locator(`#latest-orders tr[data-order-id="${orderId}"]`);
    await row.locator('.order-status', { hasText: 'pending' }).waitFor();
    await write([{ sql: "UPDATE orders SET status = 'confirmed' WHERE id = ?", params: [orderId] }]);
    await row.locator('.order-status', { hasText: 'confirmed' }).waitFor();
    const after = await figuresBySql(client, lowStockBelow);
    await expect.poll(() => page.locator('#total-revenue').textContent(), { timeout: 15_000 }).toBe(after.revenue.total);
    expect(after.revenue.total).not.toBe(before.revenue.total);
    expect(await row.locator('.order-total').textContent()).toBe('59.97');
    expect(await page.evaluate(() => (globalThis as Record<string, unknown>)['loadedOnce'])).toBe(true);
    expect(pageErrors).toEqual([]);

    const screenshot = join(mkdtempSync(join(tmpdir(), 'tidedb-dashboard-shot-')), 'store-dashboard.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`dashboard screenshot: ${screenshot}`);
    const wanted = process.env['STORE_SCREENSHOT'];
    if (wanted !== undefined && wanted !== '') copyFileSync(screenshot, resolve(repository, wanted));
  });

  it('refuses a bad command line with its usage and status 2', async () => {
    const child = spawn(process.execPath, [dashboardScript, '--port', 'eighty'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // 'close', not 'exit': stderr may still hold output when the process exits.
    const code = await new Promise<number | null>((resolveExit) => child.once('close', resolveExit));
    expect(code).toBe(2);
    expect(stderr).toContain("--port must be a port number, not 'eighty'");
    expect(stderr).toContain('usage: main.js --port <p> --nodes <url,url,...>');
  });

  it('serves chart.js from its own server and stops on SIGTERM with status 0', async () => {
    const chart = await fetch(`${dashboard.url}assets/chart.js`);
    expect(chart.status).toBe(200);
    expect(chart.headers.get('content-type')).toMatch(/javascript/);
    expect(await chart.text()).toContain('Chart.js v4');
    expect(await dashboard.stop()).toEqual({ code: 0, signal: null });
  });
});

// A shop with realistic names and a few hundred orders over the last half hour, so that the
// figures (and the screenshot) have something to show.
class ShopData {
  private nextOrder = 1;
  private readonly productCount = 40;
  private readonly prices: number[] = [];
  private readonly confirmed: number[] = [];

  constructor(private readonly random: () => number) {}

  usersAndProducts(): Statement[] {
    const users = Array.from({ length: 25 }, (_, at): SqlValue[] => [at + 1, `shopper${at + 1}@example.com`, `Shopper ${at + 1}`, 'scrypt$seed$not-a-login', '2026-01-01 00:00:00']);
    const kinds = ['Espresso beans', 'Ceramic mug', 'Pour-over kettle', 'Burr grinder', 'Milk frother', 'Tea sampler', 'Travel tumbler', 'Paper filters'];
    const editions = ['Classic', 'Deluxe', 'Mini', 'Studio', 'Nordic'];
    const products = Array.from({ length: this.productCount }, (_, at): SqlValue[] => {
      const price = 4 + Math.floor(this.random() * 9600) / 100;
      this.prices.push(price);
      // Every fifth product runs low, so the low-stock list has entries.
      const stock = at % 5 === 0 ? Math.floor(this.random() * lowStockBelow) : 20 + Math.floor(this.random() * 200);
      return [at + 1, `${kinds[at % kinds.length]} ${editions[Math.floor(at / kinds.length)]}`, 'seed product', price.toFixed(2), stock];
    });
    return [
      { sql: `INSERT INTO users (id, email, name, password_hash, created_at) VALUES ${users.map(() => '(?, ?, ?, ?, ?)').join(', ')}`, params: users.flat() },
      { sql: `INSERT INTO products (id, name, description, price, stock) VALUES ${products.map(() => '(?, ?, ?, ?, ?)').join(', ')}`, params: products.flat() },
    ];
  }

  // `count` orders in batches of 50, placed over the last 27 minutes (more of them lately);
  // most are decided already, the rest pending until decisions().
  *orders(count: number): Generator<Statement[]> {
    for (let done = 0; done < count; done += 50) {
      const orders: SqlValue[][] = [];
      const items: SqlValue[][] = [];
      for (let at = 0; at < Math.min(50, count - done); at += 1) {
        const id = this.nextOrder++;
        const lines = new Map<number, number>();
        for (let line = 1 + Math.floor(this.random() * 3); line > 0; line -= 1) lines.set(1 + Math.floor(this.random() ** 1.6 * this.productCount), 1 + Math.floor(this.random() * 3));
        let totalCents = 0;
        for (const [productId, qty] of lines) {
          const price = this.prices[productId - 1]!;
          totalCents += qty * Math.round(price * 100);
          items.push([id, productId, qty, price.toFixed(2)]);
        }
        const roll = this.random();
        const status = roll < 0.7 ? 'confirmed' : roll < 0.85 ? 'rejected' : 'pending';
        // Up to 27 minutes ago: the test's checks, a few seconds later, still see them all in
        // the dashboard's last 30 minutes.
        const minutesAgo = 27 * this.random() ** 0.7;
        if (status === 'confirmed') this.confirmed.push(id);
        orders.push([id, 1 + (id % 25), status, (totalCents / 100).toFixed(2), utcDatetime(Date.now() - minutesAgo * 60_000)]);
      }
      yield [
        { sql: `INSERT INTO orders (id, user_id, status, total, placed_at) VALUES ${orders.map(() => '(?, ?, ?, ?, ?)').join(', ')}`, params: orders.flat() },
        { sql: `INSERT INTO order_items (order_id, product_id, qty, price) VALUES ${items.map(() => '(?, ?, ?, ?)').join(', ')}`, params: items.flat() },
      ];
    }
  }

  // Some pending orders decided, one confirmed order rejected after all: status changes both
  // into and out of the revenue.
  decisions(): Statement[] {
    return [
      { sql: "UPDATE orders SET status = 'confirmed' WHERE status = 'pending' AND id % 2 = 0" },
      { sql: "UPDATE orders SET status = 'rejected' WHERE id = ?", params: [this.confirmed[0]!] },
    ];
  }
}

function utcDatetime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}
