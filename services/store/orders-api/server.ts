// The orders API: users, products and orders over HTTP, every write one request to TideDB
// (one atomic batch for an order), every answer in TideDB's error shape on failure.
import Fastify from 'fastify';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { TideClientError } from '@tidedb/client';
import type { TideClient } from '@tidedb/client';
import { hashPassword } from '../shared/passwords.js';
import type { ScryptCost } from '../shared/passwords.js';
import { sqlNow } from '../shared/sql-time.js';
import { ApiError } from './api-error.js';
import { placeOrderStatements } from './place-order.js';
import type { OrderLine } from './place-order.js';
import { placeOrderSchema, productSchema, productsSchema, registerSchema, userOrdersSchema } from './schemas.js';
import type { IdParams, PlaceOrderBody, ProductsQuery, RegisterBody } from './schemas.js';

export interface OrdersApiOptions {
  readonly client: TideClient;
  // The cost of a new user's password hash; tests may lower it.
  readonly passwordCost?: ScryptCost;
  readonly logger?: boolean;
}

interface ProductRow extends Record<string, unknown> {
  readonly id: number;
  readonly name: string;
  readonly description: string;
  readonly price: string;
  readonly stock: number;
}

interface OrderRow extends Record<string, unknown> {
  readonly id: number;
  readonly user_id: number;
  readonly status: string;
  readonly total: string;
  readonly placed_at: string;
  readonly decided_at: string | null;
}

interface ItemRow extends Record<string, unknown> {
  readonly order_id: number;
  readonly product_id: number;
  readonly qty: number;
  readonly price: string;
}

const userOrdersMax = 50;

export function ordersApi(options: OrdersApiOptions): FastifyInstance {
  const { client } = options;
  // removeAdditional off: fastify's default would drop unknown fields silently, so a caller who
  // sends a `price` with an item would believe it counted.
  const app = Fastify({ logger: options.logger ?? false, ajv: { customOptions: { removeAdditional: false } } });
  app.setErrorHandler(errorReply);

  app.post<{ Body: RegisterBody }>('/v1/users', { schema: registerSchema }, async (request, reply) => {
    const email = request.body.email.toLowerCase();
    const passwordHash = await hashPassword(request.body.password, options.passwordCost);
    try {
      const result = await client.query('INSERT INTO users (email, name, password_hash, created_at) VALUES (?, ?, ?, ?)', [email, request.body.name, passwordHash, sqlNow()]);
      return reply.code(201).send({ id: result.lastInsertId, email, name: request.body.name });
    } catch (error) {
      // The UNIQUE index on email decides, atomically, even between two concurrent sign-ups.
      if (error instanceof TideClientError && error.code === 'DUPLICATE_KEY') throw new ApiError('EMAIL_TAKEN', `a user with email '${email}' already exists`);
      throw error;
    }
  });

  app.get<{ Querystring: ProductsQuery }>('/v1/products', { schema: productsSchema }, async (request) => {
    const { search, limit } = request.query;
    const columns = 'id, name, description, price, stock';
    const { rows } =
      search === undefined
        ? await client.query<ProductRow>(`SELECT ${columns} FROM products ORDER BY id LIMIT ?`, [limit])
        : await client.query<ProductRow>(`SELECT ${columns} FROM products WHERE name LIKE ? ORDER BY id LIMIT ?`, [`%${escapeLike(search)}%`, limit]);
    return { products: rows };
  });

  app.get<{ Params: IdParams }>('/v1/products/:id', { schema: productSchema }, async (request) => {
    const { rows } = await client.query<ProductRow>('SELECT id, name, description, price, stock FROM products WHERE id = ?', [request.params.id]);
    const product = rows[0];
    if (product === undefined) throw new ApiError('PRODUCT_NOT_FOUND', `no product ${request.params.id}`);
    return product;
  });

  app.post<{ Body: PlaceOrderBody }>('/v1/orders', { schema: placeOrderSchema }, async (request, reply) => {
    const userId = request.body.user_id;
    const lines = request.body.items.map((item): OrderLine => ({ productId: item.product_id, qty: item.qty }));
    const duplicate = lines.find((line, at) => lines.findIndex((other) => other.productId === line.productId) !== at);
    if (duplicate !== undefined) throw new ApiError('REQUEST_INVALID', `product ${duplicate.productId} appears twice in items: give it once with the whole qty`);
    const statements = placeOrderStatements(userId, lines, sqlNow());
    try {
      const { results } = await client.batch(statements);
      const order = results.at(-2)!.rows[0] as OrderRow;
      return await reply.code(201).send({ ...order, items: results.at(-1)!.rows as ItemRow[] });
    } catch (error) {
      throw await orderRefusal(client, error, userId, lines);
    }
  });

  app.get<{ Params: IdParams }>('/v1/users/:id/orders', { schema: userOrdersSchema }, async (request) => {
    const userId = request.params.id;
    const { results } = await client.batch([
      { sql: 'SELECT id FROM users WHERE id = ?', params: [userId] },
      { sql: 'SELECT id, user_id, status, total, placed_at, decided_at FROM orders WHERE user_id = ? ORDER BY id DESC LIMIT ?', params: [userId, userOrdersMax] },
      { sql: 'SELECT i.order_id, i.product_id, i.qty, i.price FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.user_id = ?', params: [userId] },
    ]);
    if (results[0]!.rows.length === 0) throw new ApiError('USER_NOT_FOUND', `no user ${userId}`);
    const items = results[2]!.rows as ItemRow[];
    return { orders: (results[1]!.rows as OrderRow[]).map((order) => ({ ...order, items: items.filter((item) => item.order_id === order.id) })) };
  });

  return app;
}

