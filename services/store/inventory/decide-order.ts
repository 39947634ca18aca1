// Deciding one order: reserve its items' stock and confirm it, in ONE atomic batch, or, when the
// products' CHECK (stock >= 0) refuses the reservation, reject it in a second one.
//
// Every write is conditional on the order still being `pending`, so deciding an order twice
// (a redelivered or duplicated event, two consumers during a rebalance) changes nothing the
// second time: the reservation finds no pending order and touches no row, and the status update
// matches none. The batches run one at a time on the leader, so two concurrent deciders cannot
// both see `pending`. Stock never goes negative: the CHECK fails the whole batch instead.
//
// The reservation takes the quantities from order_items inside the batch (a correlated
// subquery), so a decision is one request, with no read before it. Each batch ends by reading
// the order's status, which tells "decided already" from "not there": a node that has just
// become leader may not have applied the order yet, and an event must not be let go (its offset
// committed) for an order nobody decided.
import { TideClientError } from '@tidedb/client';
import type { Statement, TideClient } from '@tidedb/client';
import { sqlNow } from '../shared/sql-time.js';

export type Decision = 'confirmed' | 'rejected' | 'already_decided';

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
  const decidedAt = sqlNow();
  try {
    const { results } = await client.batch(confirmStatements(orderId, decidedAt));
    return outcome(orderId, 'confirmed', results[1]!.rowsAffected, results[2]!.rows[0]);
  } catch (error) {
    if (!(error instanceof TideClientError) || error.code !== 'CHECK_VIOLATION') throw error;
  }
  const { results } = await client.batch([
    { sql: "UPDATE orders SET status = 'rejected', decided_at = ? WHERE id = ? AND status = 'pending'", params: [decidedAt, orderId] },
    { sql: 'SELECT status FROM orders WHERE id = ?', params: [orderId] },
  ]);
  return outcome(orderId, 'rejected', results[0]!.rowsAffected, results[1]!.rows[0]);
}

export function confirmStatements(orderId: number, decidedAt: string): Statement[] {
  return [
    {
      sql: "UPDATE products SET stock = stock - (SELECT qty FROM order_items WHERE order_id = ? AND product_id = products.id) WHERE id IN (SELECT product_id FROM order_items WHERE order_id = ?) AND EXISTS (SELECT 1 FROM orders WHERE id = ? AND status = 'pending')",
      params: [orderId, orderId, orderId],
    },
    // After the reservation, which must still see the order pending.
    { sql: "UPDATE orders SET status = 'confirmed', decided_at = ? WHERE id = ? AND status = 'pending'", params: [decidedAt, orderId] },
    { sql: 'SELECT status FROM orders WHERE id = ?', params: [orderId] },
  ];
}

function outcome(orderId: number, decision: Decision, rowsAffected: number, order: Record<string, unknown> | undefined): Decision {
  if (rowsAffected === 1) return decision;
  if (order === undefined) throw new OrderNotVisible(orderId);
  return 'already_decided';
}

class OrderNotVisible extends Error {
  constructor(orderId: number) {
    super(`order ${orderId} is not visible on the leader yet`);
  }
}

function retryable(error: unknown): boolean {
  if (error instanceof OrderNotVisible) return true;
  if (!(error instanceof TideClientError)) return false;
  return error.retriable || error.code === 'OUTCOME_UNKNOWN' || error.code === 'UNREACHABLE';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
