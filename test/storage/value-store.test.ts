// Proves a table keyed by DECIMAL and DATETIME, holding every new value type, goes through LMDB
// intact: after apply and a reopen, a scan returns the rows in SQL key order (the key encoding at
// work) with values of the same class, scale and fsp, and the changelog holds them the same way.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeBatch } from '../../services/storage/batch-codec.js';
import { Store } from '../../services/storage/store.js';
import type { BatchChange, Row, TableDef } from '../../services/storage/types.js';
import { compareDecimals, parseDecimal } from '../../services/values/decimal.js';
import type { Decimal } from '../../services/values/decimal.js';
import { compareTemporal, parseDate, parseDateTime, parseTime } from '../../services/values/temporal.js';
import type { SqlDateTime } from '../../services/values/temporal.js';
import { columnDef } from '../support/column-def.js';
import { rowChanges } from '../support/row-changes.js';

const column = columnDef;

const ledger: TableDef = {
  id: 1,
  version: 1,
  database: 'app',
  name: 'ledger',
  columns: [column('amount', 'DECIMAL', { precision: 12, scale: 3 }), column('at', 'DATETIME', { fsp: 6 }), column('day', 'DATE', { nullable: true }), column('opens', 'TIME', { fsp: 2, nullable: true }), column('seen', 'TIMESTAMP', { fsp: 0, nullable: true })],
  primaryKey: [0, 1],
};

const amounts = ['-100.500', '-0.001', '0.000', '0.001', '2.500', '10.000', '-99999999.999'];
const moments = ['1969-12-31 23:59:59.999999', '2023-07-04 10:00:00.000000', '0001-01-01 00:00:00.000000'];
const rows: Row[] = amounts.flatMap((amount, at) =>
  moments.map((moment, by) => [parseDecimal(amount), parseDateTime(moment, 6), at % 2 === 0 ? parseDate('2024-02-29') : null, parseTime(`-${at}:${by}0:00.25`, 2), by === 0 ? null : parseDateTime('2038-01-19 03:14:07', 0)]),
);

const dir = mkdtempSync(join(tmpdir(), 'tidedb-values-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the value types in LMDB', () => {
  it('are scanned in key order with their exact values, after a reopen, and kept in the changelog', async () => {
    let store = Store.open(join(dir, 'db'));
    const changes: BatchChange[] = [{ kind: 'create_table', table: ledger }, ...rows.map((after): BatchChange => ({ kind: 'row', tableId: 1, schemaVersion: 1, op: 'c', before: null, after }))];
    store.apply([{ index: 1n, term: 1n, kind: 'batch', data: encodeBatch({ proposedAtMs: 1, changes }) }]);
    await store.close();
    store = Store.open(join(dir, 'db'));
    try {
      const scanned = [...store.scanRows(store.table('app', 'ledger')!)].map(({ row }) => row);
      const sorted = [...rows].sort((a, b) => compareDecimals(a[0] as Decimal, b[0] as Decimal) || compareTemporal(a[1] as SqlDateTime, b[1] as SqlDateTime));
      expect(scanned).toEqual(sorted);
      expect(scanned.map((row) => String(row[0]))).toEqual(sorted.map((row) => String(row[0])));
      expect(String(scanned[0]![0])).toBe('-99999999.999');
      expect(String(scanned[0]![1])).toBe('0001-01-01 00:00:00.000000');
      expect(rowChanges(store).map((change) => change.after)).toEqual(rows);
    } finally {
      await store.close();
    }
  });
});
