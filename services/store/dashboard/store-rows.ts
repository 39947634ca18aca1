// The rows of the store's tables as the dashboard reads them from change events. Events carry
// rows as untyped JSON; each is checked here once, so the figures never meet a string where
// they add numbers.
import { centsOf } from './money.js';

export interface ProductRow {
  readonly id: number;
  readonly name: string;
  readonly stock: number;
}

export interface OrderRow {
  readonly id: number;
  readonly userId: number;
  readonly status: string;
  readonly totalCents: number;
  // DATETIME as the node sends it, 'YYYY-MM-DD HH:MM:SS'.
  readonly placedAt: string;
}

export interface OrderItemRow {
  readonly orderId: number;
  readonly productId: number;
  readonly qty: number;
  readonly priceCents: number;
}

export type StoreTable = 'products' | 'orders' | 'order_items';

export function isStoreTable(table: string): table is StoreTable {
  return table === 'products' || table === 'orders' || table === 'order_items';
}

export function productOf(row: Record<string, unknown>): ProductRow {
  return { id: integer(row, 'id'), name: text(row, 'name'), stock: integer(row, 'stock') };
}

export function orderOf(row: Record<string, unknown>): OrderRow {
  return { id: integer(row, 'id'), userId: integer(row, 'user_id'), status: text(row, 'status'), totalCents: centsOf(row['total']), placedAt: text(row, 'placed_at') };
}

export function orderItemOf(row: Record<string, unknown>): OrderItemRow {
  return { orderId: integer(row, 'order_id'), productId: integer(row, 'product_id'), qty: integer(row, 'qty'), priceCents: centsOf(row['price']) };
}

function integer(row: Record<string, unknown>, column: string): number {
  const value = row[column];
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new TypeError(`column ${column} is not an integer: ${JSON.stringify(value)}`);
  return value;
}

function text(row: Record<string, unknown>, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw new TypeError(`column ${column} is not text: ${JSON.stringify(value)}`);
  return value;
}
