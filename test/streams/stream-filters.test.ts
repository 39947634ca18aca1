// Streams that ask for the same filter share one bound filter object, so that the stream side
// evaluates it once per change for all of them; different texts get their own, and a filter
// is forgotten once no stream holds it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { StreamFilters } from '../../services/http/stream-filters.js';
import type { TableDef } from '../../services/storage/types.js';
import { startInProcessNode } from '../http/in-process-node.js';
import type { InProcessNode } from '../http/in-process-node.js';

let node: InProcessNode;
let table: TableDef;
let other: TableDef;

beforeAll(async () => {
  node = await startInProcessNode();
  expect((await node.sql({ sql: 'CREATE TABLE t (id INT PRIMARY KEY, qty INT)' })).status).toBe(200);
  expect((await node.sql({ sql: 'CREATE TABLE u (id INT PRIMARY KEY)' })).status).toBe(200);
  table = node.store.table('app', 't')!;
  other = node.store.table('app', 'u')!;
});
afterAll(async () => node.close());

it('gives identical requests one filter, others their own, and forgets a filter no stream holds', () => {
  const filters = new StreamFilters(node.store);
  const a = filters.hold({ where: 'qty > ?', params: '[5]' }, [table]);
  const b = filters.hold({ where: 'qty > ?', params: '[5]' }, [table]);
  const c = filters.hold({ where: 'qty > ?', params: '[6]' }, [table]);
  expect(a.filter).not.toBeNull();
  expect(b.filter).toBe(a.filter);
  expect(c.filter).not.toBe(a.filter);
  expect(a.filter!.selects(table, [1, 6n])).toBe(true);
  expect(c.filter!.selects(table, [1, 6n])).toBe(false);
  expect(filters.size).toBe(2);
  a.release();
  a.release(); // twice is once
  expect(filters.size).toBe(2);
  b.release();
  c.release();
  expect(filters.size).toBe(0);
  expect(filters.hold({}, [table]).filter).toBeNull();
});

it('checks a shared filter against each new stream’s tables before sharing it', () => {
  const filters = new StreamFilters(node.store);
  const held = filters.hold({ where: 'qty > 1' }, [table]);
  expect(() => filters.hold({ where: 'qty > 1' }, [other])).toThrow(expect.objectContaining({ code: 'COLUMN_NOT_FOUND' }));
  expect(() => filters.hold({ params: '[1]' }, [table])).toThrow(expect.objectContaining({ code: 'REQUEST_INVALID' }));
  expect(filters.size).toBe(1);
  held.release();
  expect(filters.size).toBe(0);
});
