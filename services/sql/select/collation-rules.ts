// Which collation a comparison of strings uses, by MySQL's coercibility rules: a COLLATE clause
// wins; else a column's collation wins over a literal's, a parameter's or a function result's;
// two COLLATE clauses of different collations are MySQL's error 1267, "Illegal mix of
// collations"; two columns of different collations of one character set compare under its _bin
// collation, as MySQL documents (and MariaDB does) — with TideDB's two collations that is never
// 1267. Literals alone compare under utf8mb4_bin, TideDB's (and TiDB's) default.
// A comparison under utf8mb4_general_ci carries it on its bound expression (plan.ts); grouping,
// ordering and hashing read a string's sort key instead of the string (`collationKey`).
import { TideError } from '../../base/errors.js';
import { valueKey } from './value-key.js';
import type { Collation } from '../../values/collation.js';
import { collationKey } from '../../values/collation.js';
import type { Value } from '../../storage/types.js';
import type { Expr } from '../plan.js';
import type { SqlType, TextCollation } from './sql-type.js';

// What a comparison's bound expression says of its collation: absent for utf8mb4_bin.
export type CaseInsensitive = 'utf8mb4_general_ci' | undefined;

// The `collation` field of a bound comparison, sort term or aggregate: present only for general_ci.
export function collationField(collation: CaseInsensitive): { readonly collation?: 'utf8mb4_general_ci' } {
  return collation === undefined ? {} : { collation };
}

// The collation of comparing values of these types (an operator's operands, the items of IN).
export function comparisonCollation(operation: string, types: readonly SqlType[]): CaseInsensitive {
  const chosen = strongestCollation(operation, types);
  return chosen?.collation === 'utf8mb4_general_ci' ? 'utf8mb4_general_ci' : undefined;
}

// The type of a string function's result (UPPER, CONCAT…) or of a UNION's column when its
// arguments aggregate to utf8mb4_general_ci, as MySQL derives it, so `UPPER(ci_col) = 'X'`
// compares under general_ci; null otherwise, and the caller's typing stands (under utf8mb4_bin,
// the default, a result compares as it always did).
export function collatedTextResult(operation: string, args: readonly SqlType[]): SqlType | null {
  const collated = strongestCollation(operation, args);
  return collated?.collation === 'utf8mb4_general_ci' ? { kind: 'text', collated } : null;
}

function strongestCollation(operation: string, types: readonly SqlType[]): TextCollation | null {
  let chosen: TextCollation | null = null;
  for (const type of types) {
    const collated = type.kind === 'text' ? type.collated ?? null : null;
    if (collated === null) continue;
    if (chosen === null || rank(collated) > rank(chosen)) chosen = collated;
    else if (rank(collated) < rank(chosen) || collated.collation === chosen.collation) continue;
    else if (collated.derivation === 'explicit') throw illegalMix(chosen, collated, operation);
    else chosen = { collation: 'utf8mb4_bin', derivation: 'implicit' };
  }
  return chosen;
}

function rank(collated: TextCollation): number {
  return collated.derivation === 'explicit' ? 2 : 1;
}

function illegalMix(a: TextCollation, b: TextCollation, operation: string): TideError {
  const text = (collated: TextCollation): string => `(${collated.collation},${collated.derivation.toUpperCase()})`;
  return new TideError('COLLATION_MIX_ILLEGAL', `Illegal mix of collations ${text(a)} and ${text(b)} for operation '${operation}'`);
}

// The collation that orders, groups and makes distinct the values of an expression of this type.
export function ownCollation(type: SqlType): CaseInsensitive {
  return type.kind === 'text' && type.collated?.collation === 'utf8mb4_general_ci' ? 'utf8mb4_general_ci' : undefined;
}

// The call that reads a string as its general_ci sort key (other values pass unchanged). Its
// name is no identifier a client can write, and the binder offers it to no statement: it exists
// only where the binder puts it.
export const generalCiKeyCall = '#GENERAL_CI_KEY';

// An expression whose values group, sort and hash as the collation says: under general_ci its
// strings' sort keys, so that equal keys are equal strings under the collation.
export function collatedKeyExpr(expr: Expr, collation: CaseInsensitive): Expr {
  return collation === undefined ? expr : { kind: 'call', name: generalCiKeyCall, args: [expr] };
}

// COUNT(DISTINCT a, b): the row of values as one, keyed as GROUP BY keys them (value-key.ts,
// each already the collation's key), or NULL when any is NULL, which the count skips.
export const distinctRowKeyCall = '#DISTINCT_ROW_KEY';

export function distinctRowKeyValue(values: readonly Value[]): Value {
  return values.some((value) => value === null) ? null : values.map(valueKey).join('|');
}

export function generalCiKeyValue(value: Value): Value {
  return typeof value === 'string' ? collationKey(value, 'utf8mb4_general_ci') : value;
}

// `expr COLLATE name` gives a text its collation explicitly (a parameter or literal becomes
// text). A number or bytes have no character set, so a COLLATE on them is refused, as MySQL's
// 1253 does. The expression is wrapped when a column changes collation, so that access paths and
// key order, which read a bare column in its own collation, never take it for the column.
export function explicitlyCollated(bound: { readonly expr: Expr; readonly type: SqlType }, collation: Collation, name: string): { readonly expr: Expr; readonly type: SqlType } {
  const { type } = bound;
  if (type.kind !== 'text' && type.kind !== 'unknown') throw new TideError('COLLATION_UNKNOWN', `COLLATION '${name}' is not valid for a value that is not text`);
  const changed = type.kind === 'text' && type.collated !== undefined && type.collated.collation !== collation;
  const expr: Expr = changed ? { kind: 'cast', operand: bound.expr, target: 'CHAR' } : bound.expr;
  return { expr, type: { kind: 'text', collated: { collation, derivation: 'explicit' } } };
}
