// The vocabulary shared by storage and the layers above it: column types, table definitions,
// row values and the change batch that one Raft entry carries.

// A SQL value as TideDB holds it. Integers are bigint so that BIGINT keeps all 64 bits;
// DOUBLE is number; VARCHAR/TEXT are string; BOOLEAN is boolean.
export type Value = null | bigint | number | string | boolean;
export type Row = readonly Value[];

export const columnTypes = ['INT', 'BIGINT', 'DOUBLE', 'VARCHAR', 'TEXT', 'BOOLEAN'] as const;
export type ColumnType = (typeof columnTypes)[number];

// What the integer column types hold (MySQL's signed INT and BIGINT).
export const integerRanges = {
  INT: { min: -(2n ** 31n), max: 2n ** 31n - 1n },
  BIGINT: { min: -(2n ** 63n), max: 2n ** 63n - 1n },
} as const;

export interface ColumnDef {
  readonly name: string;
  readonly type: ColumnType;
  // The declared length of a VARCHAR, in characters; null for every other type.
  readonly length: number | null;
  readonly nullable: boolean;
  readonly autoIncrement: boolean;
}

export interface TableDef {
  // Never reused, so that changelog records keep naming the table they were written for
  // after it is dropped and another takes its name.
  readonly id: number;
  // The schema version of this definition: 1 when created, one more for each change of its
  // columns. The catalog keeps every version, and every stored row, changelog record and row
  // change in a batch names the version that wrote it, so old rows are read with their own
  // definition and never rewritten when a table changes (DESIGN.md, "Formats that last").
  readonly version: number;
  readonly database: string;
  readonly name: string;
  readonly columns: readonly ColumnDef[];
  // Positions in `columns` of the primary key's parts, in key order.
  readonly primaryKey: readonly number[];
}

// `<database>.<table>`: how a live table's name is looked up.
export function qualifiedName(database: string, name: string): string {
  return `${database}.${name}`;
}

export type RowOp = 'c' | 'u' | 'd';

// One change inside a batch. Row changes carry full images: apply never computes, so every
// replica writes exactly the bytes the leader decided.
export type BatchChange =
  | { readonly kind: 'create_table'; readonly table: TableDef }
  | { readonly kind: 'drop_table'; readonly tableId: number }
  // A new version of a live table's definition (same id, version one more). Rows stay as they
  // are; reads map them to the new shape. Internal for now: only tests produce it, until ALTER
  // TABLE does (storage/DESIGN.md says what it may change).
  | { readonly kind: 'alter_table'; readonly table: TableDef }
  | {
      readonly kind: 'row';
      readonly tableId: number;
      // The version of the table's definition the images are in: the one the leader executed with.
      readonly schemaVersion: number;
      readonly op: RowOp;
      readonly before: Row | null;
      readonly after: Row | null;
    }
  | { readonly kind: 'auto_increment'; readonly tableId: number; readonly next: bigint };

// What one Raft entry carries: the changes of one transaction, in statement order.
export interface ChangeBatch {
  // Leader's wall clock when it executed the batch; apply must not read a clock, so the
  // change events' ts_ms comes from here.
  readonly proposedAtMs: number;
  readonly changes: readonly BatchChange[];
}

// A row change as the changelog keeps it, addressed by its lsn.
export interface ChangeRecord {
  readonly lsn: bigint;
  readonly tableId: number;
  // The version of the table's definition that wrote it; `before` and `after` are in its shape.
  readonly schemaVersion: number;
  readonly op: RowOp;
  readonly before: Row | null;
  readonly after: Row | null;
  readonly tsMs: number;
}
