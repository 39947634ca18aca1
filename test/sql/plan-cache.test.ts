// Proves a kept plan is reused only while it is right: the cache (sql/plan-cache.ts) over a real
// store keeps a statement that read only the catalog and refuses one that read more, and gives it
// up when the catalog's epoch moves; and a node (in process, real LMDB and Raft log) answers a
// repeated SELECT, INSERT, UPDATE or DELETE — in autocommit and in transactions — by the catalog
// as it is after ALTER, DROP and CREATE, even while a DDL waits to apply, and checks each run's
// privileges, whoever's run planned it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OverlayView } from '../../services/sql/overlay-view.js';
import { parseSql } from '../../services/sql/parser.js';
import type { AstNode } from '../../services/sql/parser.js';
import { CatalogReads, keepsPlan, PlanCache } from '../../services/sql/plan-cache.js';
import { planStatement } from '../../services/sql/planner.js';
import { accessPaths } from '../../services/sql/select/access-path.js';
import type { ReadView } from '../../services/sql/read-view.js';
import type { Store } from '../../services/storage/store.js';
import { useTempStores } from '../support/temp-stores.js';
import type { InProcessNode } from '../http/in-process-node.js';
import { TxClient } from '../transactions/tx-http.js';
import { asRoot, sqlAs, startUserNode } from '../users/user-node.js';
import { runOnStore } from './run-on-store.js';

const stores = useTempStores('tidedb-plan-cache-');
let store: Store;

beforeEach(() => {
  store = stores.open();
  runOnStore(store, 'CREATE TABLE t (id INT PRIMARY KEY, v INT)');
});

function astOf(sql: string): AstNode {
  return parseSql(sql)[0]!;
}

// Plans `ast` as the read path does and offers the plan to the cache.
function planAndKeep(cache: PlanCache, ast: AstNode, view: ReadView = store): void {
  const reads = new CatalogReads();
  const planned = planStatement(ast, reads.wrap(view), 'app');
  cache.keep(ast, 'app', store.catalogEpoch(), reads, { ...planned, tables: [] });
}

describe('PlanCache', () => {
  it('keeps a plan that read only the catalog, for the same tree and database', () => {
    const cache = new PlanCache();
    const ast = astOf('SELECT v FROM t WHERE id = ?');
    expect(cache.lookup(ast, 'app', store.catalogEpoch())).toBeUndefined();
    planAndKeep(cache, ast);
    expect(cache.lookup(ast, 'app', store.catalogEpoch())?.paramCount).toBe(1);
    expect(cache.lookup(ast, 'other', store.catalogEpoch())).toBeUndefined();
  });

  it('keeps no plan whose planning read more than the catalog (LAST_INSERT_ID() is bound when planned)', () => {
    const cache = new PlanCache();
    const ast = astOf('SELECT v FROM t WHERE id = LAST_INSERT_ID()');
    const view = new OverlayView(store);
    view.lastInsertId = 7n;
    planAndKeep(cache, ast, view);
    expect(cache.lookup(ast, 'app', store.catalogEpoch())).toBeUndefined();
  });

  it('keeps plans of SELECT and DML statements, never of DDL', () => {
    const kept = ['SELECT 1', 'INSERT INTO t VALUES (1, 2)', 'REPLACE INTO t VALUES (1, 2)', 'UPDATE t SET v = 1', 'DELETE FROM t'];
    const planned = ['CREATE TABLE u (id INT PRIMARY KEY)', 'ALTER TABLE t ADD COLUMN w INT', 'DROP TABLE t', 'CREATE INDEX v_index ON t (v)'];
    expect(kept.filter((sql) => !keepsPlan(astOf(sql)))).toEqual([]);
    expect(planned.filter((sql) => keepsPlan(astOf(sql)))).toEqual([]);
  });

  it('gives a plan up when a DDL applies, not when rows change', () => {
    const cache = new PlanCache();
    const ast = astOf('SELECT v FROM t WHERE id = ?');
    planAndKeep(cache, ast);
    runOnStore(store, 'INSERT INTO t VALUES (1, 10)');
    expect(cache.lookup(ast, 'app', store.catalogEpoch())).toBeDefined();
    const epoch = store.catalogEpoch();
    runOnStore(store, 'ALTER TABLE t ADD COLUMN w INT');
    expect(store.catalogEpoch()).not.toBe(epoch);
    expect(cache.lookup(ast, 'app', store.catalogEpoch())).toBeUndefined();
  });
});

