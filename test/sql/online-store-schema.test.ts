// The online store's schema and queries, run on TideDB and on MariaDB statement by statement:
// users with unique emails, products whose stock a CHECK keeps from going negative, orders and
// order items with foreign keys (a cascade from orders to their items), a view of low-stock
// products; the store's queries (revenue per product, top customers, a user's orders with their
// items, the view); the refusals an application meets (a duplicate email, negative stock, an
// order for nobody, deleting a user who has orders), and the changes it makes (multi-table
// UPDATE and DELETE among them); and the DDL an application's life brings,
// applied to the populated tables — every statement must give MariaDB's rows or its error
// number, and after each DDL the rows must be what they were.
import { describe, expect, it } from 'vitest';
import { mariadbOptions, mariadbUnreachable } from '../support/mariadb.js';
import { seededRandom } from '../support/seeded-random.js';
import { useTempStores } from '../support/temp-stores.js';
import { outcomeOnMaria, outcomeOnTide, useMariadbDatabase } from './differential-outcomes.js';
import type { Outcome } from './differential-outcomes.js';

const unreachable = await mariadbUnreachable(mariadbOptions, 'online store schema test');

// Known dialect differences in error numbers, MariaDB's → MySQL's (TideDB gives MySQL's):
// a failed CHECK is MariaDB's 4025 (ER_CONSTRAINT_FAILED), MySQL's 3819.
const mysqlErrnoOf: Readonly<Record<number, number>> = { 4025: 3819 };

const schema = [
  'CREATE TABLE users (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(120) NOT NULL UNIQUE, name VARCHAR(80) NOT NULL, created_at DATETIME NOT NULL)',
  'CREATE TABLE products (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(80) NOT NULL, price DECIMAL(10,2) NOT NULL, stock INT NOT NULL, CONSTRAINT stock_never_negative CHECK (stock >= 0))',
  "CREATE TABLE orders (id INT AUTO_INCREMENT PRIMARY KEY, user_id INT NOT NULL, status VARCHAR(16) NOT NULL DEFAULT 'pending', placed_at DATETIME NOT NULL, CONSTRAINT orders_user FOREIGN KEY (user_id) REFERENCES users (id))",
  'CREATE TABLE order_items (order_id INT NOT NULL, product_id INT NOT NULL, qty INT NOT NULL, price DECIMAL(10,2) NOT NULL, PRIMARY KEY (order_id, product_id), CONSTRAINT items_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE, CONSTRAINT items_product FOREIGN KEY (product_id) REFERENCES products (id))',
  'CREATE VIEW low_stock AS SELECT id, name, stock FROM products WHERE stock < 5',
];

// A few dozen users and products, a few hundred orders of one to four items, from one seed.
function seedData(seed: number): string[] {
  const random = seededRandom(seed);
  const int = (low: number, high: number): number => low + Math.floor(random() * (high - low + 1));
  const statements: string[] = [];
  for (let id = 1; id <= 40; id++) statements.push(`INSERT INTO users (email, name, created_at) VALUES ('user${id}@example.com', 'User ${id}', '2026-0${int(1, 9)}-1${int(0, 9)} 10:00:00')`);
  for (let id = 1; id <= 25; id++) statements.push(`INSERT INTO products (name, price, stock) VALUES ('Product ${id}', ${int(1, 500)}.${int(10, 99)}, ${int(0, 40)})`);
  for (let order = 1; order <= 150; order++) {
    statements.push(`INSERT INTO orders (user_id, status, placed_at) VALUES (${int(1, 40)}, '${['pending', 'confirmed', 'rejected'][int(0, 2)]}', '2026-10-${String(int(1, 28)).padStart(2, '0')} ${String(int(0, 23)).padStart(2, '0')}:30:00')`);
    const products = new Set<number>();
    for (let item = int(1, 4); item > 0; item--) products.add(int(1, 25));
    const values = [...products].map((product) => `(${order}, ${product}, ${int(1, 3)}, ${int(1, 500)}.00)`);
    statements.push(`INSERT INTO order_items (order_id, product_id, qty, price) VALUES ${values.join(', ')}`);
  }
  return statements;
}

