// Proves TRUNCATE TABLE is one change that storage applies in slices: the rows and index entries
// are gone, AUTO_INCREMENT starts again at 1 (the hidden row id too), the changelog holds one
// `t` record, a 20,000-row table is emptied without holding the event loop, and in a request
// of several statements it is atomic with the others (through the write path of a whole node).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSliced, TimeSlice } from '../../services/base/time-slice.js';
import { executeSteps } from '../../services/sql/executor.js';
import { OverlayView } from '../../services/sql/overlay-view.js';
import { parseSql } from '../../services/sql/parser.js';
import { planStatement } from '../../services/sql/planner.js';
import { encodeBatch } from '../../services/storage/batch-codec.js';
import { wholeIndex } from '../../services/storage/index-key.js';
import type { Store } from '../../services/storage/store.js';
import { indexesOf } from '../../services/storage/types.js';
import type { BatchChange } from '../../services/storage/types.js';
import { startInProcessNode } from '../http/in-process-node.js';
import type { InProcessNode } from '../http/in-process-node.js';
import { withLoopWatch } from '../support/loop-watch.js';
import { useTempStores } from '../support/temp-stores.js';
import { errorCodeOfSql, runOnStore, runOnStoreAsync, runOnStoreSliced } from './run-on-store.js';

const openStore = useTempStores('tidedb-truncate-').open;

function rowsOf(store: Store, name: string): unknown[][] {
  const table = store.table('app', name)!;
  return [...store.scanRows(table)].map(({ row }) => [...row]);
}

function indexEntryCount(store: Store, name: string): number {
  const table = store.table('app', name)!;
  return indexesOf(table).reduce((sum, index) => sum + [...store.scanIndex(table, index, wholeIndex)].length, 0);
}

describe('TRUNCATE TABLE', () => {
  it('removes every row and index entry, as one change and one changelog record', async () => {
    const store = openStore();
    runOnStore(store, 'CREATE TABLE t (id INT PRIMARY KEY AUTO_INCREMENT, code VARCHAR(10), UNIQUE KEY by_code (code), KEY by_id_desc (id DESC))');
    runOnStore(store, 'CREATE TABLE other (id INT PRIMARY KEY)');
    runOnStore(store, "INSERT INTO t (code) VALUES ('a'), ('b'), ('c')");
    runOnStore(store, 'INSERT INTO other VALUES (1)');
    expect(indexEntryCount(store, 't')).toBe(6);
    const before = store.appliedIndex();
    const { result, changes } = await runOnStoreSliced(store, 'TRUNCATE TABLE t');
    const table = store.table('app', 't')!;
    expect(result.rowsAffected).toBe(0);
    expect(changes).toEqual([{ kind: 'truncate_table', tableId: table.id, schemaVersion: table.version }]);
    expect(rowsOf(store, 't')).toEqual([]);
    expect(indexEntryCount(store, 't')).toBe(0);
    // Other tables keep theirs; the table keeps its definition.
    expect(rowsOf(store, 'other')).toEqual([[1n]]);
    expect(table.version).toBe(1);
    const records = store.readChanges(0n, 100).filter((record) => record.lsn >> 20n === before + 1n);
    expect(records).toEqual([{ lsn: (before + 1n) << 20n, tableId: table.id, schemaVersion: 1, op: 't', before: null, after: null, tsMs: 0 }]);
  });

  it('starts AUTO_INCREMENT and the hidden row id again at 1, as MySQL does', async () => {
    const store = openStore();
    runOnStore(store, 'CREATE TABLE t (id BIGINT PRIMARY KEY AUTO_INCREMENT, v INT)');
    runOnStore(store, 'CREATE TABLE keyless (v INT)');
    runOnStore(store, 'INSERT INTO t (v) VALUES (1), (2), (3)');
    runOnStore(store, 'INSERT INTO keyless VALUES (1), (2)');
    await runOnStoreAsync(store, 'TRUNCATE t');
    await runOnStoreAsync(store, 'TRUNCATE TABLE keyless');
    expect(store.autoIncrementNext(store.table('app', 't')!.id)).toBe(1n);
    const inserted = runOnStore(store, 'INSERT INTO t (v) VALUES (9)').result;
    expect(inserted.lastInsertId).toBe(1n);
    runOnStore(store, 'INSERT INTO keyless VALUES (7)');
    expect(rowsOf(store, 't')).toEqual([[1n, 9n]]);
    expect(rowsOf(store, 'keyless')).toEqual([[7n, 1n]]);
  });

  it('refuses a missing table, a list of tables and an alias, changing nothing', async () => {
    const store = openStore();
    runOnStore(store, 'CREATE TABLE t (id INT PRIMARY KEY)');
    runOnStore(store, 'INSERT INTO t VALUES (1)');
    const applied = store.appliedIndex();
    expect(await errorCodeOfSql(store, 'TRUNCATE TABLE missing')).toBe('TABLE_NOT_FOUND');
    expect(await errorCodeOfSql(store, 'TRUNCATE TABLE t, t')).toBe('SQL_SYNTAX');
    expect(await errorCodeOfSql(store, 'TRUNCATE TABLE t x')).toBe('SQL_SYNTAX');
    expect(store.appliedIndex()).toBe(applied);
    expect(rowsOf(store, 't')).toEqual([[1n]]);
  });

  it('leaves the overlay reading only the rows written after it, index scans included', () => {
    const store = openStore();
    runOnStore(store, 'CREATE TABLE t (id INT PRIMARY KEY, code VARCHAR(10), KEY by_code (code))');
    runOnStore(store, "INSERT INTO t VALUES (1, 'a'), (2, 'b')");
    const view = new OverlayView(store);
    for (const sql of ['TRUNCATE t', "INSERT INTO t VALUES (2, 'z')", "CREATE INDEX by_code_2 ON t (code)"]) {
      const { plan } = planStatement(parseSql(sql)[0]!, view, 'app');
      runSlicedSync(executeSteps(plan, [], view));
    }
    const table = view.table('app', 't')!;
    expect([...view.scanRows(table)].map(({ row }) => [...row])).toEqual([[2n, 'z']]);
    expect(view.getRow(table, [...store.scanRows(store.table('app', 't')!)][0]!.key)).toBeUndefined();
    for (const index of indexesOf(table)) expect([...view.scanIndex(table, index, wholeIndex)]).toHaveLength(1);
  });
});

