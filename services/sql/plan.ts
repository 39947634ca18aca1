// Plans: what a statement does, resolved against the catalog (columns are positions, values
// are typed). Readonly unions on `kind`; a switch over them ends in assertNever.
import type { ColumnDef, TableDef, Value } from '../storage/types.js';

export type BinaryOperator = '=' | '<>' | '<' | '<=' | '>' | '>=' | 'AND' | 'OR' | '+' | '-' | '*' | '/' | '%' | 'DIV';

export type Expr =
  | { readonly kind: 'literal'; readonly value: Value }
  | { readonly kind: 'param'; readonly position: number }
  | { readonly kind: 'column'; readonly position: number }
  | { readonly kind: 'binary'; readonly operator: BinaryOperator; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'not'; readonly operand: Expr }
  | { readonly kind: 'negate'; readonly operand: Expr }
  | { readonly kind: 'is_null'; readonly operand: Expr; readonly negated: boolean }
  | { readonly kind: 'in_list'; readonly operand: Expr; readonly list: readonly Expr[]; readonly negated: boolean }
  | { readonly kind: 'between'; readonly operand: Expr; readonly low: Expr; readonly high: Expr; readonly negated: boolean }
  | { readonly kind: 'like'; readonly operand: Expr; readonly pattern: Expr; readonly negated: boolean };

export interface OutputColumn {
  readonly name: string;
  readonly expr: Expr;
}

export interface OrderTerm {
  readonly expr: Expr;
  readonly descending: boolean;
}

export type Plan =
  | {
      readonly kind: 'create_table';
      readonly database: string;
      readonly name: string;
      readonly columns: readonly ColumnDef[];
      readonly primaryKey: readonly number[];
      readonly ifNotExists: boolean;
    }
  | { readonly kind: 'drop_table'; readonly database: string; readonly names: readonly string[]; readonly ifExists: boolean }
  | {
      readonly kind: 'insert';
      readonly table: TableDef;
      // For each row, an expression per table column; omitted columns are null literals, and
      // autoIncrementColumn is filled by the executor when its value is null.
      readonly rows: readonly (readonly Expr[])[];
    }
  | {
      readonly kind: 'update';
      readonly table: TableDef;
      readonly assignments: readonly { readonly position: number; readonly expr: Expr }[];
      readonly where: Expr | null;
    }
  | { readonly kind: 'delete'; readonly table: TableDef; readonly where: Expr | null }
  | {
      readonly kind: 'select';
      // null for a SELECT without FROM (e.g. `SELECT 1 + 1`).
      readonly table: TableDef | null;
      readonly columns: readonly OutputColumn[];
      readonly where: Expr | null;
      readonly orderBy: readonly OrderTerm[];
      readonly limit: Expr | null;
      readonly offset: Expr | null;
    };
