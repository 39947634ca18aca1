// Fix-ups of node-sql-parser's trees where the text scan (statement-shape.ts) bridged a gap in
// its grammar, matched by position since the scan and the parser see the same text:
// - a SELECT with a WINDOW clause: the grammar reads ORDER BY and LIMIT only before WINDOW, and
//   files the ones after it (where MySQL has them) as a second ORDER BY and LIMIT; they move
//   into place;
// - a RANGE frame, read as ROWS, is marked `units: 'range'` (found by its first bound's place);
// - the right side of a NATURAL join, read as a plain join, is marked `natural: true`;
// - INTERSECT ALL and EXCEPT ALL, read without ALL, get their set operator back (found by the
//   place of the SELECT after them);
// - a number with no point and a signed exponent (`1e-7`, `1e+21`: how clients such as mysql2
//   write a double into the text), which the parser would read as a name `1e`, a sign and the
//   exponent's digits, was given to it as a name of underscores: that name becomes the number
//   again (found by its place);
// - a NULL-safe `<=>`, given to the parser as `=`, is put back on the innermost `=` whose text
//   holds its place.
// A mark that finds no node is refused rather than dropped: a NATURAL join read as a cross join
// would answer wrong rows.
import { TideError } from '../base/errors.js';
import type { AstNode } from './syntax.js';
import { someTreeNode } from './tree-walk.js';

type Node = Record<string, unknown>;

export interface GapMarks {
  // A RANGE frame's first bound's place, or (a bound the parser places nowhere: an offset) its
  // BETWEEN frame's.
  readonly rangeFrameBoundsAt: ReadonlySet<number>;
  readonly naturalJoinsAt: ReadonlySet<number>;
  readonly setAllAt: ReadonlySet<number>;
  readonly signedExponentsAt: ReadonlyMap<number, string>;
  readonly nullSafeEqualsAt: readonly number[];
}

export function fixParserGaps(statements: readonly AstNode[], marks: GapMarks): void {
  let ranges = 0;
  let naturals = 0;
  let setAlls = 0;
  let exponents = 0;
  // For each `<=>`, the innermost `=` around its place so far: [node, the length of its text].
  const nullSafe = marks.nullSafeEqualsAt.map((): [Node, number] | null => null);
  someTreeNode(statements, (node) => {
    if (node['type'] === 'binary_expr' && node['operator'] === '=') {
      const [start, end] = [offsetOf(node), endOf(node)];
      marks.nullSafeEqualsAt.forEach((at, which) => {
        const best = nullSafe[which];
        if (start <= at && at < end && (best === null || best === undefined || end - start < best[1])) nullSafe[which] = [node, end - start];
      });
    }
    const exponent = node['type'] === 'column_ref' && node['table'] === null ? marks.signedExponentsAt.get(offsetOf(node)) : undefined;
    if (exponent !== undefined) {
      const { loc } = node;
      for (const key of Object.keys(node)) delete node[key];
      // Its text, not a JS number: 1e+2 must stay a DOUBLE literal, where 100 reads as an integer.
      Object.assign(node, { type: 'number', value: exponent, loc });
      exponents++;
    }
    if (node['type'] === 'select') moveOrderAfterWindow(node);
    const frame = node['window_frame_clause'];
    if (isNode(frame) && (marks.rangeFrameBoundsAt.has(firstBoundAt(frame)) || marks.rangeFrameBoundsAt.has(offsetOf(frame)))) {
      frame['units'] = 'range';
      ranges++;
    }
    if (typeof node['join'] === 'string' && marks.naturalJoinsAt.has(fromItemAt(node))) {
      node['natural'] = true;
      naturals++;
    }
    if ((node['set_op'] === 'intersect' || node['set_op'] === 'except') && marks.setAllAt.has(offsetOf(node['_next']))) {
      node['set_op'] = `${node['set_op']} all`;
      setAlls++;
    }
    return false;
  });
  if (setAlls !== marks.setAllAt.size) throw new TideError('SQL_UNSUPPORTED', 'INTERSECT ALL and EXCEPT ALL are supported only between SELECTs');
  if (ranges !== marks.rangeFrameBoundsAt.size) throw new TideError('SQL_UNSUPPORTED', 'RANGE is supported only in window frames');
  if (naturals !== marks.naturalJoinsAt.size) throw new TideError('SQL_UNSUPPORTED', 'NATURAL JOIN is supported only with a table or derived table on its right');
  if (exponents !== marks.signedExponentsAt.size) throw new TideError('SQL_UNSUPPORTED', 'a number like 1e-7 is supported here only with a point (1.0e-7)');
  for (const found of nullSafe) {
    if (found === null) throw new TideError('SQL_UNSUPPORTED', '<=> is supported only between two expressions');
    found[0]['operator'] = '<=>';
  }
}

function isNode(value: unknown): value is Node {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function moveOrderAfterWindow(select: Node): void {
  if (select['window'] === null || select['window'] === undefined) return;
  for (const [written, read] of [['_orderby', 'orderby'], ['_limit', 'limit']] as const) {
    if (select[written] !== null && select[written] !== undefined && (select[read] === null || select[read] === undefined)) {
      select[read] = select[written];
      select[written] = null;
    }
  }
}

function endOf(node: unknown): number {
  const loc = isNode(node) ? node['loc'] : undefined;
  const end = isNode(loc) ? loc['end'] : undefined;
  return isNode(end) && typeof end['offset'] === 'number' ? end['offset'] : -1;
}

function offsetOf(node: unknown): number {
  const loc = isNode(node) ? node['loc'] : undefined;
  const start = isNode(loc) ? loc['start'] : undefined;
  return isNode(start) && typeof start['offset'] === 'number' ? start['offset'] : -1;
}

// ROWS n PRECEDING has its bound in `expr`; ROWS BETWEEN a AND b in `right.value`.
function firstBoundAt(clause: Node): number {
  if (clause['type'] !== 'binary_expr') return offsetOf(clause['expr']);
  const right = clause['right'];
  const bounds = isNode(right) && Array.isArray(right['value']) ? (right['value'] as unknown[]) : [];
  return offsetOf(bounds[0]);
}

// A table's name, or a derived table's first word.
function fromItemAt(item: Node): number {
  if (typeof item['table'] === 'string') return offsetOf(item);
  const expr = item['expr'];
  return isNode(expr) ? offsetOf(expr['ast']) : -1;
}
