// The values of one window call over one partition, its rows already in the window's order.
// Ranking functions read the rows' positions and peers (rows of equal ORDER BY values);
// LAG/LEAD read a row at a distance; FIRST_VALUE, LAST_VALUE, NTH_VALUE and the aggregates
// read the row's frame. A frame that starts at the partition's first row grows as the rows
// advance, so its aggregate is kept and extended; any other frame is aggregated anew per row
// (rows × frame width, bounded by the partition the operator already holds).
import { assertNever } from '../../base/assert.js';
import { TideError } from '../../base/errors.js';
import type { Row, Value } from '../../storage/types.js';
import type { Expr } from '../plan.js';
import { newAccumulator, rowExprs } from './aggregates.js';
import type { Accumulator } from './aggregates.js';
import type { FrameBound, WindowCall } from './logical-plan.js';
import { RangeFrame } from './range-frame.js';

// One partition: its rows in window order, and for each row the first and last position of
// its peers (the whole partition when the window has no ORDER BY).
export interface Partition {
  readonly rows: readonly Row[];
  readonly peerFirst: readonly number[];
  readonly peerLast: readonly number[];
}

export type Evaluate = (expr: Expr, row: Row) => Value;

export function windowValues(call: WindowCall, partition: Partition, evaluate: Evaluate): Value[] {
  const size = partition.rows.length;
  const positions = Array.from({ length: size }, (_, at) => at);
  switch (call.fn) {
    case 'ROW_NUMBER':
      return positions.map((at) => BigInt(at + 1));
    case 'RANK':
      return positions.map((at) => BigInt(partition.peerFirst[at]! + 1));
    case 'DENSE_RANK':
      return denseRanks(partition);
    case 'PERCENT_RANK':
      return positions.map((at) => (size === 1 ? 0 : partition.peerFirst[at]! / (size - 1)));
    case 'CUME_DIST':
      return positions.map((at) => (partition.peerLast[at]! + 1) / size);
    case 'NTILE': {
      const buckets = constantCount(call, partition, evaluate, 1);
      return positions.map((at) => BigInt(tileOf(at, size, buckets)));
    }
    case 'LAG':
    case 'LEAD': {
      const distance = constantCount(call, partition, evaluate, 0) * (call.fn === 'LAG' ? -1 : 1);
      return positions.map((at) => {
        const other = partition.rows[at + distance];
        if (other !== undefined) return evaluate(call.arg!, other);
        return call.fallback === null ? null : evaluate(call.fallback, partition.rows[at]!);
      });
    }
    case 'FIRST_VALUE':
    case 'LAST_VALUE':
    case 'NTH_VALUE': {
      const nth = call.fn === 'NTH_VALUE' ? constantCount(call, partition, evaluate, 1) : 0;
      const frameAt = framer(call, partition, evaluate);
      return positions.map((at) => {
        const { first, last } = frameAt(at);
        const pick = call.fn === 'FIRST_VALUE' ? first : call.fn === 'LAST_VALUE' ? last : first + nth - 1;
        return first > last || pick > last ? null : evaluate(call.arg!, partition.rows[pick]!);
      });
    }
    case 'AGGREGATE':
      return aggregateValues(call, partition, evaluate);
    default:
      return assertNever(call.fn);
  }
}

function denseRanks(partition: Partition): Value[] {
  let rank = 0n;
  return partition.rows.map((_, at) => {
    if (partition.peerFirst[at] === at) rank++;
    return rank;
  });
}

// NTILE: the first `size % buckets` buckets hold one row more than the others.
function tileOf(at: number, size: number, buckets: number): number {
  const small = Math.floor(size / buckets);
  const large = small + 1;
  const largeRows = (size % buckets) * large;
  if (at < largeRows) return Math.floor(at / large) + 1;
  return (size % buckets) + Math.floor((at - largeRows) / small) + 1;
}

// NTILE's buckets, LAG/LEAD's offset, NTH_VALUE's n: a constant, read once per partition.
function constantCount(call: WindowCall, partition: Partition, evaluate: Evaluate, least: number): number {
  if (call.count === null) return 1;
  const value = evaluate(call.count, partition.rows[0]!);
  const number = typeof value === 'bigint' ? Number(value) : typeof value === 'number' ? value : NaN;
  if (!Number.isInteger(number) || number < least) {
    throw new TideError('ARGUMENTS_INCORRECT', `${call.fn}() needs an integer of at least ${least} as its ${call.fn === 'NTILE' ? 'bucket count' : call.fn === 'NTH_VALUE' ? 'n' : 'offset'}`);
  }
  return number;
}

// The frame of each row of the partition, by its position: positions `first..last` (empty
// when first > last).
function framer(call: WindowCall, partition: Partition, evaluate: Evaluate): (at: number) => { first: number; last: number } {
  const { units, start, end } = call.frame;
  const range = units === 'range' && (hasOffset(start) || hasOffset(end)) ? rangeFrameOf(call, partition, evaluate) : null;
  return (at) => ({ first: Math.max(0, boundPosition(start, units, range, partition, at, 'start')), last: Math.min(partition.rows.length - 1, boundPosition(end, units, range, partition, at, 'end')) });
}

// A RANGE frame's offsets over the window's one ORDER BY value (the binder allows no other).
function rangeFrameOf(call: WindowCall, partition: Partition, evaluate: Evaluate): RangeFrame {
  const term = call.orderBy[0]!;
  return new RangeFrame(
    partition.rows.map((row) => evaluate(term.expr, row)),
    term.descending,
    partition.peerFirst,
    partition.peerLast,
  );
}

function hasOffset(bound: FrameBound): boolean {
  return bound.kind === 'preceding' || bound.kind === 'following';
}

// A bound of a ROWS or RANGE frame (`range`: a RANGE frame's offsets, when it has any).
function boundPosition(bound: FrameBound, units: 'rows' | 'range', range: RangeFrame | null, partition: Partition, at: number, side: 'start' | 'end'): number {
  switch (bound.kind) {
    case 'unbounded_preceding':
      return 0;
    case 'unbounded_following':
      return partition.rows.length - 1;
    case 'preceding':
      return range === null ? at - bound.offset : range.position('preceding', bound.offset, at, side);
    case 'following':
      return range === null ? at + bound.offset : range.position('following', bound.offset, at, side);
    case 'current_row':
      if (units === 'rows') return at;
      return side === 'start' ? partition.peerFirst[at]! : partition.peerLast[at]!;
    default:
      return assertNever(bound.kind);
  }
}

function aggregateValues(call: WindowCall, partition: Partition, evaluate: Evaluate): Value[] {
  const aggregate = call.aggregate!;
  // COUNT(*) counts rows: any non-NULL marker will do, as in the aggregate operator.
  const args = partition.rows.map((row) => (aggregate.arg === null ? true : evaluate(aggregate.arg, row)));
  const extras = rowExprs(aggregate);
  const keys = extras === undefined ? null : partition.rows.map((row) => extras.map((expr) => evaluate(expr, row)));
  // A frame from the partition's start only grows: its end never moves back, ROWS or RANGE,
  // since the rows are in the window's order.
  const growing = call.frame.start.kind === 'unbounded_preceding';
  const frameAt = framer(call, partition, evaluate);
  let running: Accumulator = newAccumulator(aggregate);
  let added = 0;
  return partition.rows.map((_, at) => {
    const { first, last } = frameAt(at);
    if (!growing) {
      running = newAccumulator(aggregate);
      added = first;
    }
    for (; added <= last; added++) running.add(args[added]!, keys?.[added]);
    return running.result();
  });
}
