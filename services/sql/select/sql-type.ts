// Static types of bound expressions, as far as the engine needs them before running: whether
// `/` and AVG divide exact numbers (a DECIMAL result with 4 more digits of scale, as MySQL's
// div_precision_increment) or doubles. `scale` is the digits after the point of an exact number.
import type { ColumnType } from '../../storage/types.js';
import type { Collation } from '../../values/collation.js';

// A text's collation and how firmly it holds (MySQL's coercibility, strongest first): named by
// a COLLATE clause ('explicit'), a column's ('implicit'); absent on literals, parameters and
// function results, which take the other side's (select/collation-rules.ts).
export interface TextCollation {
  readonly collation: Collation;
  readonly derivation: 'explicit' | 'implicit';
}

export type SqlType =
  | { readonly kind: 'exact'; readonly scale: number }
  | { readonly kind: 'double' }
  | { readonly kind: 'text'; readonly collated?: TextCollation }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'unknown' };

export const exactInteger: SqlType = { kind: 'exact', scale: 0 };
export const doubleType: SqlType = { kind: 'double' };
export const textType: SqlType = { kind: 'text' };
export const booleanType: SqlType = { kind: 'boolean' };
export const unknownType: SqlType = { kind: 'unknown' };

// Digits of scale MySQL adds to the dividend's in `/` and AVG.
export const divisionScaleIncrement = 4;
// MySQL's largest DECIMAL scale.
const scaleMax = 30;

// `scale` is a DECIMAL column's (absent on other types), `collation` a text column's.
export function columnSqlType(type: ColumnType, scale?: number, collation?: Collation): SqlType {
  switch (type) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'MEDIUMINT':
    case 'INT':
    case 'BIGINT':
      return exactInteger;
    case 'DOUBLE':
      return doubleType;
    case 'CHAR':
    case 'VARCHAR':
    case 'TEXT':
      return { kind: 'text', collated: { collation: collation ?? 'utf8mb4_bin', derivation: 'implicit' } };
    case 'BOOLEAN':
      return booleanType;
    case 'DECIMAL':
      return { kind: 'exact', scale: scale ?? 0 };
    // Dates and times take part in no arithmetic the engine types yet.
    case 'DATE':
    case 'TIME':
    case 'DATETIME':
    case 'TIMESTAMP':
    // Bytes compare as bytes, never as text or numbers.
    case 'BINARY':
    case 'VARBINARY':
    case 'BLOB':
    case 'JSON':
      return unknownType;
  }
}

// `+`, `-`, `*` of two types (`*` adds scales, the others keep the larger); text converts to a
// double, as MySQL's arithmetic on strings does.
export function arithmeticType(operator: '+' | '-' | '*' | '%', left: SqlType, right: SqlType): SqlType {
  const leftScale = exactScale(left);
  const rightScale = exactScale(right);
  if (leftScale !== null && rightScale !== null) {
    const scale = operator === '*' ? leftScale + rightScale : Math.max(leftScale, rightScale);
    return { kind: 'exact', scale: Math.min(scale, scaleMax) };
  }
  return left.kind === 'unknown' || right.kind === 'unknown' ? unknownType : doubleType;
}

// The scale `/` rounds to, or null for a double division.
export function divisionScale(left: SqlType, right: SqlType): number | null {
  const leftScale = exactScale(left);
  if (leftScale === null || exactScale(right) === null) return null;
  return Math.min(leftScale + divisionScaleIncrement, scaleMax);
}

// The scale of an exact number type, or null for any other type. A boolean is a TINYINT in MySQL.
export function exactScale(type: SqlType): number | null {
  return type.kind === 'exact' ? type.scale : type.kind === 'boolean' ? 0 : null;
}

// The scale of a literal number's text (`1.50` has 2), for decimal literals.
export function literalScale(text: string): number {
  const point = text.indexOf('.');
  return point < 0 ? 0 : text.length - point - 1;
}
