// information_schema: read-only tables made from the catalog of the view a query reads, never
// stored (sql/DESIGN.md, "information_schema"). The binder scans them as virtual relations
// (select/named-relation.ts); every write naming the database is refused as MySQL refuses it.
import { TideError } from '../../base/errors.js';
import type { VirtualTable } from '../select/virtual-table.js';
import { columnsTable, statisticsTable } from './column-tables.js';
import { schemataTable, tablesTable, viewsTable } from './schema-tables.js';
import { informationSchemaName } from './column-defs.js';
import { tableConstraintsTable } from './table-constraints.js';

const tables: ReadonlyMap<string, VirtualTable> = new Map([schemataTable, tablesTable, viewsTable, columnsTable, statisticsTable, tableConstraintsTable].map((table) => [table.name.toLowerCase(), table]));

// As MySQL, the database's name and its tables' names match without regard to case.
export function isInformationSchema(database: string): boolean {
  return database.toLowerCase() === informationSchemaName;
}

export function informationSchemaTable(name: string): VirtualTable | undefined {
  return tables.get(name.toLowerCase());
}

// Before any statement that would write in `database` (DDL and DML alike).
export function checkWritable(database: string): void {
  if (isInformationSchema(database)) throw new TideError('ACCESS_DENIED', `access denied to database '${informationSchemaName}': it is read-only`);
}
