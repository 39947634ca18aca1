// The two string functions with a syntax of their own, read into plain argument lists. The
// parser gives TRIM([BOTH | LEADING | TRAILING] [remove] FROM s) as its words in a row (the side
// and `from` as bare names) and POSITION(part IN s) as one IN expression; they become
// TRIM(s, remove, side) and LOCATE(part, s) (string-functions.ts reads them so).
import { TideError } from '../../base/errors.js';
import type { AstNode } from '../parser.js';

const trimSides = new Set(['BOTH', 'LEADING', 'TRAILING']);

function isWord(ast: AstNode | undefined, words: ReadonlySet<string>): boolean {
  return ast?.['type'] === 'origin' && typeof ast['value'] === 'string' && words.has(ast['value'].toUpperCase());
}

function text(value: string): AstNode {
  return { type: 'single_quote_string', value };
}

// TRIM(s) as it is; the FROM forms as [s, remove, side], a space removed unless one is given.
export function trimArguments(args: readonly AstNode[]): readonly AstNode[] {
  const fromAt = args.findIndex((arg) => isWord(arg, new Set(['FROM'])));
  if (fromAt < 0) {
    if (args.length !== 1) throw new TideError('SQL_SYNTAX', 'TRIM takes one text, or [BOTH | LEADING | TRAILING] [remove] FROM text');
    return args;
  }
  const before = args.slice(0, fromAt);
  const side = isWord(before[0], trimSides) ? String(before.shift()!['value']).toUpperCase() : 'BOTH';
  const source = args.slice(fromAt + 1);
  if (before.length > 1 || source.length !== 1) throw new TideError('SQL_SYNTAX', 'TRIM takes one text, or [BOTH | LEADING | TRAILING] [remove] FROM text');
  return [source[0]!, before[0] ?? text(' '), text(side)];
}

// POSITION(part IN s) as [part, s].
export function positionArguments(args: readonly AstNode[]): readonly AstNode[] {
  const [only] = args;
  if (args.length !== 1 || only?.['type'] !== 'binary_expr' || String(only['operator']).toUpperCase() !== 'IN') {
    throw new TideError('SQL_SYNTAX', 'POSITION takes (part IN text)');
  }
  const right = only['right'] as AstNode;
  const list = right['type'] === 'expr_list' && Array.isArray(right['value']) ? (right['value'] as AstNode[]) : [right];
  if (list.length !== 1) throw new TideError('SQL_SYNTAX', 'POSITION takes (part IN text)');
  return [only['left'] as AstNode, list[0]!];
}
