// What the executor reads: the catalog and rows as of some point. The store implements it for
// applied state; OverlayView stacks not-yet-applied changes on top of any view.
import type { Row, TableDef } from '../storage/types.js';

export interface ReadView {
  table(database: string, name: string): TableDef | undefined;
  // Every table ever created, dropped ones included (their names still own Kafka topics).
  allTables(): readonly TableDef[];
  nextTableId(): number;
  autoIncrementNext(tableId: number): bigint;
  getRow(table: TableDef, key: Buffer): Row | undefined;
  // The table's rows in primary-key order.
  scanRows(table: TableDef): Iterable<{ readonly key: Buffer; readonly row: Row }>;
}