// What a failed order batch means for the caller. The batch's statement_index says which
// statement failed: the order row (0: a missing product's price made its total NULL, or the
// user's foreign key found no user) or an item (1…).
async function orderRefusal(client: TideClient, error: unknown, userId: number, lines: readonly OrderLine[]): Promise<unknown> {
  if (!(error instanceof TideClientError)) return error;
  const at = typeof error.details['statement_index'] === 'number' ? error.details['statement_index'] : -1;
  if (error.code === 'FOREIGN_KEY_PARENT_MISSING' && at === 0) return new ApiError('USER_NOT_FOUND', `no user ${userId}`);
  if (error.code === 'NOT_NULL_VIOLATION' && at === 0) {
    const ids = lines.map((line) => line.productId);
    const { rows } = await client.query<{ id: number }>(`SELECT id FROM products WHERE id IN (${ids.map(() => '?').join(', ')})`, ids);
    const missing = ids.filter((id) => !rows.some((row) => row.id === id));
    return new ApiError('PRODUCT_NOT_FOUND', `no product ${missing.length > 0 ? missing.join(', ') : ids.join(', ')}`);
  }
  const line = lines[at - 1];
  if ((error.code === 'NOT_NULL_VIOLATION' || error.code === 'FOREIGN_KEY_PARENT_MISSING') && line !== undefined) return new ApiError('PRODUCT_NOT_FOUND', `no product ${line.productId}`);
  return error;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

// One shape for every failure: the API's own refusals, fastify's schema validation, and the
// database's errors passed on with their code (OUTCOME_UNKNOWN included: the caller must look
// before placing an order again).
function errorReply(error: FastifyError | Error, _request: unknown, reply: FastifyReply): void {
  if (error instanceof ApiError) {
    void reply.code(error.status).send({ error: { code: error.code, message: error.message } });
  } else if ((error as FastifyError).validation !== undefined) {
    void reply.code(400).send({ error: { code: 'REQUEST_INVALID', message: error.message } });
  } else if (error instanceof TideClientError) {
    void reply.code(error.status ?? 503).send({ error: { code: error.code, message: error.message } });
  } else if ((error as FastifyError).statusCode !== undefined && (error as FastifyError).statusCode! < 500) {
    void reply.code((error as FastifyError).statusCode!).send({ error: { code: 'REQUEST_INVALID', message: error.message } });
  } else {
    void reply.code(500).send({ error: { code: 'INTERNAL', message: error.message } });
  }
}
