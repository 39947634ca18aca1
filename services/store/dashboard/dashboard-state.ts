// The dashboard's state, fed the events of one change stream over products, orders and
// order_items that starts with a snapshot: the snapshot's rows, then each transaction applied
// whole. Its figures at `lsn` are those of the database at that lsn — never half of a
// transaction (an order counted without its items), because a transaction's changes wait
// until its last one has arrived.
import type { ChangeEvent, StreamEvent } from '@tidedb/client';
import { formatCents } from './money.js';
import { StoreFigures, minuteOf } from './store-figures.js';
import type { FiguresOptions } from './store-figures.js';
import { isStoreTable, orderItemOf, orderOf, productOf } from './store-rows.js';
import type { StoreTable } from './store-rows.js';

export interface DashboardOptions extends FiguresOptions {
  // How many minutes `ordersPerMinute` covers, ending with the current one.
  readonly minutesShown: number;
  readonly lowStockListMax: number;
}

export const dashboardDefaults: DashboardOptions = { lowStockBelow: 10, latestOrdersMax: 15, minutesShown: 30, lowStockListMax: 20 };

export interface DashboardView {
  // The position the figures reflect: every transaction committed at or before it, and
  // nothing after. Null until the snapshot is in.
  readonly lsn: string | null;
  readonly revenue: {
    readonly total: string;
    // Every product with revenue, largest first.
    readonly byProduct: readonly { readonly productId: number; readonly name: string; readonly revenue: string }[];
  };
  // Oldest minute first; minutes as 'YYYY-MM-DD HH:MM' of placed_at.
  readonly ordersPerMinute: readonly { readonly minute: string; readonly orders: number }[];
  readonly ordersByStatus: Readonly<Record<string, number>>;
  // Newest first.
  readonly latestOrders: readonly { readonly id: number; readonly userId: number; readonly status: string; readonly total: string; readonly placedAt: string; readonly items: number }[];
  readonly lowStock: {
    readonly below: number;
    // How many products are low; `products` lists the lowest lowStockListMax of them.
    readonly count: number;
    readonly products: readonly { readonly productId: number; readonly name: string; readonly stock: number }[];
  };
}

export class DashboardState {
  private figures: StoreFigures;
  // The changes of a transaction whose last change has not arrived yet.
  private pending: ChangeEvent[] = [];
  private lsnValue: string | null = null;

  constructor(readonly options: DashboardOptions = dashboardDefaults) {
    this.figures = new StoreFigures(options);
  }

  get lsn(): string | null {
    return this.lsnValue;
  }

  // Forgets everything: a new stream with a new snapshot follows.
  reset(): void {
    this.figures = new StoreFigures(this.options);
    this.pending = [];
    this.lsnValue = null;
  }

  // Takes one event of the stream; returns whether the view changed (figures or lsn).
  apply(event: StreamEvent): boolean {
    switch (event.type) {
      case 'snapshot_restart':
        this.reset();
        return true;
      case 'change':
        if (event.op === 'r') {
          this.applyChange(event);
          return false;
        }
        this.pending.push(event);
        return event.transaction === null || event.transaction.order === event.transaction.total ? this.applyPending(event.lsn) : false;
      case 'ddl':
        // A schema change may be the last event of a transaction whose row changes came first.
        return event.transaction.order === event.transaction.total ? this.applyPending(event.lsn) : false;
      case 'snapshot_end':
        this.lsnValue = event.lsn;
        return true;
      case 'progress':
        // Everything up to a progress event's lsn has been delivered; with no transaction
        // half-received, the figures are those at that lsn too.
        if (this.pending.length > 0 || this.lsnValue === null || this.lsnValue === event.lsn) return false;
        this.lsnValue = event.lsn;
        return true;
      case 'schema':
        return false;
    }
  }

  view(nowMs: number): DashboardView {
    const figures = this.figures;
    const revenueByProduct = [...figures.revenueCentsByProduct()].sort(([idA, a], [idB, b]) => b - a || idA - idB);
    const lowStock = figures.lowStockProducts().sort((a, b) => a.stock - b.stock || a.id - b.id);
    return {
      lsn: this.lsnValue,
      revenue: {
        total: formatCents(revenueByProduct.reduce((sum, [, cents]) => sum + cents, 0)),
        byProduct: revenueByProduct.map(([productId, cents]) => ({ productId, name: figures.product(productId)?.name ?? `#${productId}`, revenue: formatCents(cents) })),
      },
      ordersPerMinute: this.minutesEndingAt(nowMs).map((minute) => ({ minute, orders: figures.ordersPlacedIn(minute) })),
      ordersByStatus: Object.fromEntries(figures.orderCountsByStatus()),
      latestOrders: figures.latestOrders().map(({ order, itemCount }) => ({ id: order.id, userId: order.userId, status: order.status, total: formatCents(order.totalCents), placedAt: order.placedAt, items: itemCount })),
      lowStock: {
        below: this.options.lowStockBelow,
        count: lowStock.length,
        products: lowStock.slice(0, this.options.lowStockListMax).map((product) => ({ productId: product.id, name: product.name, stock: product.stock })),
      },
    };
  }

  private applyPending(lsn: string): boolean {
    for (const change of this.pending) this.applyChange(change);
    this.pending = [];
    this.lsnValue = lsn;
    return true;
  }

  private applyChange(change: ChangeEvent): void {
    if (!isStoreTable(change.table)) return;
    if (change.op === 't') {
      this.figures.truncate(change.table);
      return;
    }
    // A put replaces the row of the same key in place (an order keeps its place among the
    // latest); a row goes first only when deleted or when an update changed its primary key.
    // `before` names that row, or the key when the stream sends no before-image.
    const replaced = change.before ?? change.key;
    const after = change.after;
    if (replaced !== null && (after === null || !sameKey(change.table, replaced, after))) this.removeRow(change.table, replaced);
    if (after !== null) this.putRow(change.table, after);
  }

  private putRow(table: StoreTable, row: Record<string, unknown>): void {
    if (table === 'products') this.figures.putProduct(productOf(row));
    else if (table === 'orders') this.figures.putOrder(orderOf(row));
    else this.figures.putItem(orderItemOf(row));
  }

  private removeRow(table: StoreTable, row: Record<string, unknown>): void {
    if (table === 'products') this.figures.removeProduct(Number(row['id']));
    else if (table === 'orders') this.figures.removeOrder(Number(row['id']));
    else this.figures.removeItem(Number(row['order_id']), Number(row['product_id']));
  }

  // The minutes shown, ending with the current minute (UTC, as the store writes placed_at) or
  // with the latest order's if that is later, so a clock behind the orders' hides none.
  private minutesEndingAt(nowMs: number): string[] {
    const current = minuteOf(utcDatetime(nowMs));
    const latest = this.figures.latestMinute();
    const end = latest !== null && latest > current ? latest : current;
    const endMs = Date.parse(`${end.replace(' ', 'T')}:00Z`);
    const minutes: string[] = [];
    for (let back = this.options.minutesShown - 1; back >= 0; back -= 1) minutes.push(minuteOf(utcDatetime(endMs - back * 60_000)));
    return minutes;
  }
}

function sameKey(table: StoreTable, a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  if (table === 'order_items') return a['order_id'] === b['order_id'] && a['product_id'] === b['product_id'];
  return a['id'] === b['id'];
}

function utcDatetime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}
