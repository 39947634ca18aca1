// Plans: what a statement does, resolved against the catalog (columns are positions, values
// are typed). Readonly unions on `kind`; a switch over them ends in assertNever.
import type { CheckDef, ColumnDef, ForeignKeyDef, TableDef, Value, ViewDef } from '../storage/types.js';
import type { Collation } from '../values/collation.js';
import type { DecimalType } from '../values/decimal.js';
import type { DeclaredDefault } from './ddl/column-options.js';
import type { AccountStatement } from './accounts/account-syntax.js';
import type { LogicalPlan, SelectQuery } from './select/logical-plan.js';

export type BinaryOperator = '=' | '<=>' | '<>' | '<' | '<=' | '>' | '>=' | 'AND' | 'OR' | 'XOR' | '+' | '-' | '*' | '/' | '%' | 'DIV';

export type Expr =
  | { readonly kind: 'literal'; readonly value: Value }
  | { readonly kind: 'param'; readonly position: number }
  | { readonly kind: 'column'; readonly position: number }
  // A column of an enclosing query's row (a correlated subquery): depth 1 is the query just
  // outside the one being evaluated.
  | { readonly kind: 'outer_column'; readonly depth: number; readonly position: number }
  // A comparison (=, <>, <, <=, >, >=, BETWEEN, IN, LIKE, CASE x WHEN) of strings under
  // utf8mb4_general_ci says so in `collation` (select/collation-rules.ts); absent: utf8mb4_bin.
  // `round`: arithmetic of an exact type, at the root of its arithmetic (an operand of none): its
  // value becomes a DECIMAL of the type's scale, as MySQL shows it. `double`: arithmetic whose
  // static type is DOUBLE (an operand is a DOUBLE, text or a date): computed in doubles even
  // where a value is a DECIMAL, as MySQL computes it.
  | { readonly kind: 'binary'; readonly operator: BinaryOperator; readonly left: Expr; readonly right: Expr; readonly collation?: 'utf8mb4_general_ci'; readonly round?: number; readonly double?: true }
  // `/`: MySQL divides exact numbers into a DECIMAL with 4 more digits of scale than the
  // dividend (`scale`; null where an operand's static type is not exact). `intermediate`: an
  // operand of more arithmetic, kept unrounded (its root rounds), as MySQL keeps more digits
  // between operations than it shows (1/3*3 is 1.0000, not 0.9999). `double`: an operand is
  // statically a DOUBLE, text or a date, and the quotient a double.
  | { readonly kind: 'divide'; readonly left: Expr; readonly right: Expr; readonly scale: number | null; readonly intermediate?: true; readonly double?: true }
  // CASE: with an operand, each `when` is compared to it; without, each is a condition.
  | { readonly kind: 'case'; readonly operand: Expr | null; readonly whens: readonly { readonly when: Expr; readonly then: Expr }[]; readonly otherwise: Expr | null; readonly collation?: 'utf8mb4_general_ci' }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Expr[] }
  // `decimal`: CAST … AS DECIMAL(p,s)'s precision and scale (DECIMAL alone is (10,0)); `fsp`:
  // DATETIME(n)'s and TIME(n)'s fractional digits.
  | { readonly kind: 'cast'; readonly operand: Expr; readonly target: CastTarget; readonly decimal?: DecimalType; readonly fsp?: number }
  | { readonly kind: 'subquery'; readonly mode: 'scalar' | 'exists'; readonly query: SelectQuery; readonly correlated: boolean }
  | { readonly kind: 'in_subquery'; readonly operand: Expr; readonly query: SelectQuery; readonly correlated: boolean; readonly negated: boolean; readonly collation?: 'utf8mb4_general_ci' }
  | { readonly kind: 'not'; readonly operand: Expr }
  | { readonly kind: 'negate'; readonly operand: Expr }
  | { readonly kind: 'is_null'; readonly operand: Expr; readonly negated: boolean }
  | { readonly kind: 'in_list'; readonly operand: Expr; readonly list: readonly Expr[]; readonly negated: boolean; readonly collation?: 'utf8mb4_general_ci' }
  | { readonly kind: 'between'; readonly operand: Expr; readonly low: Expr; readonly high: Expr; readonly negated: boolean; readonly collation?: 'utf8mb4_general_ci' }
  // `escape`: the code point of ESCAPE's character, null for `ESCAPE ''`; absent: `\`.
  | { readonly kind: 'like'; readonly operand: Expr; readonly pattern: Expr; readonly negated: boolean; readonly collation?: 'utf8mb4_general_ci'; readonly escape?: number | null };

export type CastTarget = 'SIGNED' | 'UNSIGNED' | 'DOUBLE' | 'CHAR' | 'DECIMAL' | 'DATE' | 'DATETIME' | 'TIME';

export interface OutputColumn {
  readonly name: string;
  readonly expr: Expr;
}

