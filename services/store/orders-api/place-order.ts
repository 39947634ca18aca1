// An order and its items as ONE atomic batch (POST /v1/sql with `statements`): the order row,
// then one row per item, all or nothing.
//
// TideDB does not support LAST_INSERT_ID() inside a batch (SQL_UNSUPPORTED), so an item finds
// its order as the newest order of the same user: `(SELECT MAX(id) FROM orders WHERE user_id = ?)`.
// That is the row this batch just inserted because a batch runs alone, in sequence, on the
// leader, and AUTO_INCREMENT ids only grow: nothing can commit a newer order of this user
// between the batch's first statement and its last. The API learns the id from the first
// statement's `last_insert_id`, and the order as stored from the batch's last two statements.
//
// The prices come from the products table inside the same transaction (scalar subqueries), never
// from the caller: the price paid is the product's price at that commit, and the total is the
// sum of those. A missing product makes its price NULL, and so the total: NOT NULL refuses it,
// the whole batch fails and nothing is placed.
//
// Placeholders stay out of SELECT lists that also have a WHERE with placeholders: TideDB numbers
// a query's WHERE placeholders before its select list's, so `SELECT ? … WHERE id = ?` binds
// them crosswise (as `INSERT … SELECT` would).
import type { Statement } from '@tidedb/client';

export interface OrderLine {
  readonly productId: number;
  readonly qty: number;
}

export function placeOrderStatements(userId: number, lines: readonly OrderLine[], placedAt: string): Statement[] {
  // The total as a sum of one scalar subquery per line (see the note on placeholders above: a
  // single SUM(price * CASE id WHEN ? …) would bind its CASE and its WHERE crosswise).
  const total = lines.map(() => '(SELECT price FROM products WHERE id = ?) * ?').join(' + ');
  const order: Statement = {
    sql: `INSERT INTO orders (user_id, status, total, placed_at) VALUES (?, 'pending', ${total}, ?)`,
    params: [userId, ...lines.flatMap((line) => [line.productId, line.qty]), placedAt],
  };
  const items = lines.map(
    (line): Statement => ({
      sql: 'INSERT INTO order_items (order_id, product_id, qty, price) VALUES ((SELECT MAX(id) FROM orders WHERE user_id = ?), ?, ?, (SELECT price FROM products WHERE id = ?))',
      params: [userId, line.productId, line.qty, line.productId],
    }),
  );
  // The order as the transaction fixed it, read inside the same batch: a read afterwards could
  // reach a follower that has not applied the batch yet.
  const newest = '(SELECT MAX(id) FROM orders WHERE user_id = ?)';
  const readBack: Statement[] = [
    { sql: `SELECT id, user_id, status, total, placed_at, decided_at FROM orders WHERE id = ${newest}`, params: [userId] },
    { sql: `SELECT order_id, product_id, qty, price FROM order_items WHERE order_id = ${newest} ORDER BY product_id`, params: [userId] },
  ];
  return [order, ...items, ...readBack];
}
