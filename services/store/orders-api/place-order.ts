// An order and its items as ONE atomic batch (POST /v1/sql with `statements`): the order row,
// then one row per item, all or nothing. Each item names its order by LAST_INSERT_ID(): within
// a batch it is the id the order's INSERT generated (the items' table generates none). The API
// learns the id from the first statement's `last_insert_id`, and the order as stored from the
// batch's last two statements.
//
// The prices come from the products table inside the same transaction (scalar subqueries), never
// from the caller: the price paid is the product's price at that commit, and the total is the
// sum of those. A missing product makes its price NULL, and so the total: NOT NULL refuses it,
// the whole batch fails and nothing is placed.
import type { Statement } from '@tidedb/client';

export interface OrderLine {
  readonly productId: number;
  readonly qty: number;
}

export function placeOrderStatements(userId: number, lines: readonly OrderLine[], placedAt: string): Statement[] {
  // The total as a sum of one scalar subquery per line.
  const total = lines.map(() => '(SELECT price FROM products WHERE id = ?) * ?').join(' + ');
  const order: Statement = {
    sql: `INSERT INTO orders (user_id, status, total, placed_at) VALUES (?, 'pending', ${total}, ?)`,
    params: [userId, ...lines.flatMap((line) => [line.productId, line.qty]), placedAt],
  };
  const items = lines.map(
    (line): Statement => ({
      sql: 'INSERT INTO order_items (order_id, product_id, qty, price) VALUES (LAST_INSERT_ID(), ?, ?, (SELECT price FROM products WHERE id = ?))',
      params: [line.productId, line.qty, line.productId],
    }),
  );
  // The order as the transaction fixed it, read inside the same batch: a read afterwards could
  // reach a follower that has not applied the batch yet.
  const readBack: Statement[] = [
    { sql: 'SELECT id, user_id, status, total, placed_at, decided_at FROM orders WHERE id = LAST_INSERT_ID()', params: [] },
    { sql: 'SELECT order_id, product_id, qty, price FROM order_items WHERE order_id = LAST_INSERT_ID() ORDER BY product_id', params: [] },
  ];
  return [order, ...items, ...readBack];
}
