// Checks a row must pass before a write records it, through the table's indexes: its keys fit
// LMDB, and no other row has its values in a UNIQUE index. Both are the leader's to check
// before it proposes: apply only asserts, and a replica that disagreed would stop.
import { TideError } from '../base/errors.js';
import { keyBytesMax } from '../base/limits.js';
import { encodeIndexValues, indexEntryOf, indexedValues, uniquePrefixOf } from '../storage/index-key.js';
import { encodeRowKey } from '../storage/key-codec.js';
import { indexesOf } from '../storage/types.js';
import type { IndexDef, Row, TableDef } from '../storage/types.js';
import type { ReadView } from './read-view.js';

// `replaced` is the row this one replaces (an UPDATE's old image and key), which it may share
// values with; null for a new row.
export function checkIndexedRow(view: ReadView, table: TableDef, row: Row, replaced: { readonly key: Buffer; readonly row: Row } | null): void {
  checkKeyLength(encodeRowKey(table, row), 'primary key', table);
  for (const index of indexesOf(table)) {
    if (replaced !== null && sameIndexedValues(table, index, row, replaced.row)) continue; // its entry stays where it is
    checkKeyLength(indexEntryOf(table, index, row).key, `index '${index.name}'`, table);
    if (!index.unique || uniquePrefixOf(table, index, row) === null) continue;
    const values = indexedValues(index, row);
    const bound = { values, inclusive: true };
    for (const entry of view.scanIndex(table, index, { low: bound, high: bound })) {
      if (replaced !== null && entry.rowKey.equals(replaced.key)) continue;
      throw duplicateEntry(index, values);
    }
  }
}

// The rows that already hold `row`'s primary key or its values in a UNIQUE index, each once:
// the primary key's first, then by index in the table's order, the order in which MySQL finds
// them (ON DUPLICATE KEY UPDATE updates the first).
export function clashingRows(view: ReadView, table: TableDef, row: Row): { readonly key: Buffer; readonly row: Row }[] {
  const clashing: { key: Buffer; row: Row }[] = [];
  const add = (key: Buffer, existing: Row | undefined): void => {
    if (existing !== undefined && !clashing.some((seen) => seen.key.equals(key))) clashing.push({ key, row: existing });
  };
  const key = encodeRowKey(table, row);
  add(key, view.getRow(table, key));
  for (const index of indexesOf(table)) {
    if (!index.unique || uniquePrefixOf(table, index, row) === null) continue;
    const bound = { values: indexedValues(index, row), inclusive: true };
    for (const entry of view.scanIndex(table, index, { low: bound, high: bound })) add(entry.rowKey, view.getRow(table, entry.rowKey));
  }
  return clashing;
}

// A row whose primary key another row has.
export function duplicateKey(table: TableDef, row: Row): TideError {
  const key = table.primaryKey.map((position) => String(row[position])).join('-');
  return new TideError('DUPLICATE_KEY', `duplicate entry '${key}' for the primary key of '${table.name}'`);
}

// As MySQL says it: the values joined by '-', and the index's name.
export function duplicateEntry(index: IndexDef, values: Row): TideError {
  return new TideError('DUPLICATE_KEY', `duplicate entry '${values.map(String).join('-')}' for key '${index.name}'`);
}

export function checkKeyLength(key: Buffer, what: string, table: TableDef): void {
  if (key.length > keyBytesMax) throw new TideError('KEY_TOO_LONG', `a row's ${what} in '${table.name}' is ${key.length} bytes as stored; keys are at most ${keyBytesMax}`);
}

// Compared as stored, so exactly when the two rows' entries differ only by primary key.
function sameIndexedValues(table: TableDef, index: IndexDef, a: Row, b: Row): boolean {
  return encodeIndexValues(table, index, indexedValues(index, a)).equals(encodeIndexValues(table, index, indexedValues(index, b)));
}
