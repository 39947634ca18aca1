// The notifications service: one notification row per decided order, exactly once.
//
// It follows the orders table's change stream filtered on status (`where=`), so only confirmed
// and rejected orders reach it. Exactly once comes from the table, not from the service's memory:
// the notifications key is the order, and rows are written with INSERT IGNORE, so writing one
// again (a retried write, a restart, a stream resumed on another node) is refused by the key and
// changes nothing. Nothing is lost because every start takes a snapshot of the decided orders
// first, and within a run the client resumes the stream after the last change it delivered,
// on another node if its node fails. The snapshot costs one multi-row write per few hundred
// decided orders.
import { TideClientError } from '@tidedb/client';
import type { ChangeEvent, SqlValue, TideClient } from '@tidedb/client';
import { sqlNow } from '../shared/sql-time.js';

export interface DecidedOrder extends Record<string, unknown> {
  readonly id: number;
  readonly user_id: number;
  readonly status: string;
  readonly total: string;
}

export interface NotifierOptions {
  readonly client: TideClient;
  readonly signal: AbortSignal;
  // Told of each write, with the orders it covered (already notified ones included).
  readonly onWritten?: (orderIds: readonly number[]) => void;
  // Told when the stream ended with an error and is taken again from a snapshot.
  readonly onRestart?: (error: TideClientError) => void;
}

const decidedStatuses = ['confirmed', 'rejected'];
const rowsPerWriteMax = 200;
const queuedMax = 5_000;
const writeRetryForMs = 60_000;
const streamRestartPauseMs = 1_000;

export async function runNotifier(options: NotifierOptions): Promise<void> {
  const queue = new WriteQueue(options);
  try {
    while (!options.signal.aborted) {
      try {
        await followDecidedOrders(options, queue);
      } catch (error) {
        // The stream ended for good (e.g. CHANGES_EXPIRED: its position fell out of the
        // changelog's retention while no node could be reached), or a write kept failing:
        // start over from a snapshot, which the key makes harmless to write again.
        if (!(error instanceof TideClientError) || options.signal.aborted) throw error;
        options.onRestart?.(error);
        await new Promise((resolve) => setTimeout(resolve, streamRestartPauseMs));
      }
    }
  } finally {
    await queue.drain();
  }
}

async function followDecidedOrders(options: NotifierOptions, queue: WriteQueue): Promise<void> {
  const filter = { where: 'status IN (?, ?)', params: decidedStatuses };
  for await (const event of options.client.subscribe<DecidedOrder>({ tables: ['orders'], snapshot: true, signal: options.signal, ...filter })) {
    if (event.type !== 'change') continue;
    const order = decidedOrderOf(event);
    if (order !== null) await queue.push(order);
  }
}

// A row the stream says is decided. The status is checked here too: a client that does not
// send `where=` streams every order change, and the pending ones must be passed over.
export function decidedOrderOf(event: ChangeEvent<DecidedOrder>): DecidedOrder | null {
  const after = event.after;
  if (event.op === 'd' || event.op === 't' || after === null) return null;
  return decidedStatuses.includes(after.status) ? after : null;
}

export function notificationMessage(order: DecidedOrder): string {
  return order.status === 'confirmed'
    ? `Your order #${order.id} is confirmed: ${order.total} will be charged.`
    : `Your order #${order.id} was rejected: not enough stock for one of its items. Nothing was charged.`;
}

// Writes queued orders in the background, as many per write as have queued up since the last
// one, so a burst (a snapshot of thousands) costs few writes and a quiet stream costs one per
// order.
class WriteQueue {
  private queued: DecidedOrder[] = [];
  private writing: Promise<void> | null = null;
  private failure: unknown = null;

  constructor(private readonly options: NotifierOptions) {}

  // Throws a failed write's error once: the caller then takes the stream again from a
  // snapshot, which brings the orders of that write back.
  async push(order: DecidedOrder): Promise<void> {
    const failure = this.failure;
    this.failure = null;
    if (failure !== null) throw failure;
    this.queued.push(order);
    this.writing ??= this.writeAll();
    // Backpressure: the stream waits while the writes fall behind.
    if (this.queued.length >= queuedMax) await this.writing;
  }

  async drain(): Promise<void> {
    await this.writing;
    if (this.failure !== null) throw this.failure;
  }

  private async writeAll(): Promise<void> {
    try {
      while (this.queued.length > 0) {
        const orders = this.queued.splice(0, rowsPerWriteMax);
        await insertNotifications(this.options.client, orders);
        this.options.onWritten?.(orders.map((order) => order.id));
      }
    } catch (error) {
      this.failure = error;
    } finally {
      this.writing = null;
    }
  }
}

// INSERT IGNORE: an order already notified is skipped by the key. Since the write is harmless
// to repeat, one whose outcome is unknown (its node failed) is simply sent again.
async function insertNotifications(client: TideClient, orders: readonly DecidedOrder[]): Promise<void> {
  const createdAt = sqlNow();
  const params: SqlValue[] = orders.flatMap((order) => [order.id, order.user_id, order.status, notificationMessage(order), createdAt]);
  const sql = `INSERT IGNORE INTO notifications (order_id, user_id, kind, message, created_at) VALUES ${orders.map(() => '(?, ?, ?, ?, ?)').join(', ')}`;
  const deadline = Date.now() + writeRetryForMs;
  for (;;) {
    try {
      await client.query(sql, params);
      return;
    } catch (error) {
      const again = error instanceof TideClientError && (error.retriable || error.code === 'OUTCOME_UNKNOWN' || error.code === 'UNREACHABLE');
      if (!again || Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