// The store's queries; run after the data and again after each DDL (with `name` renamed).
function queries(nameColumn: string, itemsTable: string): string[] {
  return [
    `SELECT p.id, p.name, SUM(i.qty * i.price) AS revenue, SUM(i.qty) AS sold FROM products p JOIN ${itemsTable} i ON i.product_id = p.id GROUP BY p.id, p.name ORDER BY revenue DESC, p.id`,
    `SELECT u.id, u.email, COUNT(DISTINCT o.id) AS orders, SUM(i.qty * i.price) AS spent FROM users u JOIN orders o ON o.user_id = u.id JOIN ${itemsTable} i ON i.order_id = o.id WHERE o.status <> 'rejected' GROUP BY u.id, u.email ORDER BY spent DESC, u.id LIMIT 10`,
    `SELECT o.id, o.status, o.placed_at, i.product_id, i.qty, p.name FROM orders o LEFT JOIN ${itemsTable} i ON i.order_id = o.id LEFT JOIN products p ON p.id = i.product_id WHERE o.user_id = 7 ORDER BY o.id, i.product_id`,
    'SELECT id, name, stock FROM low_stock ORDER BY stock, id',
    `SELECT u.${nameColumn}, COUNT(o.id) FROM users u LEFT JOIN orders o ON o.user_id = u.id GROUP BY u.id, u.${nameColumn} HAVING COUNT(o.id) >= 5 ORDER BY COUNT(o.id) DESC, u.id`,
    `SELECT status, COUNT(*), MIN(placed_at), MAX(placed_at) FROM orders GROUP BY status ORDER BY status`,
    'SELECT COUNT(*) FROM users',
    'SELECT COUNT(*) FROM products',
    'SELECT COUNT(*) FROM orders',
    `SELECT COUNT(*), SUM(qty) FROM ${itemsTable}`,
  ];
}

// What an application meets, each refused with MariaDB's error and changing nothing.
const refusals = [
  "INSERT INTO users (email, name, created_at) VALUES ('user3@example.com', 'Again', '2026-11-01 00:00:00')",
  'UPDATE products SET stock = stock - 1000 WHERE id = 4',
  "INSERT INTO orders (user_id, placed_at) VALUES (999, '2026-11-01 00:00:00')",
  'DELETE FROM users WHERE id IN (SELECT user_id FROM orders)',
  'INSERT INTO order_items (order_id, product_id, qty, price) VALUES (1, 999, 1, 1.00)',
  'DELETE FROM products WHERE id = (SELECT product_id FROM order_items ORDER BY order_id, product_id LIMIT 1)',
  'UPDATE products p JOIN order_items i ON i.product_id = p.id SET p.stock = p.stock - 1000, i.qty = i.qty + 1 WHERE i.order_id = 2',
  'DELETE u FROM users u JOIN orders o ON o.user_id = u.id WHERE o.id = 1',
];

// Changes an application makes, which must behave as MariaDB's.
const changes = [
  "UPDATE products SET stock = stock - 1 WHERE stock > 0 AND id IN (SELECT product_id FROM order_items WHERE order_id = 3)",
  'DELETE FROM orders WHERE id = 5',
  "UPDATE orders SET status = 'confirmed' WHERE status = 'pending' AND id % 3 = 0",
  'SELECT COUNT(*) FROM order_items WHERE order_id = 5',
  // The multi-table forms: stock taken for an order's items, a user's pending orders rejected,
  // items of sold-out products dropped, a user's orders deleted with their items (cascade).
  'UPDATE products p JOIN order_items i ON i.product_id = p.id SET p.stock = p.stock - i.qty WHERE i.order_id = 4 AND p.stock >= i.qty',
  "UPDATE orders o JOIN users u ON u.id = o.user_id SET o.status = 'rejected' WHERE u.email = 'user9@example.com' AND o.status = 'pending'",
  'DELETE i FROM order_items i JOIN products p ON p.id = i.product_id WHERE p.stock = 0',
  'DELETE FROM orders USING orders JOIN users ON users.id = orders.user_id WHERE users.id = 11',
  'SELECT o.id, o.status, COUNT(i.product_id) FROM orders o LEFT JOIN order_items i ON i.order_id = o.id GROUP BY o.id, o.status ORDER BY o.id',
];