function runSlicedSync<T>(steps: Generator<void, T, void>): T {
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}

describe('TRUNCATE of a big table', () => {
  const rowCount = 20_000;
  // As in index-build-slicing.test.ts: the apply of 20,000 removals takes far longer than this
  // in one piece; the room above the 10 ms slice is for a machine busy with other work.
  const loopGapMsMax = 250;

  it(`empties ${rowCount} rows and their index entries in slices, never holding the event loop long`, async () => {
    const store = openStore();
    await runOnStoreAsync(store, 'CREATE TABLE t (id BIGINT PRIMARY KEY, code VARCHAR(20), KEY by_code (code))');
    const table = store.table('app', 't')!;
    const rows: BatchChange[] = Array.from({ length: rowCount }, (_, at) => ({ kind: 'row', tableId: table.id, schemaVersion: 1, op: 'c', before: null, after: [BigInt(at), `code-${at}`] }));
    await store.apply([{ index: store.appliedIndex() + 1n, term: 1n, kind: 'batch', data: encodeBatch({ proposedAtMs: 1, changes: rows }) }]);
    expect(indexEntryCount(store, 't')).toBe(rowCount);
    const { value, gapMsMax, turns } = await withLoopWatch(async () => {
      const view = new OverlayView(store);
      const { plan } = planStatement(parseSql('TRUNCATE TABLE t')[0]!, view, 'app');
      await runSliced(executeSteps(plan, [], view), new TimeSlice());
      const applying = store.apply([{ index: store.appliedIndex() + 1n, term: 1n, kind: 'batch', data: encodeBatch({ proposedAtMs: 2, changes: view.changes() }) }]);
      // Always sliced, however small the batch: its work grows with the table.
      expect(applying).toBeInstanceOf(Promise);
      await applying;
    });
    console.info(`TRUNCATE of ${rowCount} rows: longest event loop gap ${gapMsMax.toFixed(1)} ms over ${turns} timer turns`);
    expect(value).toBeUndefined();
    // The loop ran between slices (how many times depends on the machine's speed: a quiet one
    // removes 20,000 rows in a few turns); the gap bound below is what holds it to the limit.
    expect(turns).toBeGreaterThan(1);
    expect(gapMsMax).toBeLessThan(loopGapMsMax);
    expect(rowsOf(store, 't')).toEqual([]);
    expect(indexEntryCount(store, 't')).toBe(0);
  }, 120_000);
});

describe('TRUNCATE in a request of several statements', () => {
  let node: InProcessNode;
  beforeAll(async () => {
    node = await startInProcessNode();
  });
  afterAll(async () => node.close());

  async function rows(): Promise<unknown> {
    const response = await node.sql({ sql: 'SELECT id, v FROM t ORDER BY id' });
    expect(response.status).toBe(200);
    return (response.body['results'] as Record<string, unknown>[])[0]!['rows'];
  }

  it('applies with the statements around it, in order, as one transaction', async () => {
    expect((await node.sql({ sql: 'CREATE TABLE t (id INT PRIMARY KEY AUTO_INCREMENT, v INT)' })).status).toBe(200);
    expect((await node.sql({ sql: 'INSERT INTO t (v) VALUES (1), (2), (3)' })).status).toBe(200);
    const response = await node.sql({ statements: [{ sql: 'INSERT INTO t (v) VALUES (4)' }, { sql: 'TRUNCATE TABLE t' }, { sql: 'INSERT INTO t (v) VALUES (5), (6)' }, { sql: 'UPDATE t SET v = v * 10 WHERE id = 2' }] });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(await rows()).toEqual([
      [1, 5],
      [2, 60],
    ]);
  });

  it('changes nothing when a later statement of the request fails', async () => {
    const response = await node.sql({ statements: [{ sql: 'TRUNCATE TABLE t' }, { sql: 'INSERT INTO t VALUES (1, 1), (1, 2)' }] });
    expect(response.status).toBe(409);
    expect((response.body['error'] as Record<string, unknown>)['code']).toBe('DUPLICATE_KEY');
    expect(await rows()).toEqual([
      [1, 5],
      [2, 60],
    ]);
    // The counter was not reset either: the next id follows the rows kept.
    const inserted = await node.sql({ sql: 'INSERT INTO t (v) VALUES (7)' });
    expect((inserted.body['results'] as Record<string, unknown>[])[0]!['last_insert_id']).toBe(3);
  });
});
