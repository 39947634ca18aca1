// TABLE_CONSTRAINTS: one row per PRIMARY KEY, UNIQUE index and CHECK of each live table. Each
// kind of constraint is one entry of `constraintKinds`, so a new kind (FOREIGN KEY) is a line.
import type { Row, TableDef } from '../../storage/types.js';
import { checksOf, isVisible } from '../../storage/types.js';
import type { ReadView } from '../read-view.js';
import type { VirtualTable } from '../select/virtual-table.js';
import { liveTables, sortedIndexes } from '../show.js';
import { catalogName, varchar } from './column-defs.js';

interface ConstraintKind {
  // CONSTRAINT_TYPE, as MySQL names it.
  readonly type: string;
  // The names of the table's constraints of this kind.
  names(table: TableDef): readonly string[];
}

const constraintKinds: readonly ConstraintKind[] = [
  // A table keyed by its hidden row id has no declared primary key to show.
  { type: 'PRIMARY KEY', names: (table) => (table.primaryKey.every((position) => isVisible(table.columns[position]!)) ? ['PRIMARY'] : []) },
  { type: 'UNIQUE', names: (table) => sortedIndexes(table).filter((index) => index.unique).map((index) => index.name) },
  { type: 'CHECK', names: (table) => checksOf(table).map((check) => check.name) },
];

export const tableConstraintsTable: VirtualTable = {
  name: 'TABLE_CONSTRAINTS',
  columns: [varchar('CONSTRAINT_CATALOG', 512), varchar('CONSTRAINT_SCHEMA'), varchar('CONSTRAINT_NAME'), varchar('TABLE_SCHEMA'), varchar('TABLE_NAME'), varchar('CONSTRAINT_TYPE')],
  *rows(view: ReadView): Iterable<Row> {
    for (const table of liveTables(view)) {
      for (const kind of constraintKinds) {
        for (const name of kind.names(table)) yield [catalogName, table.database, name, table.database, table.name, kind.type];
      }
    }
  },
};