// The DDL of an application's life, on populated tables; each followed by the queries.
const ddl: readonly { readonly sql: string; readonly nameColumn?: string; readonly itemsTable?: string }[] = [
  { sql: 'ALTER TABLE users ADD COLUMN phone VARCHAR(20) NULL AFTER email' },
  { sql: "ALTER TABLE users ADD COLUMN tier VARCHAR(8) NOT NULL DEFAULT 'basic'" },
  { sql: 'ALTER TABLE products MODIFY name VARCHAR(120) NOT NULL' },
  { sql: 'ALTER TABLE orders ADD INDEX orders_by_status (status)' },
  { sql: 'CREATE INDEX items_by_qty ON order_items (qty, price)' },
  { sql: 'ALTER TABLE products ADD CONSTRAINT price_positive CHECK (price > 0)' },
  { sql: 'ALTER TABLE users RENAME COLUMN name TO full_name', nameColumn: 'full_name' },
  { sql: 'ALTER TABLE users DROP COLUMN phone', nameColumn: 'full_name' },
  { sql: 'CREATE OR REPLACE VIEW low_stock AS SELECT id, name, stock FROM products WHERE stock < 10', nameColumn: 'full_name' },
  { sql: 'DROP INDEX items_by_qty ON order_items', nameColumn: 'full_name' },
  { sql: 'ALTER TABLE products CHANGE COLUMN stock stock BIGINT NOT NULL', nameColumn: 'full_name' },
  { sql: 'ALTER TABLE orders DROP INDEX orders_by_status', nameColumn: 'full_name' },
  { sql: 'CREATE TABLE notes (id INT AUTO_INCREMENT PRIMARY KEY, body TEXT)', nameColumn: 'full_name' },
  { sql: "INSERT INTO notes (body) VALUES ('a'), ('b'), ('c')", nameColumn: 'full_name' },
  { sql: 'TRUNCATE TABLE notes', nameColumn: 'full_name' },
  { sql: "INSERT INTO notes (body) VALUES ('after')", nameColumn: 'full_name' },
  { sql: 'SELECT id, body FROM notes', nameColumn: 'full_name' },
  { sql: 'RENAME TABLE notes TO memos', nameColumn: 'full_name' },
  { sql: 'SELECT id, body FROM memos', nameColumn: 'full_name' },
  { sql: 'DROP TABLE memos', nameColumn: 'full_name' },
];

describe.skipIf(unreachable !== null)('the online store schema, beside MariaDB', () => {
  const maria = useMariadbDatabase('tidedb_online_store');
  const stores = useTempStores('tidedb-online-store-');

  it('gives MariaDB’s rows and refusals for the store’s schema, data, queries and DDL', async () => {
    const store = stores.open();
    const both = async (sql: string): Promise<Outcome> => {
      const expected = await outcomeOnMaria(maria(), sql, mysqlErrnoOf);
      expect(await outcomeOnTide(store, sql), sql).toEqual(expected);
      return expected;
    };
    for (const sql of [...schema, ...seedData(7)]) expect('rows' in (await both(sql)), sql).toBe(true);
    const before = await Promise.all(queries('name', 'order_items').map(async (sql) => both(sql)));
    for (const sql of refusals) expect('errno' in (await both(sql)), sql).toBe(true);
    // Refused statements changed nothing.
    for (const [at, sql] of queries('name', 'order_items').entries()) expect(await both(sql)).toEqual(before[at]);
    for (const sql of changes) await both(sql);
    for (const step of ddl) {
      expect('rows' in (await both(step.sql)), step.sql).toBe(true);
      for (const sql of queries(step.nameColumn ?? 'name', step.itemsTable ?? 'order_items')) await both(sql);
    }
    for (const sql of ['SHOW TABLES', 'SELECT * FROM users ORDER BY id', 'SELECT * FROM products ORDER BY id']) await both(sql);
  });
});