export interface OrderTerm {
  readonly expr: Expr;
  readonly descending: boolean;
  // Strings sort under utf8mb4_general_ci (a key of such a column); absent: utf8mb4_bin.
  readonly collation?: 'utf8mb4_general_ci';
}

// A secondary index as a statement declares it, before it is checked against its table
// (ddl/index-ddl.ts). A null name gets MySQL's default: its first column's, made unique.
export interface IndexSpec {
  readonly name: string | null;
  readonly unique: boolean;
  readonly columns: readonly { readonly name: string; readonly direction: 'asc' | 'desc' }[];
}

// A FOREIGN KEY as a statement declares it, before it is checked against its tables
// (ddl/foreign-keys.ts). `name` is the CONSTRAINT's (or, as MariaDB takes it, the FOREIGN KEY's
// index name); null gets MySQL's `<table>_ibfk_<n>`. `indexName` names the child index added
// when none leads with the columns.
export interface ForeignKeySpec extends Omit<ForeignKeyDef, 'name' | 'columns'> {
  readonly name: string | null;
  readonly indexName: string | null;
  readonly columns: readonly string[];
}

export type ForeignKeyAction = { readonly kind: 'add'; readonly spec: ForeignKeySpec } | { readonly kind: 'drop'; readonly name: string };

// Where ALTER TABLE puts a column it adds or redefines: first, after a column, or (null) last
// for an added column and in its place for a redefined one.
export type ColumnPlace = { readonly kind: 'first' } | { readonly kind: 'after'; readonly column: string } | null;

// A column as ALTER TABLE declares it: its definition (name, type, options) and its CHECK.
export interface ColumnSpec {
  readonly column: ColumnDef;
  // The collation the declaration names (null: the table's default, as MySQL's MODIFY takes it).
  readonly collation: Collation | null;
  readonly check: CheckClauseSpec | null;
  readonly primaryKey: boolean;
  readonly unique: boolean;
}

// A CHECK as written: name (null: MySQL's generated one) and the expression as SQL text.
export interface CheckClauseSpec {
  readonly name: string | null;
  readonly expression: string;
}

// One action of ALTER TABLE (ddl/alter-syntax.ts reads them, ddl/alter-definition.ts applies
// them to the table's definition in the order written). CREATE INDEX and DROP INDEX are one
// action each. A new kind of action is added here, there and in nothing else.
export type AlterAction =
  | { readonly kind: 'add_column'; readonly spec: ColumnSpec; readonly place: ColumnPlace }
  | { readonly kind: 'drop_column'; readonly name: string }
  // MODIFY (`from` is the column's own name) and CHANGE (old name, new definition).
  | { readonly kind: 'modify_column'; readonly from: string; readonly spec: ColumnSpec; readonly place: ColumnPlace }
  | { readonly kind: 'rename_column'; readonly from: string; readonly to: string }
  // ALTER [COLUMN] c SET DEFAULT v (a default as written) or DROP DEFAULT (null).
  | { readonly kind: 'alter_default'; readonly column: string; readonly value: DeclaredDefault | null }
  | { readonly kind: 'add_index'; readonly spec: IndexSpec }
  | { readonly kind: 'drop_index'; readonly name: string }
  | { readonly kind: 'add_primary_key'; readonly columns: readonly string[] }
  | { readonly kind: 'drop_primary_key' }
  | { readonly kind: 'add_check'; readonly check: CheckClauseSpec }
  | { readonly kind: 'drop_check'; readonly name: string }
  | { readonly kind: 'rename_table'; readonly database: string; readonly name: string }
  // ALTER TABLE … [DEFAULT] COLLATE [=] c: the table's default collation, which columns added or
  // redefined without one take (the columns it has keep theirs, as in MySQL).
  | { readonly kind: 'table_collation'; readonly collation: Collation };

export interface TableName {
  readonly database: string;
  readonly name: string;
}

// Read-only statements about the catalog (show.ts), answered as MySQL answers them.
export type ShowTarget =
  | { readonly kind: 'databases' }
  // SHOW [FULL] TABLES [FROM db] [LIKE …]: views too (FULL adds Table_type).
  | { readonly kind: 'tables'; readonly database: string; readonly full: boolean; readonly like: string | null }
  | { readonly kind: 'table_status'; readonly database: string; readonly like: string | null }
  // DESCRIBE of a table, or of a view (its columns described by view-columns.ts).
  | { readonly kind: 'columns'; readonly table: TableDef }
  | { readonly kind: 'create_view'; readonly view: ViewDef }
  | { readonly kind: 'index'; readonly table: TableDef }
  | { readonly kind: 'create_table'; readonly table: TableDef };

// A table's CHECK constraint bound over its row: a row for which `expr` is false is refused.
export interface BoundCheck {
  readonly name: string;
  readonly expr: Expr;
}

