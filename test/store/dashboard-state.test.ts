// The dashboard's figures kept from change events, fed here by hand: a snapshot, whole
// transactions (nothing shows until a transaction's last change), status changes, cascades and
// truncates; and a seeded random history whose incremental figures must equal the same
// figures computed from scratch over the rows it left (SEED=… replays one).
import { describe, expect, it } from 'vitest';
import type { ChangeEvent, StreamEvent } from '@tidedb/client';
import { DashboardState, dashboardDefaults } from '../../services/store/dashboard/dashboard-state.js';
import type { DashboardView } from '../../services/store/dashboard/dashboard-state.js';
import { centsOf, formatCents } from '../../services/store/dashboard/money.js';
import { seededRandom } from '../support/seeded-random.js';

type Table = 'products' | 'orders' | 'order_items';
type Row = Record<string, unknown>;
interface RowChange {
  readonly table: Table;
  readonly op: 'c' | 'u' | 'd' | 't';
  readonly before?: Row;
  readonly after?: Row;
}

const now = Date.parse('2026-11-26T10:00:30Z');

function keyOf(table: Table, row: Row): Row {
  return table === 'order_items' ? { order_id: row['order_id'], product_id: row['product_id'] } : { id: row['id'] };
}

// Events as a stream delivers them: each transaction's changes with their place in it.
class Events {
  private index = 1000;

  snapshot(rows: readonly [Table, Row][]): StreamEvent[] {
    const lsn = String(this.index);
    const events: StreamEvent[] = rows.map(([table, row]) => change(table, 'r', lsn, null, row, null));
    return [...events, { type: 'snapshot_end', lsn }];
  }

  transaction(changes: readonly RowChange[]): ChangeEvent[] {
    this.index += 1;
    const id = String(this.index);
    return changes.map((rowChange, at) => {
      const place = { id, order: at + 1, total: changes.length };
      return change(rowChange.table, rowChange.op, `${id}${String(at).padStart(3, '0')}`, rowChange.before ?? null, rowChange.after ?? null, place);
    });
  }
}

function change(table: Table, op: ChangeEvent['op'], lsn: string, before: Row | null, after: Row | null, transaction: ChangeEvent['transaction']): ChangeEvent {
  const row = after ?? before;
  return { type: 'change', lsn, database: 'app', table, schema_version: 1, op, key: row === null ? null : keyOf(table, row), before, after, ts_ms: 0, transaction };
}

function product(id: number, stock: number, name = `product ${id}`): Row {
  return { id, name, description: 'd', price: '9.99', stock };
}
function order(id: number, status: string, placedAt = '2026-11-26 10:00:05', total = '0.00'): Row {
  return { id, user_id: 7, status, total, placed_at: placedAt, decided_at: null };
}
function item(orderId: number, productId: number, qty: number, price: string): Row {
  return { order_id: orderId, product_id: productId, qty, price };
}

function feed(state: DashboardState, events: readonly StreamEvent[]): void {
  for (const event of events) state.apply(event);
}

function revenueOf(view: DashboardView): Record<string, string> {
  return Object.fromEntries(view.revenue.byProduct.map((entry) => [entry.productId, entry.revenue]));
}

describe('money', () => {
  it('reads DECIMAL text as exact cents and writes it back', () => {
    expect([centsOf('12.50'), centsOf('0.10'), centsOf('7'), centsOf('3.5'), centsOf('-2.05')]).toEqual([1250, 10, 700, 350, -205]);
    expect([formatCents(1250), formatCents(10), formatCents(0), formatCents(-205)]).toEqual(['12.50', '0.10', '0.00', '-2.05']);
    expect(() => centsOf('1.234')).toThrow(TypeError);
    expect(() => centsOf(null)).toThrow(TypeError);
  });
});

