// What the store's tests check once every order is decided, read in one snapshot: each order's
// status, the stock, and the notifications; with the invariants the issue asks for.
import { expect } from 'vitest';
import type { TideClient } from '@tidedb/client';
import { sleep } from '../system/node-process.js';

export interface StoreOutcome {
  readonly orders: readonly { readonly id: number; readonly status: string }[];
  readonly stock: readonly { readonly id: number; readonly stock: number }[];
  // Per product, the quantity of its confirmed orders' items.
  readonly confirmedQty: ReadonlyMap<number, number>;
  readonly notifications: readonly { readonly order_id: number; readonly kind: string }[];
}

export async function storeOutcome(client: TideClient): Promise<StoreOutcome> {
  const { results } = await client.batch([
    { sql: 'SELECT id, status FROM orders ORDER BY id' },
    { sql: 'SELECT product_id, SUM(i.qty) AS qty FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.status = ? GROUP BY product_id', params: ['confirmed'] },
    { sql: 'SELECT id, stock FROM products ORDER BY id' },
    { sql: 'SELECT order_id, kind FROM notifications ORDER BY order_id' },
  ]);
  return {
    orders: results[0]!.rows as unknown as StoreOutcome['orders'],
    confirmedQty: new Map((results[1]!.rows as { product_id: number; qty: number }[]).map((row) => [row.product_id, Number(row.qty)])),
    stock: results[2]!.rows as unknown as StoreOutcome['stock'],
    notifications: results[3]!.rows as unknown as StoreOutcome['notifications'],
  };
}

// Every order decided (and, with limited stock, both ways), stock never negative and equal to
// the initial stock minus the confirmed quantities, one notification per order, of its status.
export function expectStoreInvariants(outcome: StoreOutcome, initialStock: number): void {
  expect(new Set(outcome.orders.map((order) => order.status))).toEqual(new Set(['confirmed', 'rejected']));
  expect(outcome.stock).toEqual(outcome.stock.map((product) => ({ id: product.id, stock: initialStock - (outcome.confirmedQty.get(product.id) ?? 0) })));
  for (const product of outcome.stock) expect(product.stock).toBeGreaterThanOrEqual(0);
  expect(outcome.notifications).toEqual(outcome.orders.map((order) => ({ order_id: order.id, kind: order.status })));
}

// Polls `check` until it holds; a check that throws (a node down) is asked again.
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // asked again below
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}