// What an INSERT does with a row whose primary key, or whose values in a UNIQUE index, another
// row already has: fail (plain INSERT), skip the row (INSERT IGNORE), delete the other rows
// first (REPLACE), or update the first of them (ON DUPLICATE KEY UPDATE). The update's
// expressions are bound over the existing row followed by the row the statement would have
// inserted, which `VALUES(col)` reads.
export type OnDuplicate =
  | { readonly kind: 'error' }
  | { readonly kind: 'ignore' }
  | { readonly kind: 'replace' }
  | { readonly kind: 'update'; readonly assignments: readonly Assignment[] };

export interface Assignment {
  readonly position: number;
  readonly expr: Expr;
}

// A table a multi-table statement writes: its row starts at `offset` in the joined row.
export interface JoinTarget {
  readonly table: TableDef;
  readonly offset: number;
}

// A multi-table UPDATE's target: assignments set the table's columns (`position` in its row)
// from expressions over the joined row; its CHECKs are bound over its own row.
export interface UpdateTarget extends JoinTarget {
  readonly assignments: readonly Assignment[];
  readonly checks: readonly BoundCheck[];
}

export type Plan =
  | {
      readonly kind: 'create_table';
      readonly database: string;
      readonly name: string;
      readonly columns: readonly ColumnDef[];
      readonly primaryKey: readonly number[];
      readonly indexes: readonly IndexSpec[];
      readonly checks: readonly CheckDef[];
      readonly foreignKeys: readonly ForeignKeySpec[];
      // The table's default collation (`COLLATE=`), which its text columns without one took.
      readonly collation: Collation | null;
      readonly ifNotExists: boolean;
    }
  // ALTER TABLE … ADD FOREIGN KEY / DROP FOREIGN KEY (ddl/foreign-keys.ts).
  | { readonly kind: 'alter_foreign_keys'; readonly database: string; readonly name: string; readonly actions: readonly ForeignKeyAction[] }
  // ALTER TABLE, CREATE INDEX and DROP INDEX: the actions apply together, or none does.
  | { readonly kind: 'alter_table'; readonly database: string; readonly name: string; readonly actions: readonly AlterAction[] }
  // RENAME TABLE a TO b, c TO d: in order, as one statement.
  | { readonly kind: 'rename_tables'; readonly renames: readonly { readonly from: TableName; readonly to: TableName }[] }
  | { readonly kind: 'show'; readonly target: ShowTarget }
  | { readonly kind: 'drop_table'; readonly database: string; readonly names: readonly string[]; readonly ifExists: boolean }
  // TRUNCATE [TABLE]: resolved when it executes, after the statements before it in the request.
  | { readonly kind: 'truncate_table'; readonly database: string; readonly name: string }
  | { readonly kind: 'create_database'; readonly name: string; readonly collation: Collation; readonly ifNotExists: boolean }
  | { readonly kind: 'drop_database'; readonly name: string; readonly ifExists: boolean }
  // CREATE [OR REPLACE] VIEW: the definition, its SELECT already bound once (so it binds).
  | { readonly kind: 'create_view'; readonly view: ViewDef; readonly replace: boolean }
  | { readonly kind: 'drop_view'; readonly database: string; readonly names: readonly string[]; readonly ifExists: boolean }
  // USE db: the rest of the request's statements resolve unqualified names in `database`.
  | { readonly kind: 'use'; readonly database: string }
  // CREATE/ALTER/DROP USER, GRANT, REVOKE, SHOW GRANTS (accounts/account-statements.ts).
  | { readonly kind: 'account'; readonly statement: AccountStatement }
  | {
      readonly kind: 'insert';
      readonly table: TableDef;
      // For each row, an expression per table column, or null for the column's default (an
      // omitted column, or DEFAULT in VALUES); the AUTO_INCREMENT column is filled by the
      // executor when its value is NULL.
      readonly rows: readonly (readonly (Expr | null)[])[];
      // INSERT … SELECT: the query's rows fill the listed column positions, in order (`rows`
      // is then empty).
      readonly select: { readonly query: SelectQuery; readonly positions: readonly number[] } | null;
      readonly checks: readonly BoundCheck[];
      readonly onDuplicate: OnDuplicate;
    }
  | {
      readonly kind: 'update';
      readonly table: TableDef;
      readonly assignments: readonly Assignment[];
      readonly where: Expr | null;
      readonly checks: readonly BoundCheck[];
    }
  | { readonly kind: 'delete'; readonly table: TableDef; readonly where: Expr | null }
  // Multi-table UPDATE and DELETE (multi-table-dml.ts): the joined rows of FROM and WHERE, read
  // whole before the first write, and the tables written, each at its place in a joined row.
  | { readonly kind: 'multi_update'; readonly join: LogicalPlan; readonly targets: readonly UpdateTarget[] }
  | { readonly kind: 'multi_delete'; readonly join: LogicalPlan; readonly targets: readonly JoinTarget[] }
  | { readonly kind: 'select'; readonly query: SelectQuery }
  // EXPLAIN [ANALYZE] SELECT: the plan as rows (select/explain.ts); ANALYZE runs it too.
  | { readonly kind: 'explain'; readonly query: SelectQuery; readonly analyze: boolean };
