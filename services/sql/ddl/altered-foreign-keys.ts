// Foreign keys through ALTER TABLE and RENAME TABLE. A foreign key names its own columns by
// position in its table's version and its parent's by name (storage/types.ts), so a new version
// of either side must carry them over:
// - the table's own keys follow their columns to their new positions; a column a key needs
//   cannot be dropped (MySQL's 1828) nor change its stored shape (3780, as at CREATE);
// - keys of other tables that reference it follow a renamed table or column, as InnoDB updates
//   them: each such table gets a new version in the same statement; a referenced column cannot
//   be dropped (1829) nor change its shape (3780);
// - on both sides the key or index a foreign key reads through must remain (1553).
import { TideError } from '../../base/errors.js';
import { foreignKeysOf } from '../../storage/types.js';
import type { ForeignKeyDef, TableDef } from '../../storage/types.js';
import { parentKeyOf, sameName, supportingKeyExists } from '../foreign-key-shape.js';
import type { ReadView } from '../read-view.js';
import { liveTables } from '../show.js';
import { sameShape } from './alter-definition.js';

export interface AlteredForeignKeys {
  // `next` with its own foreign keys carried over (self-references included).
  readonly table: TableDef;
  // New versions of the other tables whose foreign keys now name the table or its columns anew.
  readonly children: readonly { readonly current: TableDef; readonly next: TableDef }[];
}

// `sources[at]`: the position in `current` of `next`'s column `at`, or null for a new one.
export function carryForeignKeys(view: ReadView, current: TableDef, next: TableDef, sources: readonly (number | null)[]): AlteredForeignKeys {
  const newPosition = (position: number): number => sources.indexOf(position);
  const parentNames = (key: ForeignKeyDef, owner: TableDef): string[] =>
    key.parentColumns.map((name) => {
      const position = current.columns.findIndex((column) => column.name === name);
      const moved = position < 0 ? -1 : newPosition(position);
      if (moved < 0) throw new TideError('FOREIGN_KEY_COLUMN_REFERENCED', `cannot drop column '${name}': needed in a foreign key constraint '${key.name}' of table '${owner.name}'`);
      if (!sameShape(current.columns[position]!, next.columns[moved]!)) throw incompatible(key, name);
      return next.columns[moved]!.name;
    });
  const referencesCurrent = (key: ForeignKeyDef): boolean => sameName(current, key.parentDatabase, key.parentTable);
  const renamedParent = (key: ForeignKeyDef, owner: TableDef): ForeignKeyDef => {
    const parentColumns = parentNames(key, owner);
    const positions = parentColumns.map((name) => next.columns.findIndex((column) => column.name === name));
    if (parentKeyOf(next, positions) === null) throw indexNeeded(key);
    return { ...key, parentDatabase: next.database, parentTable: next.name, parentColumns };
  };
  const own = foreignKeysOf(current).map((key) => {
    const columns = key.columns.map((position) => {
      const moved = newPosition(position);
      const name = current.columns[position]!.name;
      if (moved < 0) throw new TideError('FOREIGN_KEY_COLUMN_NEEDED', `cannot drop column '${name}': needed in a foreign key constraint '${key.name}'`);
      if (!sameShape(current.columns[position]!, next.columns[moved]!)) throw incompatible(key, name);
      return moved;
    });
    if (!supportingKeyExists(next, columns)) throw indexNeeded(key);
    const carried = { ...key, columns };
    return referencesCurrent(key) ? renamedParent(carried, current) : carried;
  });
  const table = own.length > 0 ? { ...next, foreignKeys: own } : withoutForeignKeys(next);
  const children: { current: TableDef; next: TableDef }[] = [];
  for (const child of liveTables(view)) {
    if (child.id === current.id || !foreignKeysOf(child).some(referencesCurrent)) continue;
    const foreignKeys = foreignKeysOf(child).map((key) => (referencesCurrent(key) ? renamedParent(key, child) : key));
    if (JSON.stringify(foreignKeys) !== JSON.stringify(foreignKeysOf(child))) children.push({ current: child, next: { ...child, version: child.version + 1, foreignKeys } });
  }
  return { table, children };
}

function withoutForeignKeys(table: TableDef): TableDef {
  const { foreignKeys: _none, ...rest } = table;
  return rest;
}

function incompatible(key: ForeignKeyDef, column: string): TideError {
  return new TideError('FOREIGN_KEY_COLUMNS_INCOMPATIBLE', `column '${column}' of foreign key constraint '${key.name}' cannot change its type`);
}

function indexNeeded(key: ForeignKeyDef): TideError {
  return new TideError('FOREIGN_KEY_INDEX_IN_USE', `the key or index foreign key constraint '${key.name}' reads through is needed`);
}
