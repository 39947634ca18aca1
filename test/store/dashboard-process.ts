// The store's dashboard as its own process (as `npm run store` runs it), and the figures it
// shows computed by SQL instead, for the tests that compare the two.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import type { TideClient } from '../../packages/client/src/index.js';
import type { DashboardView } from '../../services/store/dashboard/dashboard-state.js';
import { signalAndWait } from '../support/child-exit.js';
import { sleep } from '../system/node-process.js';

export const dashboardScript = join(resolve(import.meta.dirname, '../..'), 'dist/services/store/dashboard/main.js');

// The same figures as the dashboard's, computed by SQL on the node.
export async function figuresBySql(client: Pick<TideClient, 'query'>, lowStockBelow: number): Promise<Pick<DashboardView, 'revenue' | 'ordersByStatus' | 'lowStock'> & { ordersPerMinute: Record<string, number>; latestOrders: { id: number; status: string; total: string; items: number }[] }> {
  const revenue = await client.query<{ product_id: number; name: string; revenue: string }>(
    "SELECT i.product_id, p.name, SUM(i.qty * i.price) AS revenue FROM order_items i JOIN orders o ON o.id = i.order_id JOIN products p ON p.id = i.product_id WHERE o.status = 'confirmed' GROUP BY i.product_id, p.name",
  );
  const total = await client.query<{ total: string }>("SELECT SUM(i.qty * i.price) AS total FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.status = 'confirmed'");
  const statuses = await client.query<{ status: string; orders: number }>('SELECT status, COUNT(*) AS orders FROM orders GROUP BY status');
  const minutes = await client.query<{ minute: string; orders: number }>('SELECT SUBSTRING(placed_at, 1, 16) AS minute, COUNT(*) AS orders FROM orders GROUP BY SUBSTRING(placed_at, 1, 16)');
  const latest = await client.query<{ id: number; status: string; total: string; items: number }>(
    'SELECT o.id, o.status, o.total, COUNT(i.product_id) AS items FROM orders o LEFT JOIN order_items i ON i.order_id = o.id GROUP BY o.id, o.status, o.total ORDER BY o.id DESC LIMIT 15',
  );
  const low = await client.query<{ id: number; name: string; stock: number }>('SELECT id, name, stock FROM products WHERE stock < ? ORDER BY stock, id', [lowStockBelow]);
  return {
    revenue: {
      total: total.rows[0]?.total ?? '0.00',
      byProduct: revenue.rows
        .map((row) => ({ productId: row.product_id, name: row.name, revenue: row.revenue }))
        .sort((a, b) => Number(b.revenue) - Number(a.revenue) || a.productId - b.productId),
    },
    ordersByStatus: Object.fromEntries(statuses.rows.map((row) => [row.status, row.orders])),
    ordersPerMinute: Object.fromEntries(minutes.rows.map((row) => [row.minute, row.orders])),
    latestOrders: latest.rows,
    lowStock: { below: lowStockBelow, count: low.rows.length, products: low.rows.slice(0, 20).map((row) => ({ productId: row.id, name: row.name, stock: row.stock })) },
  };
}

// The dashboard as its own process, as `npm run store` runs it.
export class DashboardProcess {
  private output = '';

  private constructor(private readonly child: ChildProcess, readonly url: string) {}

  // `nodeUrls`: comma-separated; `account`: the login, when the nodes require one.
  static async start(nodeUrls: string, account: { user: string; password: string } | null, lowStockBelow: number): Promise<DashboardProcess> {
    const login = account === null ? [] : ['--user', account.user, '--password', account.password];
    const args = ['--port', '0', '--nodes', nodeUrls, ...login, '--low-stock-below', String(lowStockBelow)];
    const child = spawn(process.execPath, [dashboardScript, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error(`the dashboard printed no URL:\n${output}`)), 20_000);
      const keep = (chunk: Buffer): void => {
        output += chunk.toString();
        const printed = /^dashboard: (http:\S+)$/m.exec(output);
        if (printed === null) return;
        clearTimeout(timer);
        resolveUrl(printed[1]!);
      };
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      child.once('exit', (code) => reject(new Error(`the dashboard exited with ${code}:\n${output}`)));
    });
    const started = new DashboardProcess(child, url);
    started.output = output;
    child.stdout.on('data', (chunk: Buffer) => (started.output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (started.output += chunk.toString()));
    return started;
  }

  get printed(): string {
    return this.output;
  }

  async state(): Promise<DashboardView> {
    const response = await fetch(`${this.url}api/state`);
    expect(response.status).toBe(200);
    return (await response.json()) as DashboardView;
  }

  async stateAtLeast(lsn: bigint): Promise<DashboardView> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const state = await this.state();
      if (state.lsn !== null && BigInt(state.lsn) >= lsn) return state;
      if (Date.now() > deadline) throw new Error(`the dashboard stayed at lsn ${state.lsn}, below ${lsn}:\n${this.output}`);
      await sleep(50);
    }
  }

  // Resolves with how the process ended (already ended: as it did).
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return signalAndWait(this.child, 'SIGTERM');
  }
}
