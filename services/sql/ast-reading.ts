// Small readers of node-sql-parser's untyped tree shared by the planner and the binder: lists,
// names and literals. Only the planner and the binder (select/) import this file.
import { TideError } from '../base/errors.js';
import { identifierLengthMax, identifierPattern, isIdentifier } from '../base/identifiers.js';
import type { Value } from '../storage/types.js';
import type { AstNode } from './parser.js';

// The parser reads a number with an exponent and no point (1e10) as a name; MySQL reads a number.
export const exponentLiteral = /^\d+[eE][+-]?\d+$/;

export function nodes(value: unknown): AstNode[] {
  return Array.isArray(value) ? (value as AstNode[]) : [];
}

export function unsupported(what: string): TideError {
  return new TideError('SQL_UNSUPPORTED', `${what} is not supported yet`);
}

export function identifier(raw: unknown, what: string): string {
  // Some parser versions wrap names as { expr: { value } }; a quoted keyword used as a table
  // qualifier (`columns`.`x`, as Kysely's introspection writes) comes as { type:
  // 'backticks_quote_string', value }.
  const node = raw as AstNode | null;
  const quoted = node?.['type'] === 'backticks_quote_string' ? node['value'] : undefined;
  const name = typeof raw === 'string' ? raw : String((node?.['expr'] as AstNode | undefined)?.['value'] ?? quoted ?? raw);
  if (!isIdentifier(name)) {
    throw new TideError('SQL_UNSUPPORTED', `${what} name '${name}' must match ${identifierPattern.source} and be at most ${identifierLengthMax} characters`);
  }
  return name;
}

export function numberLiteral(raw: unknown): Value {
  const text = String(raw);
  // Integers stay exact as bigint; anything with a point or exponent is a DOUBLE.
  if (/^[+-]?\d+$/.test(text)) return BigInt(text);
  const double = Number(text);
  // As MySQL: a literal beyond DOUBLE's range (1e999) is an error, not infinity.
  if (!Number.isFinite(double)) throw new TideError('VALUE_OUT_OF_RANGE', `the number ${text.slice(0, 32)} is out of range for DOUBLE`);
  return double;
}

// The parser leaves MySQL's escapes in string literals (all but \n and \t, which it turns into
// the characters): a doubled quote and a backslash sequence each stand for one character.
const escapedCharacters: Readonly<Record<string, string>> = { '0': '\0', b: '\b', r: '\r', n: '\n', t: '\t', Z: '\x1a' };
export function unescapeString(text: string): string {
  if (!text.includes('\\') && !text.includes("''") && !text.includes('""')) return text;
  return text.replace(/''|""|\\([\s\S])/g, (match, escaped: string | undefined) => {
    if (escaped === undefined) return match[0]!;
    // \% and \_ keep their backslash: they only mean something inside LIKE patterns.
    if (escaped === '%' || escaped === '_') return match;
    return escapedCharacters[escaped] ?? escaped;
  });
}

// A subquery as the parser nests it in an expression: `{ ast: <select> }`.
export function subqueryOf(node: unknown): AstNode | null {
  if (node === null || typeof node !== 'object') return null;
  const ast = (node as AstNode)['ast'];
  return ast !== null && typeof ast === 'object' && (ast as AstNode)['type'] === 'select' ? (ast as AstNode) : null;
}
