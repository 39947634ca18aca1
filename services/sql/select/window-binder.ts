// Binds window function calls (`f(…) OVER (PARTITION BY … ORDER BY … frame)` or `OVER w`
// with `WINDOW w AS (…)`) of one query level. A call's value is a column of the window
// operator's output, which comes after the aggregates; their number is known only once the
// whole level is bound, so calls take placeholder positions from `windowSlotBase` that the
// binder moves into place at the end (`placeWindowSlots`).
import { TideError } from '../../base/errors.js';
import { identifier, nodes, unsupported } from '../ast-reading.js';
import type { AstNode } from '../parser.js';
import type { Expr, OrderTerm } from '../plan.js';
import type { Bound } from './expression-binder.js';
import { mapColumns } from './expr-walk.js';
import type { AggregateFunction, FrameBound, WindowCall, WindowFrame, WindowFunction } from './logical-plan.js';
import { doubleType, exactInteger, exactScale } from './sql-type.js';
import type { SqlType } from './sql-type.js';
import { collatedKeyExpr, collationField, ownCollation } from './collation-rules.js';
import { aggregatedType, convertedTo } from './set-operation-types.js';

// Far past any real row's width: a position at or past it is a window call's placeholder.
export const windowSlotBase = 2 ** 30;

const ranking = new Set(['ROW_NUMBER', 'RANK', 'DENSE_RANK', 'PERCENT_RANK', 'CUME_DIST']);
const windowAggregates = new Set(['COUNT', 'SUM', 'AVG', 'MIN', 'MAX', 'STDDEV_POP', 'STDDEV_SAMP', 'VAR_POP', 'VAR_SAMP', 'BIT_AND', 'BIT_OR', 'BIT_XOR']);
// Arguments of the value functions: least and most.
const valueFunctions: Readonly<Record<string, readonly [number, number]>> = {
  NTILE: [1, 1], LAG: [1, 3], LEAD: [1, 3], FIRST_VALUE: [1, 1], LAST_VALUE: [1, 1], NTH_VALUE: [2, 2],
};

export function isWindowFunctionName(name: string): boolean {
  return ranking.has(name) || name in valueFunctions;
}

// The calls of one level, and the named windows of its WINDOW clause.
export class WindowSlots {
  readonly calls: WindowCall[] = [];
  private readonly named = new Map<string, AstNode>();

  constructor(windowClause: unknown) {
    for (const definition of nodes((windowClause as AstNode | null | undefined)?.['expr'])) {
      const name = identifier(definition['name'], 'window').toLowerCase();
      if (this.named.has(name)) throw new TideError('SQL_SYNTAX', `window '${name}' is defined twice`);
      this.named.set(name, definition['as_window_specification'] as AstNode);
    }
  }

  specification(over: AstNode): AstNode {
    const spec = over['as_window_specification'];
    if (typeof spec !== 'string') return ((spec as AstNode | undefined)?.['window_specification'] ?? {}) as AstNode;
    const named = this.named.get(spec.toLowerCase());
    if (named === undefined) throw new TideError('SQL_SYNTAX', `window '${spec}' is not defined`);
    return (named['window_specification'] ?? {}) as AstNode;
  }

  slot(call: WindowCall): number {
    return windowSlotBase + this.calls.push(call) - 1;
  }
}

// What a call is: its name, argument trees (COUNT(*) has none) and OVER clause.
export interface WindowCallSyntax {
  readonly name: string;
  readonly args: readonly AstNode[];
  readonly star: boolean;
  readonly distinct: boolean;
  readonly over: AstNode;
}

