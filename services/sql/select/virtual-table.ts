// A relation whose rows are made when a query reads it, not stored: information_schema's
// tables, made from the catalog of the view the query reads (so a transaction sees its own DDL).
import type { ColumnDef, Row, ViewDef } from '../../storage/types.js';
import type { ReadView } from '../read-view.js';
import type { SelectQuery } from './logical-plan.js';

// Binds a view's SELECT (the binder's, so that describing a view's columns needs no binder here).
export type ViewBinder = (definition: ViewDef) => SelectQuery;

export interface VirtualTable {
  readonly name: string;
  // Names and types as MySQL's; a row holds a value per column, in this order.
  readonly columns: readonly ColumnDef[];
  rows(view: ReadView, bindView: ViewBinder): Iterable<Row>;
}