describe('a repeated SELECT on a node', () => {
  let node: InProcessNode;

  beforeEach(async () => {
    node = await startUserNode();
  });

  afterEach(async () => {
    await node.close();
  });

  it('answers by the catalog as each DDL left it', async () => {
    const select = 'SELECT * FROM t ORDER BY 1';
    await asRoot(node, ['CREATE TABLE t (id INT PRIMARY KEY, v INT)', 'INSERT INTO t VALUES (1, 10)']);
    expect(await asRoot(node, [select, select])).toEqual([[[1, 10]], [[1, 10]]]);
    await asRoot(node, ['ALTER TABLE t ADD COLUMN w VARCHAR(8)', "UPDATE t SET w = 'x'"]);
    expect(await asRoot(node, [select])).toEqual([[[1, 10, 'x']]]);
    await asRoot(node, ['DROP TABLE t', 'CREATE TABLE t (name VARCHAR(8) PRIMARY KEY)', "INSERT INTO t VALUES ('b'), ('a')"]);
    expect(await asRoot(node, [select])).toEqual([[['a'], ['b']]]);
    await asRoot(node, ['DROP TABLE t', 'CREATE VIEW t AS SELECT 42 AS answer']);
    expect(await asRoot(node, [select])).toEqual([[[42]]]);
  });

  it('answers a repeated point get or index lookup, read at once by its kept plan, as the full scan answers it', async () => {
    // 20 rows share w = 'many': more than a lookup reads at once, so the general path answers it.
    const rows = Array.from({ length: 40 }, (_, at) => {
      const id = at + 1;
      return `(${id}, ${id % 5}, '${id <= 20 ? 'many' : ['a', 'b', 'c'][id % 3]}', '${['a', 'A', 'b', 'B'][id % 4]}')`;
    });
    await asRoot(node, [
      'CREATE TABLE t (id BIGINT PRIMARY KEY, v INT, w VARCHAR(8), g VARCHAR(8) COLLATE utf8mb4_general_ci, KEY by_w (w), KEY by_g (g), KEY by_vw (v, w))',
      `INSERT INTO t VALUES ${rows.join(', ')}, (9007199254740993, NULL, NULL, NULL)`,
    ]);
    const queries: { sql: string; params: (key: unknown) => unknown[] }[] = [
      { sql: 'SELECT v, id, w FROM t WHERE id = ?', params: (key) => [key] },
      { sql: 'SELECT w, v + 1 FROM t WHERE id = ? LIMIT 1', params: (key) => [key] },
      { sql: "SELECT 'k', ?, w FROM t WHERE ? = id", params: (key) => [key, key] },
      { sql: 'SELECT id, v FROM t WHERE w = ?', params: (key) => [key] },
      { sql: 'SELECT id, g FROM t WHERE g = ?', params: (key) => [key] },
      { sql: 'SELECT id, w FROM t WHERE v = ? AND w = ?', params: (key) => [typeof key === 'number' ? key % 5 : key, 'a'] },
      { sql: 'SELECT id FROM t WHERE w = ? AND v > 1', params: (key) => [key] },
      { sql: 'SELECT id FROM t WHERE w = ? LIMIT 2', params: (key) => [key] },
      { sql: 'SELECT id, w FROM t WHERE w IN (?, ?)', params: (key) => [key, 'b'] },
    ];
    const keys: unknown[] = [1, 2, 3, '1', ' 2', '9007199254740993', 9007199254740992, 1.5, null, 'x', -1, 'a', 'A', 'many', 'c '];
    const answer = async (sql: string, params: unknown[]): Promise<unknown> => {
      const { status, body } = await node.sql({ sql, params });
      if (status !== 200) return { status, code: (body['error'] as { code: string }).code };
      // Without ORDER BY the order is the access path's: compared as sets.
      return ((body['results'] as { rows: unknown[] }[])[0]!.rows).map((row) => JSON.stringify(row)).sort();
    };
    const both = async (sql: string, params: unknown[]): Promise<{ kept: unknown; scanned: unknown }> => {
      // Twice: the first run plans and keeps the plan, the second reads by it.
      await answer(sql, params);
      const kept = await answer(sql, params);
      accessPaths.enabled = false;
      try {
        return { kept, scanned: await answer(sql, params) };
      } finally {
        accessPaths.enabled = true;
      }
    };
    for (const round of [0, 1]) {
      for (const { sql, params } of queries) {
        for (const key of keys) {
          const { kept, scanned } = await both(sql, params(key));
          expect({ round, sql, key, answer: kept }).toEqual({ round, sql, key, answer: scanned });
        }
      }
      // Rows written between runs are read by the kept plan.
      await asRoot(node, ["UPDATE t SET v = 11, w = 'z' WHERE id = 1", 'DELETE FROM t WHERE id = 2', "REPLACE INTO t VALUES (3, 33, 'd', 'D')", "UPDATE t SET w = 'a' WHERE id BETWEEN 5 AND 12"]);
    }
    expect(await answer(queries[0]!.sql, [3])).toEqual(['[33,3,"d"]']);
    expect(await answer(queries[3]!.sql, ['z'])).toEqual(['[1,11]']);
  });

  it("checks each run's privileges on a plan another account's run made", async () => {
    const user = { name: 'u', password: 'u-password-1' };
    await asRoot(node, ['CREATE TABLE t (id INT PRIMARY KEY)', 'CREATE TABLE open (id INT PRIMARY KEY)', "CREATE USER 'u'@'%' IDENTIFIED BY 'u-password-1'", "GRANT SELECT ON app.open TO 'u'@'%'"]);
    const select = 'SELECT id FROM t';
    await asRoot(node, [select, select]);
    const refused = await sqlAs(node, user, select);
    expect(refused.status).toBe(403);
    expect(refused.body.error?.mysql_errno).toBe(1142);
    expect((await sqlAs(node, user, 'SELECT id FROM open')).status).toBe(200);
    await asRoot(node, ["GRANT SELECT ON app.t TO 'u'@'%'"]);
    expect((await sqlAs(node, user, select)).status).toBe(200);
  });
});

