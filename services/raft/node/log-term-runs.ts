// The term of every index the log holds, kept as runs of equal terms: a Raft log's terms never
// decrease and change only when a leader changes, so a log of millions of entries has a handful
// of runs, and term(i) needs neither the entries nor the disk.
import { assert } from '../../base/assert.js';

interface Run {
  readonly firstIndex: bigint;
  readonly term: bigint;
}

export class LogTermRuns {
  // Ascending by firstIndex; each run lasts until the next one starts (the last, until lastIndex).
  private runs: Run[] = [];
  private lastIndexValue: bigint;

  // `baseIndex` is the index just before the first held; its term, when known (0 at index 0).
  constructor(
    private baseIndex: bigint,
    private baseTerm: bigint | undefined,
  ) {
    this.lastIndexValue = baseIndex;
    if (baseIndex === 0n) this.baseTerm = 0n;
  }

  get firstIndex(): bigint {
    return this.baseIndex + 1n;
  }

  get lastIndex(): bigint {
    return this.lastIndexValue;
  }

  // For baseIndex <= index <= lastIndex; undefined outside, and at baseIndex when unknown.
  term(index: bigint): bigint | undefined {
    if (index === this.baseIndex) return this.baseTerm;
    if (index < this.baseIndex || index > this.lastIndexValue) return undefined;
    let low = 0;
    let high = this.runs.length - 1;
    // The last run starting at or before `index`: one exists, since the first starts at firstIndex.
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.runs[middle]!.firstIndex <= index) low = middle;
      else high = middle - 1;
    }
    return this.runs[low]!.term;
  }

  append(index: bigint, term: bigint): void {
    assert(index === this.lastIndexValue + 1n, `term run append of ${index} after ${this.lastIndexValue}`);
    const last = this.runs.at(-1);
    if (last === undefined || last.term !== term) this.runs.push({ firstIndex: index, term });
    this.lastIndexValue = index;
  }

  // Forgets the terms after `index` (a conflicting suffix cut off).
  truncateAfter(index: bigint): void {
    assert(index >= this.baseIndex && index <= this.lastIndexValue, `term runs cut at ${index} outside ${this.baseIndex}..${this.lastIndexValue}`);
    while (this.runs.length > 0 && this.runs.at(-1)!.firstIndex > index) this.runs.pop();
    this.lastIndexValue = index;
  }

  // Forgets the terms before `index + 1`, keeping the term of `index` as the new base.
  dropThrough(index: bigint): void {
    if (index <= this.baseIndex) return;
    assert(index <= this.lastIndexValue);
    const term = this.term(index);
    while (this.runs.length > 1 && this.runs[1]!.firstIndex <= index + 1n) this.runs.shift();
    const first = this.runs[0];
    if (index === this.lastIndexValue) this.runs = [];
    else if (first !== undefined && first.firstIndex <= index) this.runs[0] = { firstIndex: index + 1n, term: first.term };
    this.baseIndex = index;
    this.baseTerm = term;
  }
}
