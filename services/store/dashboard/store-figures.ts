// The dashboard's figures, kept up to date one row change at a time: each change adjusts the
// sums it touches instead of recomputing them over thousands of orders. It holds the rows the
// figures need (products, orders, order items) so that a change can take back exactly what
// the row it replaces had contributed.
//
// Revenue invariant: revenue[p] = Σ qty·price over the items of product p whose order is
// confirmed *now*. An item's change adds or takes its own share according to its order's
// current status; an order's change takes or adds the shares of all its current items. Either
// may come first within a transaction (and a cascaded delete removes the order before its
// items), and the invariant holds after each step.
import { LatestIds } from './latest-ids.js';
import type { OrderItemRow, OrderRow, ProductRow } from './store-rows.js';

export interface FiguresOptions {
  // A product with less stock than this is listed as low.
  readonly lowStockBelow: number;
  readonly latestOrdersMax: number;
}

export class StoreFigures {
  private readonly products = new Map<number, ProductRow>();
  private readonly orders = new Map<number, OrderRow>();
  private readonly itemsByOrder = new Map<number, Map<number, OrderItemRow>>();
  private readonly revenueByProduct = new Map<number, number>();
  // 'YYYY-MM-DD HH:MM' → orders placed in that minute.
  private readonly ordersByMinute = new Map<string, number>();
  private readonly ordersByStatus = new Map<string, number>();
  private readonly lowStock = new Set<number>();
  private readonly latest: LatestIds;

  constructor(readonly options: FiguresOptions) {
    this.latest = new LatestIds(options.latestOrdersMax);
  }

  putProduct(product: ProductRow): void {
    this.products.set(product.id, product);
    if (product.stock < this.options.lowStockBelow) this.lowStock.add(product.id);
    else this.lowStock.delete(product.id);
  }

  removeProduct(id: number): void {
    this.products.delete(id);
    this.lowStock.delete(id);
  }

  // An update keeps the order's id, so it stays where it is among the latest orders.
  putOrder(order: OrderRow): void {
    const previous = this.orders.get(order.id);
    if (previous !== undefined) this.countOrder(previous, -1);
    this.orders.set(order.id, order);
    this.countOrder(order, 1);
    this.latest.add(order.id);
  }

  removeOrder(id: number): void {
    const order = this.orders.get(id);
    if (order === undefined) return;
    this.countOrder(order, -1);
    this.orders.delete(id);
    this.latest.remove(id, () => this.orders.keys());
  }

  putItem(item: OrderItemRow): void {
    this.removeItem(item.orderId, item.productId);
    let items = this.itemsByOrder.get(item.orderId);
    if (items === undefined) {
      items = new Map();
      this.itemsByOrder.set(item.orderId, items);
    }
    items.set(item.productId, item);
    if (this.orders.get(item.orderId)?.status === 'confirmed') this.countItem(item, 1);
  }

  removeItem(orderId: number, productId: number): void {
    const items = this.itemsByOrder.get(orderId);
    const item = items?.get(productId);
    if (items === undefined || item === undefined) return;
    if (this.orders.get(orderId)?.status === 'confirmed') this.countItem(item, -1);
    items.delete(productId);
    if (items.size === 0) this.itemsByOrder.delete(orderId);
  }

  // TRUNCATE: every row of the table goes, each through the same path as a delete.
  truncate(table: 'products' | 'orders' | 'order_items'): void {
    if (table === 'products') for (const id of [...this.products.keys()]) this.removeProduct(id);
    if (table === 'orders') for (const id of [...this.orders.keys()]) this.removeOrder(id);
    if (table === 'order_items') for (const [orderId, items] of [...this.itemsByOrder]) for (const productId of [...items.keys()]) this.removeItem(orderId, productId);
  }

  // --- reading ---

  product(id: number): ProductRow | undefined {
    return this.products.get(id);
  }

  revenueCentsByProduct(): ReadonlyMap<number, number> {
    return this.revenueByProduct;
  }

  ordersPlacedIn(minute: string): number {
    return this.ordersByMinute.get(minute) ?? 0;
  }

  // The latest minute an order now present was placed in (null with none). Asked per view, not
  // per change; there are at most as many minutes as orders.
  latestMinute(): string | null {
    let latest: string | null = null;
    for (const minute of this.ordersByMinute.keys()) if (latest === null || minute > latest) latest = minute;
    return latest;
  }

  orderCountsByStatus(): ReadonlyMap<string, number> {
    return this.ordersByStatus;
  }

  latestOrders(): { readonly order: OrderRow; readonly itemCount: number }[] {
    return this.latest.ids().map((id) => ({ order: this.orders.get(id)!, itemCount: this.itemsByOrder.get(id)?.size ?? 0 }));
  }

  lowStockProducts(): ProductRow[] {
    return [...this.lowStock].map((id) => this.products.get(id)!);
  }

  private countOrder(order: OrderRow, sign: 1 | -1): void {
    add(this.ordersByMinute, minuteOf(order.placedAt), sign);
    add(this.ordersByStatus, order.status, sign);
    if (order.status !== 'confirmed') return;
    for (const item of this.itemsByOrder.get(order.id)?.values() ?? []) this.countItem(item, sign);
  }

  private countItem(item: OrderItemRow, sign: 1 | -1): void {
    add(this.revenueByProduct, item.productId, sign * item.qty * item.priceCents);
  }
}

export function minuteOf(datetime: string): string {
  return datetime.slice(0, 16);
}

// A count or sum that reaches zero leaves its map, so the maps hold only what is there.
function add<K>(map: Map<K, number>, key: K, delta: number): void {
  const value = (map.get(key) ?? 0) + delta;
  if (value === 0) map.delete(key);
  else map.set(key, value);
}
