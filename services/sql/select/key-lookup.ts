// Reading the rows of one table that a condition may hold for, through the access path the
// condition allows (access-path.ts): a point get, ranges of the primary key or of an index, or
// the whole table in key order. SELECT's scans and UPDATE/DELETE read through here.
import { encodeRowKey } from '../../storage/key-codec.js';
import type { ColumnMask } from '../../storage/row-columns.js';
import type { Row, TableDef, Value } from '../../storage/types.js';
import { mapIterable } from '../../base/iterables.js';
import { evaluate, truth } from '../expression.js';
import type { EvalContext } from '../expression.js';
import type { Expr } from '../plan.js';
import type { ReadView } from '../read-view.js';
import { wholeIndex } from '../../storage/index-key.js';
import { chooseAccess } from './access-path.js';
import type { AccessPath, KeyOrder } from './access-path.js';
import { residualWhere } from './covered-conjuncts.js';

export interface KeyedRow {
  readonly key: Buffer;
  readonly row: Row;
}

// Counts what an operator read from storage (EXPLAIN ANALYZE).
export interface ReadCounter {
  rowsRead: number;
}

// Rows of `table` for which `where` is true, and null for each row read that is not, so that
// a scan finding nothing still yields between rows. `order` asks for the rows in a key's order.
// `columns`: the columns the caller and `where` read; a scan may leave the others NULL.
export function keyedRows(table: TableDef, where: Expr | null, params: readonly Value[], view: ReadView, context: EvalContext | undefined, order: KeyOrder | null = null, counter?: ReadCounter, columns?: ColumnMask): Iterable<KeyedRow | null> {
  const path = chooseAccess(table, where, params, context, order);
  const residual = residualWhere(table, where, path, params, context);
  const candidates = accessRows(table, path, view, columns);
  if (residual === null && counter === undefined) return candidates;
  return mapIterable(candidates, (candidate) => {
    if (counter !== undefined) counter.rowsRead++;
    return residual === null || truth(evaluate(residual, candidate.row, params, context)) === true ? candidate : null;
  });
}

// The rows an access path reads, in its order. A scan of the whole table or of one primary-key
// range is the view's own iterable, with no layer between.
export function accessRows(table: TableDef, path: AccessPath, view: ReadView, columns?: ColumnMask): Iterable<KeyedRow> {
  if (path.kind === 'full_scan') return view.scanRows(table, wholeIndex, path.reverse, columns);
  if (path.kind === 'range' && path.index === null && path.ranges.length === 1) return view.scanRows(table, path.ranges[0]!, path.reverse, columns);
  if (path.kind === 'point' && path.keys.length === 1) return pointRow(table, path.keys[0]!, view);
  return accessRowsInTurn(table, path, view, columns);
}

// One primary key's row, or none: read at once, as a point SELECT's whole access.
function pointRow(table: TableDef, values: readonly Value[], view: ReadView): KeyedRow[] {
  const key = primaryKeyOf(table, values);
  const row = view.getRow(table, key);
  return row === undefined ? [] : [{ key, row }];
}

function* accessRowsInTurn(table: TableDef, path: Exclude<AccessPath, { kind: 'full_scan' }>, view: ReadView, columns: ColumnMask | undefined): Generator<KeyedRow> {
  switch (path.kind) {
    case 'point':
      for (const values of path.keys) yield* pointRow(table, values, view);
      return;
    case 'range':
      for (const range of path.ranges) {
        if (path.index === null) {
          yield* view.scanRows(table, range, path.reverse, columns);
          continue;
        }
        for (const entry of view.scanIndex(table, path.index, range, path.reverse)) {
          const row = view.getRow(table, entry.rowKey);
          if (row !== undefined) yield { key: entry.rowKey, row };
        }
      }
      return;
  }
}

// The row key of the primary key's `values`, in its columns' order.
export function primaryKeyOf(table: TableDef, values: readonly Value[]): Buffer {
  const row: Value[] = table.columns.map(() => null);
  table.primaryKey.forEach((position, at) => (row[position] = values[at] ?? null));
  return encodeRowKey(table, row);
}