// `bind` binds an expression of the level (aggregates allowed when the level aggregates, window
// functions not: they do not nest). `aggregateType` gives an aggregate's result type.
export function bindWindowCall(syntax: WindowCallSyntax, windows: WindowSlots, bind: (ast: AstNode) => Bound, aggregateType: (fn: string, arg: SqlType) => SqlType): Bound {
  const { name, args } = syntax;
  const spec = windows.specification(syntax.over);
  // Under general_ci a partition and an order are those of the sort keys (collation-rules.ts).
  const keyOf = (ast: AstNode, types: SqlType[] = []): Expr => {
    const bound = bind(ast);
    types.push(bound.type);
    return collatedKeyExpr(bound.expr, ownCollation(bound.type));
  };
  const partitionBy = nodes(spec['partitionby']).map((item) => keyOf(item['expr'] as AstNode));
  const orderTypes: SqlType[] = [];
  const orderBy: OrderTerm[] = nodes(spec['orderby']).map((term) => ({ expr: keyOf(term['expr'] as AstNode, orderTypes), descending: term['type'] === 'DESC' }));
  const frame = frameOf(spec['window_frame_clause'] as AstNode | null | undefined, orderBy.length > 0);
  // A RANGE offset is a distance between ORDER BY values: one value, a number (MySQL's 3587).
  if (frame.units === 'range' && [frame.start, frame.end].some((bound) => bound.kind === 'preceding' || bound.kind === 'following')) {
    if (orderTypes.length !== 1 || orderTypes[0]!.kind === 'text') throw new TideError('SQL_SYNTAX', 'a RANGE frame with an offset needs exactly one numeric ORDER BY expression');
  }
  const base = { partitionBy, orderBy, frame, aggregate: null, count: null, fallback: null, arg: null };
  if (windowAggregates.has(name)) {
    if (syntax.distinct) throw unsupported(`${name}(DISTINCT …) OVER`);
    const arg = syntax.star ? null : bind(args[0]!);
    if (syntax.star && name !== 'COUNT') throw new TideError('SQL_SYNTAX', `${name}(*) is not valid`);
    const argScale = arg === null ? null : exactScale(arg.type);
    const collation = arg === null ? undefined : ownCollation(arg.type);
    const aggregate = { fn: name as AggregateFunction, arg: arg?.expr ?? null, distinct: false, scale: name === 'AVG' && argScale !== null ? argScale + 4 : null, ...collationField(collation) };
    return slotted(windows, { ...base, fn: 'AGGREGATE', aggregate }, aggregateType(name, arg?.type ?? exactInteger));
  }
  if (ranking.has(name)) {
    if (args.length > 0) throw new TideError('SQL_SYNTAX', `${name}() takes no arguments`);
    return slotted(windows, { ...base, fn: name as WindowFunction }, name === 'PERCENT_RANK' || name === 'CUME_DIST' ? doubleType : exactInteger);
  }
  const arity = valueFunctions[name];
  if (arity === undefined) throw unsupported(`${name}() as a window function`);
  if (args.length < arity[0] || args.length > arity[1]) throw new TideError('SQL_SYNTAX', `${name}() takes ${arity[0] === arity[1] ? arity[0] : `${arity[0]} to ${arity[1]}`} arguments`);
  if (name === 'NTILE') return slotted(windows, { ...base, fn: 'NTILE', count: constantArg(args[0]!, bind) }, exactInteger);
  const arg = bind(args[0]!);
  const count = name === 'NTH_VALUE' || ((name === 'LAG' || name === 'LEAD') && args.length > 1) ? constantArg(args[1]!, bind) : null;
  if (args.length <= 2) return slotted(windows, { ...base, fn: name as WindowFunction, arg: arg.expr, count, fallback: null }, arg.type);
  // LAG/LEAD's value and default make one column, of the type they aggregate to (as a UNION's
  // column does): LEAD(price, 1, 0) over a DECIMAL(10,2) shows its default as 0.00.
  const fallback = bind(args[2]!);
  const type = aggregatedType([arg.type, fallback.type]);
  const call: WindowCall = { ...base, fn: name as WindowFunction, arg: convertedTo(arg.expr, arg.type, type), count, fallback: convertedTo(fallback.expr, fallback.type, type) };
  return slotted(windows, call, type);
}

function slotted(windows: WindowSlots, call: WindowCall, type: SqlType): Bound {
  return { expr: { kind: 'column', position: windows.slot(call) }, type };
}

