// Reading the rows of one table that a condition may hold for. A condition that pins a
// one-column primary key to a constant reads that one row instead of scanning the table (the
// only access path until secondary indexes come); any other reads the table in key order.
import { encodeRowKey } from '../../storage/key-codec.js';
import type { Row, TableDef, Value } from '../../storage/types.js';
import { evaluate, truth } from '../expression.js';
import type { EvalContext } from '../expression.js';
import type { Expr } from '../plan.js';
import type { ReadView } from '../read-view.js';
import { coerceToColumn, compareValues } from '../values.js';
import { conjuncts } from './expr-walk.js';

// Rows of `table` for which `where` is true, and null for each row read that is not, so that
// a scan finding nothing still yields between rows. A condition that pins a one-column primary
// key to a value reads that one row instead of scanning the table.
export function* keyedRows(table: TableDef, where: Expr | null, params: readonly Value[], view: ReadView, context: EvalContext): Generator<{ key: Buffer; row: Row } | null> {
  const pinned = pinnedKey(table, where, params);
  const candidates = pinned === null ? view.scanRows(table) : pinnedRow(table, pinned, view);
  for (const candidate of candidates) {
    yield where === null || truth(evaluate(where, candidate.row, params, context)) === true ? candidate : null;
  }
}

function* pinnedRow(table: TableDef, key: Buffer, view: ReadView): Generator<{ key: Buffer; row: Row }> {
  const row = view.getRow(table, key);
  if (row !== undefined) yield { key, row };
}

function pinnedKey(table: TableDef, where: Expr | null, params: readonly Value[]): Buffer | null {
  if (where === null || table.primaryKey.length !== 1) return null;
  const keyPosition = table.primaryKey[0]!;
  for (const conjunct of conjuncts(where)) {
    if (conjunct.kind !== 'binary' || conjunct.operator !== '=') continue;
    const { left, right } = conjunct;
    const constant = left.kind === 'column' && left.position === keyPosition ? right : right.kind === 'column' && right.position === keyPosition ? left : null;
    if (constant === null || (constant.kind !== 'literal' && constant.kind !== 'param')) continue;
    const value = evaluate(constant, [], params);
    // A number against a string key compares as numbers ('05' = 5), which no single key finds.
    if (value === null || (isTextColumn(table, keyPosition) && typeof value !== 'string')) continue;
    try {
      const keyValue = coerceToColumn(table.columns[keyPosition]!, value);
      // Only an exact conversion is the same comparison: 1.5 = id must not find id 2.
      if (keyValue === null || compareValues(keyValue, value) !== 0) continue;
      const row: Value[] = table.columns.map(() => null);
      row[keyPosition] = keyValue;
      return encodeRowKey(table, row);
    } catch {
      continue; // not representable in the key's type: let the scan decide
    }
  }
  return null;
}

function isTextColumn(table: TableDef, position: number): boolean {
  const type = table.columns[position]!.type;
  return type === 'CHAR' || type === 'VARCHAR' || type === 'TEXT';
}
