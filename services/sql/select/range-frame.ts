// RANGE frames with an offset (`RANGE BETWEEN 2 PRECEDING AND 1.5 FOLLOWING`): a bound is the
// rows whose one ORDER BY value lies within the offset of the current row's, not a count of
// rows. The partition is already sorted by that value, so each bound is a binary search.
// NULL values sort first (ascending) or last (descending) and are no distance from anything:
// a row of NULL reaches its peers only, and the other rows' offset bounds never reach a NULL
// (only UNBOUNDED does), as in MySQL.
import { TideError } from '../../base/errors.js';
import type { Value } from '../../storage/types.js';
import { Decimal, parseDecimal } from '../../values/decimal.js';
import { arithmetic, compareValues } from '../values.js';

type Present = Exclude<Value, null>;

// The offset bounds of a RANGE frame; its UNBOUNDED and CURRENT ROW bounds are a ROWS frame's
// and a peer group's (window-functions.ts boundPosition). `keys`: each row's ORDER BY value, in
// the partition's order. `peerFirst`/`peerLast`: the row's peers (rows of an equal value), which
// a NULL row's offsets reach.
export class RangeFrame {
  private readonly direction: 1 | -1;
  // The rows of a non-NULL value: positions nonNullFirst..nonNullLast.
  private readonly nonNullFirst: number;
  private readonly nonNullLast: number;

  constructor(
    private readonly keys: readonly Value[],
    descending: boolean,
    private readonly peerFirst: readonly number[],
    private readonly peerLast: readonly number[],
  ) {
    this.direction = descending ? -1 : 1;
    for (const key of keys) checkNumeric(key);
    const nulls = keys.filter((key) => key === null).length;
    this.nonNullFirst = descending ? 0 : nulls;
    this.nonNullLast = descending ? keys.length - 1 - nulls : keys.length - 1;
  }

  // Where the bound `offset PRECEDING` or `offset FOLLOWING` puts the row at `at`'s frame `side`.
  position(kind: 'preceding' | 'following', offset: number, at: number, side: 'start' | 'end'): number {
    const key = this.keys[at]!;
    // PRECEDING is toward the partition's start: smaller values ascending, larger descending.
    const toward = (kind === 'preceding') === (this.direction === 1) ? '-' : '+';
    const target = key === null ? null : arithmetic(toward, key, offsetValue(offset));
    if (target === null) return side === 'start' ? this.peerFirst[at]! : this.peerLast[at]!;
    return side === 'start' ? this.firstReaching(target) : this.lastWithin(target);
  }

  // Position of a value relative to `target` in the partition's order.
  private order(key: Present, target: Present): number {
    return compareValues(key, target) * this.direction;
  }

  // The first non-NULL row at or after `target` in the partition's order (past the last one
  // when none is: the frame is then empty, or holds only the NULLs sorted after them).
  private firstReaching(target: Present): number {
    let low = this.nonNullFirst;
    let high = this.nonNullLast + 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.order(this.keys[middle]!, target) >= 0) high = middle;
      else low = middle + 1;
    }
    return low;
  }

  // The last non-NULL row at or before `target` (before the first one when none is).
  private lastWithin(target: Present): number {
    let low = this.nonNullFirst - 1;
    let high = this.nonNullLast;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.order(this.keys[middle]!, target) <= 0) low = middle;
      else high = middle - 1;
    }
    return low;
  }
}

// A frame offset is a whole or decimal number (the binder read it from the frame's text):
// kept exact, so 1.1 PRECEDING of a DECIMAL value is no double's neighbour of it.
function offsetValue(offset: number): bigint | Decimal {
  return Number.isInteger(offset) ? BigInt(offset) : parseDecimal(String(offset));
}

// A distance exists between numbers only: MySQL refuses RANGE offsets over text, and over
// dates and times without INTERVAL (which TideDB does not read here).
function checkNumeric(key: Value): void {
  if (key === null || typeof key === 'bigint' || typeof key === 'number' || typeof key === 'boolean' || key instanceof Decimal) return;
  throw new TideError('TYPE_MISMATCH', 'a RANGE frame with an offset needs a numeric ORDER BY value');
}
