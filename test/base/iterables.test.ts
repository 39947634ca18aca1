// mapIterable (services/base/iterables.ts), the plain iterator under a scan's per-row layers:
// it maps lazily, one item per pull, and closes its source both when the reader stops early
// and when the mapping throws, as a generator's loop over the source would.
import { describe, expect, it } from 'vitest';
import { mapIterable } from '../../services/base/iterables.js';

// A source that records what was pulled from it and whether it was closed.
function tracked(items: readonly number[]): { readonly source: Iterable<number>; readonly pulled: number[]; closed: boolean } {
  const state = { pulled: [] as number[], closed: false, source: null as unknown as Iterable<number> };
  state.source = (function* () {
    try {
      for (const item of items) {
        state.pulled.push(item);
        yield item;
      }
    } finally {
      state.closed = true;
    }
  })();
  return state;
}

describe('mapIterable', () => {
  it('maps each item as it is pulled, and runs the source to its end', () => {
    const state = tracked([1, 2, 3]);
    const doubled = mapIterable(state.source, (item) => item * 2);
    expect(state.pulled).toEqual([]);
    expect([...doubled]).toEqual([2, 4, 6]);
    expect(state.closed).toBe(true);
  });

  it('closes the source when the reader stops early', () => {
    const state = tracked([1, 2, 3, 4]);
    for (const item of mapIterable(state.source, (value) => value)) if (item === 2) break;
    expect(state.pulled).toEqual([1, 2]);
    expect(state.closed).toBe(true);
  });

  it('closes the source when the mapping throws, and passes the error on', () => {
    const state = tracked([1, 2, 3]);
    const failing = mapIterable(state.source, (item) => {
      if (item === 2) throw new Error('overflow at 2');
      return item;
    });
    expect(() => [...failing]).toThrow('overflow at 2');
    expect(state.pulled).toEqual([1, 2]);
    expect(state.closed).toBe(true);
  });
});