describe('a repeated write on a node', () => {
  let node: InProcessNode;

  beforeEach(async () => {
    node = await startUserNode();
    await asRoot(node, ['CREATE TABLE t (id INT PRIMARY KEY, v INT)', 'INSERT INTO t VALUES (1, 10)']);
  });

  afterEach(async () => {
    await node.close();
  });

  const insert = 'INSERT INTO t (id, v) VALUES (?, ?)';
  const update = 'UPDATE t SET v = v + 1 WHERE id = ?';
  const remove = 'DELETE FROM t WHERE id = ?';

  async function write(sql: string, params: unknown[], tx?: string, client?: TxClient): Promise<void> {
    const answer = client === undefined ? await node.sql({ sql, params }) : await client.sql(sql, tx, params);
    if (answer.status !== 200) throw new Error(`${sql}: ${JSON.stringify(answer.body)}`);
  }

  it('writes by the catalog as each DDL left it, in autocommit', async () => {
    await write(insert, [2, 20]);
    await write(update, [1]);
    await write(remove, [2]);
    expect(await asRoot(node, ['SELECT * FROM t ORDER BY id'])).toEqual([[[1, 11]]]);
    // The same statements over a table whose columns sit elsewhere: a plan bound to the old
    // positions would write the key where the value goes.
    await asRoot(node, ['DROP TABLE t', "CREATE TABLE t (v INT, id INT PRIMARY KEY, w VARCHAR(8) DEFAULT 'd')", 'INSERT INTO t (v, id) VALUES (5, 1)']);
    await write(insert, [2, 20]);
    await write(insert, [3, 30]);
    await write(update, [1]);
    await write(remove, [3]);
    expect(await asRoot(node, ['SELECT * FROM t ORDER BY id'])).toEqual([[[6, 1, 'd'], [20, 2, 'd']]]);
  });

  it('writes by the catalog as each DDL left it, in transactions', async () => {
    const client = new TxClient(`http://127.0.0.1:${await node.listen()}`);
    const inTransaction = async (statements: readonly [string, unknown[]][]): Promise<void> => {
      const tx = await client.open('app');
      for (const [sql, params] of statements) await write(sql, params, tx, client);
      expect((await client.commit(tx)).status).toBe(200);
    };
    await inTransaction([[insert, [2, 20]], [update, [1]], [update, [2]], [remove, [2]]]);
    expect(await asRoot(node, ['SELECT * FROM t ORDER BY id'])).toEqual([[[1, 11]]]);
    await asRoot(node, ["ALTER TABLE t ADD COLUMN w VARCHAR(8) DEFAULT 'd'"]);
    await inTransaction([[insert, [2, 20]], [update, [1]]]);
    await asRoot(node, ['DROP TABLE t', 'CREATE TABLE t (v INT, id INT PRIMARY KEY)', 'INSERT INTO t VALUES (5, 1)']);
    await inTransaction([[insert, [2, 20]], [update, [1]], [update, [2]]]);
    expect(await asRoot(node, ['SELECT * FROM t ORDER BY id'])).toEqual([[[6, 1], [21, 2]]]);
  });

  it('plans a write again while a change to the catalog waits to apply', async () => {
    await write(insert, [2, 20]);
    // Sent together: the INSERT executes over the pending ALTER (whose catalog is not yet the
    // applied one its kept plan was made for) or after it applied; either way it writes the
    // new column's default.
    const [altered] = await Promise.all([asRoot(node, ["ALTER TABLE t ADD COLUMN w VARCHAR(8) DEFAULT 'd'"]), write(insert, [3, 30])]);
    expect(altered).toHaveLength(1);
    expect(await asRoot(node, ['SELECT * FROM t ORDER BY id'])).toEqual([[[1, 10, 'd'], [2, 20, 'd'], [3, 30, 'd']]]);
  });

  it('plans a write again while a change to a view it reads waits to apply', async () => {
    const copy = 'INSERT INTO t (id, v) SELECT id + ?, v FROM w';
    await asRoot(node, ['CREATE VIEW w AS SELECT id, v FROM t WHERE id = 1']);
    await write(copy, [100]);
    // Sent together: the INSERT runs after the view's new definition in the log, so it reads it.
    await Promise.all([asRoot(node, ['CREATE OR REPLACE VIEW w AS SELECT id, v * 2 AS v FROM t WHERE id = 1']), write(copy, [200])]);
    expect(await asRoot(node, ['SELECT * FROM t ORDER BY id'])).toEqual([[[1, 10], [101, 10], [201, 20]]]);
  });
});
