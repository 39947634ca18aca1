// A foreign key's cascade, seen from outside: over HTTP on a real node, a DELETE of a parent row
// whose children go with it (ON DELETE CASCADE) and a key change carried to the children (ON
// UPDATE CASCADE) reach a change stream as row events of the statement's one transaction, and
// a statement refused by a foreign key answers 1451/1452 and emits nothing.
import { describe, expect, it } from 'vitest';
import { useStreamNode } from './stream-client.js';

const { sql, request, stream } = useStreamNode(async (sql) => {
  await sql('CREATE TABLE orders (id INT PRIMARY KEY, customer VARCHAR(20) NOT NULL)');
  await sql('CREATE TABLE order_lines (id INT PRIMARY KEY, order_id INT, sku VARCHAR(10), CONSTRAINT lines_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE ON UPDATE CASCADE)');
  await sql("INSERT INTO orders VALUES (1, 'ann'), (2, 'bob')");
  await sql("INSERT INTO order_lines VALUES (10, 1, 'cup'), (11, 1, 'pot'), (20, 2, 'pan')");
});

describe('a foreign key cascade in a change stream', () => {
  it("delivers the children's deletes and updates as events of the parent statement's transaction", async () => {
    const subscriber = await stream('table=orders&table=order_lines&from=now');
    const deleted = await sql('DELETE FROM orders WHERE id = 1');
    // Rows affected are the statement's own, as MySQL counts them: not the cascaded ones.
    expect((deleted['results'] as Record<string, unknown>[])[0]!['rows_affected']).toBe(1);
    await sql('UPDATE orders SET id = 3 WHERE id = 2');
    await subscriber.waitFor((event) => event.table === 'order_lines' && event.op === 'u');
    const changes = subscriber.events.filter((event) => event.type === 'change');
    expect(changes.map(({ table, op, before, after }) => ({ table, op, before, after }))).toEqual([
      { table: 'orders', op: 'd', before: { id: 1, customer: 'ann' }, after: null },
      { table: 'order_lines', op: 'd', before: { id: 10, order_id: 1, sku: 'cup' }, after: null },
      { table: 'order_lines', op: 'd', before: { id: 11, order_id: 1, sku: 'pot' }, after: null },
      // The parent's new key is a delete and a create; its child is updated in place.
      { table: 'orders', op: 'd', before: { id: 2, customer: 'bob' }, after: null },
      { table: 'orders', op: 'c', before: null, after: { id: 3, customer: 'bob' } },
      { table: 'order_lines', op: 'u', before: { id: 20, order_id: 2, sku: 'pan' }, after: { id: 20, order_id: 3, sku: 'pan' } },
    ]);
    const transactionOf = (at: number): unknown => changes[at]!.transaction;
    const deleteTransaction = String(BigInt(deleted['lsn'] as string) >> 20n);
    expect([0, 1, 2].map(transactionOf)).toEqual([1, 2, 3].map((order) => ({ id: deleteTransaction, order, total: 3 })));
    expect(new Set([3, 4, 5].map((at) => (transactionOf(at) as { id: string }).id)).size).toBe(1);
  });

  it('answers a refused statement with MySQL numbers and emits nothing for it', async () => {
    const subscriber = await stream('table=orders&table=order_lines&from=now');
    const orphan = await request({ sql: "INSERT INTO order_lines VALUES (30, 9, 'lid')" });
    expect([orphan.status, (orphan.body['error'] as Record<string, unknown>)['code'], (orphan.body['error'] as Record<string, unknown>)['mysql_errno']]).toEqual([409, 'FOREIGN_KEY_PARENT_MISSING', 1452]);
    await sql('ALTER TABLE order_lines DROP FOREIGN KEY lines_order');
    await sql('ALTER TABLE order_lines ADD CONSTRAINT lines_order FOREIGN KEY (order_id) REFERENCES orders (id)');
    const referenced = await request({ sql: 'DELETE FROM orders' });
    expect([referenced.status, (referenced.body['error'] as Record<string, unknown>)['mysql_errno']]).toEqual([409, 1451]);
    await sql("INSERT INTO orders VALUES (4, 'cy')");
    await subscriber.waitFor((event) => event.type === 'change' && event.key?.['id'] === 4);
    expect(subscriber.events.filter((event) => event.type === 'change').map(({ table, op }) => [table, op])).toEqual([['orders', 'c']]);
  });
});
