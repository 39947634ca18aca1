// Iterables without generators, for the per-row layers of a scan: a row passes through several
// of them, and a generator's resume at each layer costs more than a call does.

// `map(item)` for each item of `source`, lazily. Stopping early (a LIMIT, a break) closes the
// source, so an LMDB cursor under it is released at once; so does an error `map` throws (a
// for-of does not close an iterator whose next() threw, where a generator's loop would have
// closed its source).
export function mapIterable<T, U>(source: Iterable<T>, map: (item: T) => U): Iterable<U> {
  return {
    [Symbol.iterator](): Iterator<U> {
      const items = source[Symbol.iterator]();
      return {
        next(): IteratorResult<U> {
          const step = items.next();
          if (step.done === true) return { done: true, value: undefined };
          try {
            return { done: false, value: map(step.value) };
          } catch (error) {
            try {
              items.return?.();
            } catch {
              // The mapping's error is the one to report.
            }
            throw error;
          }
        },
        return(): IteratorResult<U> {
          items.return?.();
          return { done: true, value: undefined };
        },
      };
    },
  };
}
