// Deciding one order: reserve its items' stock and confirm it, in ONE atomic batch, or, when the
// products' CHECK (stock >= 0) refuses the reservation, reject it in a second one.
//
// Every statement is conditional on the order still being `pending`, so deciding an order twice
// (a redelivered or duplicated event, two consumers during a rebalance) changes nothing the
// second time: the stock updates find no pending order and touch no row, and the status update
// matches none. The batches run one at a time on the leader, so two concurrent deciders cannot
// both see `pending`. Stock never goes negative: the CHECK fails the whole batch instead.
import { TideClientError } from '@tidedb/client';
import type { Statement, TideClient } from '@tidedb/client';
import { sqlNow } from '../shared/sql-time.js';

export type Decision = 'confirmed' | 'rejected' | 'already_decided';

interface ItemRow extends Record<string, unknown> {
  readonly product_id: number;
  readonly qty: number;
}

const orderVisibleWaitMs = 10_000;
const retryForMs = 20_000;

export async function decideOrder(client: TideClient, orderId: number): Promise<Decision> {
  const deadline = Date.now() + retryForMs;
  let pauseMs = 50;
  for (;;) {
    try {
      return await decideOnce(client, orderId);
    } catch (error) {
      // Deciding again is safe whatever happened to the last attempt (even OUTCOME_UNKNOWN: a
      // batch that did commit makes the next attempt find the order decided).
      if (!retryable(error) || Date.now() >= deadline) throw error;
      await sleep(pauseMs);
      pauseMs = Math.min(pauseMs * 2, 1_000);
    }
  }
}

async function decideOnce(client: TideClient, orderId: number): Promise<Decision> {
  const items = await pendingItems(client, orderId);
  if (items === null) return 'already_decided';
  const decidedAt = sqlNow();
  try {
    const { results } = await client.batch(confirmStatements(orderId, items, decidedAt));
    return results.at(-1)!.rowsAffected === 1 ? 'confirmed' : 'already_decided';
  } catch (error) {
    if (!(error instanceof TideClientError) || error.code !== 'CHECK_VIOLATION') throw error;
  }
  const rejected = await client.query("UPDATE orders SET status = 'rejected', decided_at = ? WHERE id = ? AND status = 'pending'", [decidedAt, orderId]);
  return rejected.rowsAffected === 1 ? 'rejected' : 'already_decided';
}

export function confirmStatements(orderId: number, items: readonly ItemRow[], decidedAt: string): Statement[] {
  const reservations = items.map(
    (item): Statement => ({
      sql: "UPDATE products SET stock = stock - ? WHERE id = ? AND EXISTS (SELECT 1 FROM orders WHERE id = ? AND status = 'pending')",
      params: [item.qty, item.product_id, orderId],
    }),
  );
  // Last, so the reservations above still see the order pending.
  const confirm: Statement = { sql: "UPDATE orders SET status = 'confirmed', decided_at = ? WHERE id = ? AND status = 'pending'", params: [decidedAt, orderId] };
  return [...reservations, confirm];
}

// The order's items while it is pending, or null once it is decided. The event can arrive
// before the node this client reads from has applied the order (events are published from the
// leader): an order not found yet is waited for.
async function pendingItems(client: TideClient, orderId: number): Promise<ItemRow[] | null> {
  const deadline = Date.now() + orderVisibleWaitMs;
  for (;;) {
    const { results } = await client.batch([
      { sql: 'SELECT status FROM orders WHERE id = ?', params: [orderId] },
      { sql: 'SELECT product_id, qty FROM order_items WHERE order_id = ? ORDER BY product_id', params: [orderId] },
    ]);
    const order = results[0]!.rows[0];
    if (order !== undefined) return order['status'] === 'pending' ? (results[1]!.rows as ItemRow[]) : null;
    if (Date.now() >= deadline) throw new Error(`order ${orderId} is not visible ${orderVisibleWaitMs} ms after its event`);
    await sleep(100);
  }
}

function retryable(error: unknown): boolean {
  if (!(error instanceof TideClientError)) return false;
  return error.retriable || error.code === 'OUTCOME_UNKNOWN' || error.code === 'UNREACHABLE';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