describe('the dashboard state', () => {
  it('starts from the snapshot at its lsn, counting only confirmed orders as revenue', () => {
    const state = new DashboardState();
    expect(state.view(now).lsn).toBeNull();
    feed(state, new Events().snapshot([
      ['products', product(1, 50, 'lamp')], ['products', product(2, 3, 'mug')],
      ['orders', order(10, 'confirmed')], ['order_items', item(10, 1, 2, '12.50')], ['order_items', item(10, 2, 1, '0.10')],
      ['order_items', item(11, 1, 5, '12.50')], ['orders', order(11, 'pending')], // an item may come before its order
      ['orders', order(12, 'rejected')], ['order_items', item(12, 2, 9, '1.00')],
    ]));
    const view = state.view(now);
    expect(view.lsn).toBe('1000');
    expect(view.revenue).toEqual({ total: '25.10', byProduct: [{ productId: 1, name: 'lamp', revenue: '25.00' }, { productId: 2, name: 'mug', revenue: '0.10' }] });
    expect(view.ordersByStatus).toEqual({ confirmed: 1, pending: 1, rejected: 1 });
    expect(view.latestOrders.map((entry) => [entry.id, entry.status, entry.items])).toEqual([[12, 'rejected', 1], [11, 'pending', 1], [10, 'confirmed', 2]]);
    expect(view.lowStock).toEqual({ below: 10, count: 1, products: [{ productId: 2, name: 'mug', stock: 3 }] });
  });

  it('shows a transaction only once its last change has arrived, at that change lsn', () => {
    const events = new Events();
    const state = new DashboardState();
    feed(state, events.snapshot([['products', product(1, 50)]]));
    const placed = events.transaction([
      { table: 'orders', op: 'c', after: order(20, 'confirmed') },
      { table: 'order_items', op: 'c', after: item(20, 1, 3, '2.00') },
      { table: 'products', op: 'u', before: product(1, 50), after: product(1, 47) },
    ]);
    expect(state.apply(placed[0]!)).toBe(false);
    expect(state.apply(placed[1]!)).toBe(false);
    expect(state.view(now)).toMatchObject({ lsn: '1000', revenue: { total: '0.00' }, latestOrders: [] });
    // A progress event in the middle of a transaction must not claim its lsn either.
    expect(state.apply({ type: 'progress', lsn: placed[1]!.lsn })).toBe(false);
    expect(state.apply(placed[2]!)).toBe(true);
    expect(state.view(now)).toMatchObject({ lsn: placed[2]!.lsn, revenue: { total: '6.00' }, latestOrders: [{ id: 20, items: 1 }] });
    expect(state.apply({ type: 'progress', lsn: '99999999' })).toBe(true);
    expect(state.view(now).lsn).toBe('99999999');
  });

  it('moves an order in and out of revenue with its status, and drops it with a cascaded delete', () => {
    const events = new Events();
    const state = new DashboardState();
    feed(state, events.snapshot([['products', product(1, 50)], ['products', product(2, 50)]]));
    feed(state, events.transaction([
      { table: 'orders', op: 'c', after: order(1, 'pending') },
      { table: 'order_items', op: 'c', after: item(1, 1, 2, '10.00') },
      { table: 'order_items', op: 'c', after: item(1, 2, 1, '5.00') },
    ]));
    expect(state.view(now).revenue.total).toBe('0.00');
    feed(state, events.transaction([{ table: 'orders', op: 'u', before: order(1, 'pending'), after: order(1, 'confirmed') }]));
    expect(revenueOf(state.view(now))).toEqual({ 1: '20.00', 2: '5.00' });
    feed(state, events.transaction([{ table: 'order_items', op: 'u', before: item(1, 2, 1, '5.00'), after: item(1, 2, 3, '5.00') }]));
    expect(revenueOf(state.view(now))).toEqual({ 1: '20.00', 2: '15.00' });
    feed(state, events.transaction([{ table: 'orders', op: 'u', before: order(1, 'confirmed'), after: order(1, 'rejected') }]));
    expect(state.view(now).revenue).toEqual({ total: '0.00', byProduct: [] });
    feed(state, events.transaction([{ table: 'orders', op: 'u', before: order(1, 'rejected'), after: order(1, 'confirmed') }]));
    // ON DELETE CASCADE: the order's delete comes first, then its items'.
    feed(state, events.transaction([
      { table: 'orders', op: 'd', before: order(1, 'confirmed') },
      { table: 'order_items', op: 'd', before: item(1, 1, 2, '10.00') },
      { table: 'order_items', op: 'd', before: item(1, 2, 3, '5.00') },
    ]));
    const view = state.view(now);
    expect(view.revenue).toEqual({ total: '0.00', byProduct: [] });
    expect(view.ordersByStatus).toEqual({});
    expect(view.latestOrders).toEqual([]);
    expect(view.ordersPerMinute.reduce((sum, minute) => sum + minute.orders, 0)).toBe(0);
  });

  it('moves a row whose primary key an update changed', () => {
    const events = new Events();
    const state = new DashboardState();
    feed(state, events.snapshot([['products', product(1, 50)], ['products', product(2, 50)], ['orders', order(1, 'confirmed')], ['order_items', item(1, 1, 2, '10.00')]]));
    feed(state, events.transaction([{ table: 'order_items', op: 'u', before: item(1, 1, 2, '10.00'), after: item(1, 2, 2, '10.00') }]));
    expect(revenueOf(state.view(now))).toEqual({ 2: '20.00' });
    feed(state, events.transaction([{ table: 'orders', op: 'u', before: order(1, 'confirmed'), after: order(4, 'confirmed') }]));
    expect(state.view(now).latestOrders.map((entry) => [entry.id, entry.items])).toEqual([[4, 0]]);
    expect(state.view(now).revenue.total).toBe('0.00');
  });

  it('keeps the latest orders newest first, refilled from the rest when one of them is deleted', () => {
    const events = new Events();
    const state = new DashboardState({ ...dashboardDefaults, latestOrdersMax: 3 });
    feed(state, events.snapshot([]));
    for (const id of [5, 1, 9, 7, 3]) feed(state, events.transaction([{ table: 'orders', op: 'c', after: order(id, 'pending') }]));
    expect(state.view(now).latestOrders.map((entry) => entry.id)).toEqual([9, 7, 5]);
    feed(state, events.transaction([{ table: 'orders', op: 'u', before: order(7, 'pending'), after: order(7, 'confirmed') }]));
    expect(state.view(now).latestOrders.map((entry) => [entry.id, entry.status])).toEqual([[9, 'pending'], [7, 'confirmed'], [5, 'pending']]);
    feed(state, events.transaction([{ table: 'orders', op: 'd', before: order(9, 'pending') }]));
    expect(state.view(now).latestOrders.map((entry) => entry.id)).toEqual([7, 5, 3]);
  });

  it('lists a product as low while its stock is below the threshold, lowest first', () => {
    const events = new Events();
    const state = new DashboardState({ ...dashboardDefaults, lowStockBelow: 5, lowStockListMax: 2 });
    feed(state, events.snapshot([['products', product(1, 5)], ['products', product(2, 4)], ['products', product(3, 0)], ['products', product(4, 4)]]));
    expect(state.view(now).lowStock).toEqual({ below: 5, count: 3, products: [{ productId: 3, name: 'product 3', stock: 0 }, { productId: 2, name: 'product 2', stock: 4 }] });
    feed(state, events.transaction([
      { table: 'products', op: 'u', before: product(1, 5), after: product(1, 4) },
      { table: 'products', op: 'u', before: product(3, 0), after: product(3, 100) },
      { table: 'products', op: 'd', before: product(2, 4) },
    ]));
    expect(state.view(now).lowStock.products.map((entry) => entry.productId)).toEqual([1, 4]);
    feed(state, events.transaction([{ table: 'products', op: 't' }]));
    expect(state.view(now).lowStock).toEqual({ below: 5, count: 0, products: [] });
  });

  it('counts orders per minute over the last minutes, ending now or at a later order', () => {
    const events = new Events();
    const state = new DashboardState({ ...dashboardDefaults, minutesShown: 3 });
    feed(state, events.snapshot([
      ['orders', order(1, 'pending', '2026-11-26 09:58:59')], ['orders', order(2, 'pending', '2026-11-26 10:00:00')],
      ['orders', order(3, 'pending', '2026-11-26 10:00:59')], ['orders', order(4, 'pending', '2026-11-26 09:40:00')],
    ]));
    expect(state.view(now).ordersPerMinute).toEqual([{ minute: '2026-11-26 09:58', orders: 1 }, { minute: '2026-11-26 09:59', orders: 0 }, { minute: '2026-11-26 10:00', orders: 2 }]);
    feed(state, events.transaction([{ table: 'orders', op: 'c', after: order(5, 'pending', '2026-11-26 10:01:10') }]));
    expect(state.view(now).ordersPerMinute.map((entry) => entry.minute)).toEqual(['2026-11-26 09:59', '2026-11-26 10:00', '2026-11-26 10:01']);
    // Once that order is gone, the window ends now again.
    feed(state, events.transaction([{ table: 'orders', op: 'd', before: order(5, 'pending', '2026-11-26 10:01:10') }]));
    expect(state.view(now).ordersPerMinute.map((entry) => entry.minute)).toEqual(['2026-11-26 09:58', '2026-11-26 09:59', '2026-11-26 10:00']);
  });

  it('forgets everything on a snapshot restart and takes the new snapshot alone', () => {
    const events = new Events();
    const state = new DashboardState();
    feed(state, [...events.snapshot([['products', product(1, 1)]]).slice(0, 1), { type: 'snapshot_restart' }]);
    feed(state, events.snapshot([['products', product(2, 2)]]));
    expect(state.view(now).lowStock.products.map((entry) => entry.productId)).toEqual([2]);
  });
});

