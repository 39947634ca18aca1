// The read set a transaction records through its TrackingView: point reads as row keys, scans as
// the key ranges they passed over (all of a range run out, up to the last key of one stopped
// early), index scans as index-key ranges, FOR UPDATE rows as locked; reads answered from the
// transaction's own writes above it are not recorded. Reads a real store's applied state.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseSql } from '../../services/sql/parser.js';
import { OverlayView } from '../../services/sql/overlay-view.js';
import { runToEnd } from '../../services/base/time-slice.js';
import { encodeRowKey, tableEnd, tablePrefix } from '../../services/storage/key-codec.js';
import { indexPrefix } from '../../services/storage/index-key.js';
import { executeStatements } from '../../services/write/execute-statements.js';
import { passedOver, ReadSet, TrackingView } from '../../services/write/read-set.js';
import { startInProcessNode } from '../http/in-process-node.js';
import type { InProcessNode } from '../http/in-process-node.js';

let node: InProcessNode;
beforeAll(async () => {
  node = await startInProcessNode();
  await node.sql({ statements: [{ sql: 'CREATE TABLE r (id INT PRIMARY KEY, v INT, INDEX by_v (v))' }, { sql: 'INSERT INTO r VALUES (1, 10), (2, 20), (3, 30)' }] });
});
afterAll(async () => node.close());

function readsOf(...sqls: string[]): { reads: ReadSet; overlay: OverlayView; tracking: TrackingView } {
  const reads = new ReadSet();
  const tracking = new TrackingView(node.store, reads);
  const overlay = new OverlayView(tracking);
  for (const sql of sqls) {
    tracking.locking = /for update/i.test(sql);
    runToEnd(executeStatements([{ sql, params: [] }], parseSql(sql), overlay, { database: 'app', nowMs: () => 0, principal: undefined }));
  }
  return { reads, overlay, tracking };
}

const table = () => node.store.table('app', 'r')!;
const key = (id: number) => encodeRowKey(table(), [BigInt(id), null]).toString('latin1');

it('records a point read as its row key, and notes the table', () => {
  const { reads } = readsOf('SELECT * FROM r WHERE id = 2');
  expect([...reads.rowKeys]).toEqual([key(2)]);
  expect(reads.rowRanges).toEqual([]);
  expect([...reads.tableIds]).toEqual([table().id]);
});

it('records a full scan as the whole table', () => {
  const { reads } = readsOf('SELECT COUNT(*) FROM r');
  expect(reads.rowRanges).toEqual([{ start: tablePrefix(table().id), end: tableEnd(table().id) }]);
});

it('records a scan stopped by LIMIT up to the last key it passed', () => {
  const { reads } = readsOf('SELECT * FROM r ORDER BY id LIMIT 1');
  expect(reads.rowRanges).toHaveLength(1);
  const range = reads.rowRanges[0]!;
  expect(range.start).toEqual(tablePrefix(table().id));
  expect(Buffer.compare(range.end, Buffer.from(key(1), 'latin1'))).toBe(1);
  expect(Buffer.compare(range.end, Buffer.from(key(2), 'latin1'))).toBe(-1);
});

it('records an index scan as a range of the index', () => {
  const { reads } = readsOf('SELECT id FROM r WHERE v BETWEEN 15 AND 25');
  const prefix = indexPrefix(table().id, table().indexes![0]!.id);
  expect(reads.indexRanges).toHaveLength(1);
  expect(reads.indexRanges[0]!.start.subarray(0, prefix.length)).toEqual(prefix);
});

it('records rows read FOR UPDATE as locked, and reads of its own writes not at all', () => {
  const { reads } = readsOf('SELECT * FROM r WHERE id = 3 FOR UPDATE');
  expect([...reads.lockedRowKeys]).toEqual([key(3)]);
  const own = readsOf('INSERT INTO r VALUES (9, 90)');
  own.reads.rowKeys.clear();
  runToEnd(executeStatements([{ sql: 'SELECT * FROM r WHERE id = 9', params: [] }], parseSql('SELECT * FROM r WHERE id = 9'), own.overlay, { database: 'app', nowMs: () => 0, principal: undefined }));
  expect(own.reads.rowKeys.size).toBe(0);
});

it('records reads past its bound as the whole table, once', () => {
  const reads = new ReadSet(2);
  const tracking = new TrackingView(node.store, reads);
  for (const id of [1, 2, 3, 4]) tracking.getRow(table(), Buffer.from(key(id), 'latin1'));
  expect([...reads.rowKeys]).toEqual([key(1), key(2)]);
  expect(reads.rowRanges).toEqual([{ start: tablePrefix(table().id), end: tableEnd(table().id) }]);
});

it('narrows a reverse scan from its end', () => {
  const range = { start: Buffer.from([1]), end: Buffer.from([9]) };
  expect(passedOver(range, Buffer.from([5]), true)).toEqual({ start: Buffer.from([5]), end: Buffer.from([9]) });
  expect(passedOver(range, Buffer.from([5]), false)).toEqual({ start: Buffer.from([1]), end: Buffer.from([5, 0]) });
  expect(passedOver(range, null, false)).toBe(range);
});
