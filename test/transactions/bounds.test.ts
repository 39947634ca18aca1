// Each bound of interactive transactions, reached on a real node over HTTP: an unknown or
// finished handle answers TX_NOT_FOUND; an idle transaction is rolled back after the timeout;
// the node refuses one more than its open limit with TX_LIMIT; a transaction past its size
// bound fails the statement with TX_TOO_LARGE and keeps what it had.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startInProcessNode } from '../http/in-process-node.js';
import type { InProcessNode } from '../http/in-process-node.js';
import { TxClient } from './tx-http.js';

let node: InProcessNode;
let client: TxClient;
const idleMs = 300;

beforeAll(async () => {
  node = await startInProcessNode({ transactions: { openMax: 3, idleMs, changesMax: 5 } });
  client = new TxClient(`http://127.0.0.1:${await node.listen()}`);
  await client.sql('CREATE TABLE b (id INT PRIMARY KEY)');
});
afterAll(async () => node.close());

it('answers TX_NOT_FOUND for a handle never opened, committed or rolled back', async () => {
  const unknown = await client.sql('SELECT 1', '0123456789abcdef0123456789abcdef');
  expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'TX_NOT_FOUND' } } });
  const committed = await client.open();
  await client.commit(committed);
  expect((await client.commit(committed)).body.error?.code).toBe('TX_NOT_FOUND');
  const rolledBack = await client.open();
  await client.rollback(rolledBack);
  expect((await client.sql('SELECT 1', rolledBack)).body.error?.code).toBe('TX_NOT_FOUND');
  expect((await client.post('/v1/tx/not-a-handle/commit')).status).toBe(400);
});

it('rolls back a transaction idle past the timeout', async () => {
  const tx = await client.open();
  await client.rows('INSERT INTO b VALUES (100)', tx);
  // Use keeps it open past the timeout.
  for (let at = 0; at < 3; at++) {
    await new Promise((resolve) => setTimeout(resolve, idleMs / 2));
    await client.rows('SELECT 1', tx);
  }
  await new Promise((resolve) => setTimeout(resolve, idleMs * 2));
  expect((await client.commit(tx)).body.error?.code).toBe('TX_NOT_FOUND');
  expect(await client.rows('SELECT COUNT(*) FROM b WHERE id = 100')).toEqual([[0]]);
  expect(node.transactions.openCount()).toBe(0);
});

it('refuses a transaction past the open limit, and opens one again once one ends', async () => {
  const open = [await client.open(), await client.open(), await client.open()];
  const refused = await client.post('/v1/tx');
  expect(refused).toMatchObject({ status: 503, body: { error: { code: 'TX_LIMIT' } } });
  await client.rollback(open[0]!);
  const again = await client.open();
  for (const tx of [...open.slice(1), again]) await client.rollback(tx);
});

it('fails the statement that takes a transaction past its size, keeping the rest', async () => {
  const tx = await client.open();
  await client.rows('INSERT INTO b VALUES (1), (2), (3)', tx);
  const tooMany = await client.sql('INSERT INTO b VALUES (4), (5), (6)', tx);
  expect(tooMany).toMatchObject({ status: 413, body: { error: { code: 'TX_TOO_LARGE' } } });
  await client.rows('INSERT INTO b VALUES (4), (5)', tx);
  expect((await client.commit(tx)).status).toBe(200);
  expect(await client.rows('SELECT COUNT(*) FROM b')).toEqual([[5]]);
});
