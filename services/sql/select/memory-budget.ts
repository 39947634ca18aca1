// The memory one query may hold in rows kept by its blocking operators (hash-join build
// sides, sorts, groups, DISTINCT sets, subquery results): past queryMemoryBytesMax the query
// fails with QUERY_MEMORY_EXCEEDED instead of the node running out of memory. Sizes are
// estimates of V8's cost (a value's slot, a string's characters), not exact counts.
import { TideError } from '../../base/errors.js';
import { queryMemoryBytesMax } from '../../base/limits.js';
import type { Row, Value } from '../../storage/types.js';

const rowOverheadBytes = 48;
const valueBytes = 16;

export function valueBytesOf(value: Value): number {
  return typeof value === 'string' ? valueBytes + 2 * value.length : valueBytes;
}

export function rowBytes(row: Row): number {
  let bytes = rowOverheadBytes;
  for (const value of row) bytes += valueBytesOf(value);
  return bytes;
}

export class MemoryBudget {
  private usedBytes = 0;

  constructor(private readonly limitBytes: number = queryMemoryBytesMax) {}

  // Claims bytes an operator is about to hold; it gives them back with release() when done.
  // A refused claim holds nothing, so the operator's own count stays the budget's.
  charge(bytes: number): void {
    if (this.usedBytes + bytes > this.limitBytes) {
      throw new TideError('QUERY_MEMORY_EXCEEDED', `a query holds at most ${this.limitBytes} bytes of rows while it runs (joins, sorts, groups, DISTINCT); narrow it with WHERE or LIMIT`);
    }
    this.usedBytes += bytes;
  }

  release(bytes: number): void {
    this.usedBytes -= bytes;
  }

  get used(): number {
    return this.usedBytes;
  }
}