// NTILE's buckets, LAG/LEAD's offset and NTH_VALUE's n are constants (a number or `?`), as in
// MySQL; their range is checked when the query runs.
function constantArg(ast: AstNode, bind: (ast: AstNode) => Bound): Expr {
  const bound = bind(ast).expr;
  if (bound.kind !== 'literal' && bound.kind !== 'param') throw new TideError('SQL_SYNTAX', 'a window function\'s count or offset is a constant');
  return bound;
}

const boundRanks: Readonly<Record<FrameBound['kind'], number>> = {
  unbounded_preceding: 0, preceding: 1, current_row: 2, following: 3, unbounded_following: 4,
};

// MySQL's default frame: with ORDER BY, from the partition's start to the current row's last
// peer; without, the whole partition (every row is a peer of every other).
function frameOf(clause: AstNode | null | undefined, ordered: boolean): WindowFrame {
  if (clause === null || clause === undefined) {
    return ordered
      ? { units: 'range', start: { kind: 'unbounded_preceding', offset: 0 }, end: { kind: 'current_row', offset: 0 } }
      : { units: 'rows', start: { kind: 'unbounded_preceding', offset: 0 }, end: { kind: 'unbounded_following', offset: 0 } };
  }
  // The text scan turns RANGE into ROWS for the parser and marks the frame (syntax.ts).
  const units = clause['units'] === 'range' ? 'range' : 'rows';
  const between = clause['type'] === 'binary_expr';
  const [startAst, endAst] = between ? nodes((clause['right'] as AstNode)['value']) : [clause['expr'] as AstNode, null];
  const start = frameBound(startAst!, units);
  const end = endAst === null || endAst === undefined ? ({ kind: 'current_row', offset: 0 } as const) : frameBound(endAst, units);
  if (start.kind === 'unbounded_following') throw new TideError('SQL_SYNTAX', 'a window frame cannot start at UNBOUNDED FOLLOWING');
  if (end.kind === 'unbounded_preceding') throw new TideError('SQL_SYNTAX', 'a window frame cannot end at UNBOUNDED PRECEDING');
  if (boundRanks[start.kind] > boundRanks[end.kind]) throw new TideError('SQL_SYNTAX', 'a window frame cannot start after its end');
  return { units, start, end };
}

// A ROWS offset counts rows (a whole number); a RANGE offset is a distance between values and
// may have a fraction (`RANGE 1.5 PRECEDING`), as in MySQL.
function frameBound(ast: AstNode, units: 'rows' | 'range'): FrameBound {
  const text = String(ast['value']).toUpperCase();
  if (text === 'CURRENT ROW') return { kind: 'current_row', offset: 0 };
  const match = /^(UNBOUNDED|\d+(?:\.\d*)?|\.\d+) (PRECEDING|FOLLOWING)$/.exec(text);
  if (match === null) throw new TideError('SQL_SYNTAX', `'${text.slice(0, 40)}' is not a window frame bound`);
  const following = match[2] === 'FOLLOWING';
  if (match[1] === 'UNBOUNDED') return { kind: following ? 'unbounded_following' : 'unbounded_preceding', offset: 0 };
  const offset = Number(match[1]);
  const valid = units === 'rows' ? Number.isSafeInteger(offset) : Number.isFinite(offset) && Math.abs(offset) <= Number.MAX_SAFE_INTEGER;
  if (!valid) throw new TideError('SQL_SYNTAX', units === 'rows' ? 'a ROWS frame offset is a whole number of rows' : 'a window frame offset is too large');
  return { kind: following ? 'following' : 'preceding', offset };
}

// Moves the calls' placeholder positions to where the window operator puts their values:
// right after its input row of `inputWidth` columns.
export function placeWindowSlots(expr: Expr, inputWidth: number): Expr {
  return mapColumns(expr, (position) => (position >= windowSlotBase ? inputWidth + position - windowSlotBase : position), 'keep');
}

export function readsWindowSlot(expr: Expr): boolean {
  let found = false;
  mapColumns(expr, (position) => {
    if (position >= windowSlotBase) found = true;
    return position;
  }, 'keep');
  return found;
}