describe('a random history', () => {
  const seed = Number(process.env['SEED'] ?? Date.now() % 1_000_000);

  it(`ends with the figures computed from scratch over its rows (seed ${seed})`, () => {
    const random = seededRandom(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const statuses = ['pending', 'confirmed', 'rejected'];
    const rows = { products: new Map<number, Row>(), orders: new Map<number, Row>(), order_items: new Map<string, Row>() };
    const events = new Events();
    const state = new DashboardState({ ...dashboardDefaults, latestOrdersMax: 5 });
    for (let id = 1; id <= 8; id += 1) rows.products.set(id, product(id, Math.floor(random() * 20)));
    feed(state, events.snapshot([...rows.products.values()].map((row) => ['products', row] as [Table, Row])));
    let nextOrder = 1;
    for (let round = 0; round < 600; round += 1) {
      const changes: RowChange[] = [];
      const roll = random();
      if (roll < 0.4 || rows.orders.size === 0) {
        const id = nextOrder++;
        const created = order(id, pick(statuses), `2026-11-26 09:${String(31 + Math.floor(random() * 29)).padStart(2, '0')}:00`);
        rows.orders.set(id, created);
        changes.push({ table: 'orders', op: 'c', after: created });
        for (const productId of new Set([pick([...rows.products.keys()]), pick([...rows.products.keys()])])) {
          const line = item(id, productId, 1 + Math.floor(random() * 4), `${Math.floor(random() * 50)}.${Math.floor(random() * 100)}`);
          rows.order_items.set(`${id}/${productId}`, line);
          changes.push({ table: 'order_items', op: 'c', after: line });
        }
      } else if (roll < 0.7) {
        const before = pick([...rows.orders.values()]);
        const after = { ...before, status: pick(statuses) };
        rows.orders.set(before['id'] as number, after);
        changes.push({ table: 'orders', op: 'u', before, after });
      } else if (roll < 0.8) {
        const before = pick([...rows.orders.values()]);
        rows.orders.delete(before['id'] as number);
        changes.push({ table: 'orders', op: 'd', before });
        for (const [key, line] of rows.order_items) {
          if (line['order_id'] !== before['id']) continue;
          rows.order_items.delete(key);
          changes.push({ table: 'order_items', op: 'd', before: line });
        }
      } else if (roll < 0.9 && rows.order_items.size > 0) {
        const before = pick([...rows.order_items.values()]);
        const after = { ...before, qty: 1 + Math.floor(random() * 9) };
        rows.order_items.set(`${before['order_id']}/${before['product_id']}`, after);
        changes.push({ table: 'order_items', op: 'u', before, after });
      } else {
        const before = pick([...rows.products.values()]);
        const after = { ...before, stock: Math.floor(random() * 20) };
        rows.products.set(before['id'] as number, after);
        changes.push({ table: 'products', op: 'u', before, after });
      }
      feed(state, events.transaction(changes));
    }

    const view = state.view(now);
    const expectedRevenue = new Map<number, number>();
    for (const line of rows.order_items.values()) {
      if (rows.orders.get(line['order_id'] as number)?.['status'] !== 'confirmed') continue;
      const productId = line['product_id'] as number;
      expectedRevenue.set(productId, (expectedRevenue.get(productId) ?? 0) + (line['qty'] as number) * centsOf(line['price']));
    }
    expect(revenueOf(view)).toEqual(Object.fromEntries([...expectedRevenue].filter(([, cents]) => cents !== 0).map(([id, cents]) => [id, formatCents(cents)])));
    const orders = [...rows.orders.values()];
    const countBy = (field: (row: Row) => string): Record<string, number> => orders.reduce<Record<string, number>>((counts, row) => ({ ...counts, [field(row)]: (counts[field(row)] ?? 0) + 1 }), {});
    expect(view.ordersByStatus).toEqual(countBy((row) => row['status'] as string));
    expect(Object.fromEntries(view.ordersPerMinute.filter((entry) => entry.orders > 0).map((entry) => [entry.minute, entry.orders]))).toEqual(countBy((row) => (row['placed_at'] as string).slice(0, 16)));
    expect(view.latestOrders.map((entry) => [entry.id, entry.status])).toEqual(orders.map((row) => [row['id'], row['status']]).sort((a, b) => (b[0] as number) - (a[0] as number)).slice(0, 5));
    expect(view.lowStock.products.map((entry) => [entry.productId, entry.stock])).toEqual(
      [...rows.products.values()].filter((row) => (row['stock'] as number) < 10).map((row) => [row['id'], row['stock']]).sort((a, b) => (a[1] as number) - (b[1] as number) || (a[0] as number) - (b[0] as number)),
    );
  });
});
