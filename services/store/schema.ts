// The online store's tables, created through the public client like any application's schema.
// Every service of the store agrees on these names; the database is the node's default (`app`),
// so the orders topic is `<prefix>.app.orders` (tide.app.orders by default).
//
// - users: a unique email; the password is stored only as a salted scrypt hash.
// - products: stock that a CHECK keeps from ever going negative, so a reservation that would
//   oversell fails as a whole and changes nothing.
// - orders: placed `pending`; the inventory service moves each to `confirmed` or `rejected`
//   exactly once (its update is conditional on `pending`, so a redelivered event changes nothing).
// - order_items: the order's lines, with the price paid.
// - notifications: one row per decided order; its key is the order, so a second attempt to
//   notify the same order is refused by the key rather than recorded twice.
export const orderStatuses = ['pending', 'confirmed', 'rejected'] as const;
export type OrderStatus = (typeof orderStatuses)[number];

export const storeSchema: readonly string[] = [
  'CREATE TABLE IF NOT EXISTS users (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(120) NOT NULL UNIQUE, name VARCHAR(80) NOT NULL, password_hash VARCHAR(200) NOT NULL, created_at DATETIME NOT NULL)',
  'CREATE TABLE IF NOT EXISTS products (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(120) NOT NULL, description VARCHAR(400) NOT NULL, price DECIMAL(10,2) NOT NULL, stock INT NOT NULL, CONSTRAINT stock_never_negative CHECK (stock >= 0))',
  "CREATE TABLE IF NOT EXISTS orders (id INT AUTO_INCREMENT PRIMARY KEY, user_id INT NOT NULL, status VARCHAR(16) NOT NULL DEFAULT 'pending', total DECIMAL(12,2) NOT NULL, placed_at DATETIME NOT NULL, decided_at DATETIME NULL, INDEX orders_by_user (user_id), CONSTRAINT orders_user FOREIGN KEY (user_id) REFERENCES users (id))",
  'CREATE TABLE IF NOT EXISTS order_items (order_id INT NOT NULL, product_id INT NOT NULL, qty INT NOT NULL, price DECIMAL(10,2) NOT NULL, PRIMARY KEY (order_id, product_id), CONSTRAINT items_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE, CONSTRAINT items_product FOREIGN KEY (product_id) REFERENCES products (id))',
  'CREATE TABLE IF NOT EXISTS notifications (order_id INT PRIMARY KEY, user_id INT NOT NULL, kind VARCHAR(16) NOT NULL, message VARCHAR(400) NOT NULL, created_at DATETIME NOT NULL)',
];
