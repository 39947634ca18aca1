// Proves the linearizability checker both ways: it accepts histories that some order explains
// (hand-written cases and random histories of a real sequential execution) and rejects those
// none does (stale reads, reads flipping back, corrupted reads), cross-checked on small random
// histories against a brute-force search over every order. SEED=n replays one random case.
import { describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { checkHistory } from './check-history.js';
import type { CheckResult, KvOperation } from './check-history.js';
import { partitionByKey } from './history.js';
import { illegalStep, registerInitialState, registerStep } from './register-model.js';
import type { RegisterState } from './register-model.js';
import { randomHistory, withOneReadChanged } from './random-history.js';
import { seededRandom } from '../seeded-random.js';

const put = (clientId: number, key: string, value: string, invokedAt: number, returnedAt: number | null): KvOperation => ({ kind: 'put', clientId, key, value, invokedAt, returnedAt });
const get = (clientId: number, key: string, value: string | null, invokedAt: number, returnedAt: number): KvOperation => ({ kind: 'get', clientId, key, value, invokedAt, returnedAt });

function verdict(result: CheckResult): CheckResult['kind'] {
  return result.kind;
}

function violationOf(result: CheckResult) {
  if (result.kind !== 'illegal') throw new Error(`expected a violation, got ${result.kind}`);
  return result.violation;
}

describe('hand-written histories', () => {
  it('accepts an empty history and a sequential one', () => {
    expect(checkHistory([])).toEqual({ kind: 'linearizable', keys: 0, operations: 0 });
    const history = [get(1, 'x', null, 0, 1), put(1, 'x', 'a', 2, 3), get(2, 'x', 'a', 4, 5), put(2, 'x', 'b', 6, 7), get(1, 'x', 'b', 8, 9)];
    expect(checkHistory(history)).toEqual({ kind: 'linearizable', keys: 1, operations: 5 });
  });

  it('accepts either value from a read concurrent with a write', () => {
    const before = [put(1, 'x', 'a', 0, 1), put(1, 'x', 'b', 2, 6)];
    expect(verdict(checkHistory([...before, get(2, 'x', 'a', 3, 4)]))).toBe('linearizable');
    expect(verdict(checkHistory([...before, get(2, 'x', 'b', 3, 4)]))).toBe('linearizable');
    expect(verdict(checkHistory([...before, get(2, 'x', 'c', 3, 4)]))).toBe('illegal');
  });

  it('accepts concurrent writes in either order, as long as every reader agrees on it', () => {
    const writes = [put(1, 'x', 'a', 0, 5), put(2, 'x', 'b', 1, 4)];
    expect(verdict(checkHistory([...writes, get(3, 'x', 'a', 6, 7), get(4, 'x', 'a', 8, 9)]))).toBe('linearizable');
    expect(verdict(checkHistory([...writes, get(3, 'x', 'b', 6, 7), get(4, 'x', 'b', 8, 9)]))).toBe('linearizable');
    // Once both writes completed, the register cannot change between two later reads.
    expect(verdict(checkHistory([...writes, get(3, 'x', 'a', 6, 7), get(4, 'x', 'b', 8, 9)]))).toBe('illegal');
  });

  it('counts operations that touch at an instant as concurrent', () => {
    expect(verdict(checkHistory([put(1, 'x', 'a', 0, 5), get(2, 'x', null, 5, 6)]))).toBe('linearizable');
    expect(verdict(checkHistory([put(1, 'x', 'a', 0, 5), get(2, 'x', null, 5.001, 6)]))).toBe('illegal');
  });

  it('rejects a stale read: an older value read after a newer write completed', () => {
    const history = [put(1, 'x', 'old', 0, 1), put(1, 'x', 'new', 2, 3), get(2, 'x', 'old', 4, 5)];
    const violation = violationOf(checkHistory(history));
    expect(violation.key).toBe('x');
    expect(violation.failing).toEqual(history[2]);
    expect(violation.minimal).toBe(true);
    expect(violation.message).toContain('get(x) -> "old"');
    // The write the read missed is named among those completed before it.
    expect(violation.message).toContain('put(x, "new")');
  });

  it('rejects a read that flips back to the old value after another read saw the new one', () => {
    const history = [put(1, 'x', 'a', 0, 1), put(1, 'x', 'b', 2, 10), get(2, 'x', 'b', 3, 4), get(3, 'x', 'a', 5, 6)];
    expect(violationOf(checkHistory(history)).failing).toEqual(history[3]);
  });

  it('names the key and the shortest failing prefix, not the later operations', () => {
    const history = [
      put(1, 'a', '1', 0, 1), get(2, 'a', '1', 2, 3),
      put(3, 'b', '1', 0, 1), put(3, 'b', '2', 2, 3), get(4, 'b', '1', 4, 5),
      put(3, 'b', '3', 6, 7), get(4, 'b', '3', 8, 9), put(1, 'a', '2', 10, 11),
    ];
    const violation = violationOf(checkHistory(history));
    expect(violation.key).toBe('b');
    expect(violation.failing).toEqual(history[4]);
    expect(violation.prefix).toEqual([history[2], history[3], history[4]]);
  });
});

describe('writes whose outcome is unknown', () => {
  const known = put(1, 'x', 'a', 0, 1);
  const unknown = put(2, 'x', 'b', 2, null);

  it('may have taken effect: reads see it', () => {
    expect(verdict(checkHistory([known, unknown, get(3, 'x', 'b', 3, 4), get(3, 'x', 'b', 5, 6)]))).toBe('linearizable');
  });

  it('may never take effect: reads keep seeing the value before it', () => {
    expect(verdict(checkHistory([known, unknown, get(3, 'x', 'a', 3, 4), get(3, 'x', 'a', 50, 60)]))).toBe('linearizable');
  });

  it('may take effect late: reads see the old value, then the new one', () => {
    expect(verdict(checkHistory([known, unknown, get(3, 'x', 'a', 3, 4), get(3, 'x', 'b', 50, 60)]))).toBe('linearizable');
  });

  it('cannot be undone once seen, nor seen before it was invoked', () => {
    expect(verdict(checkHistory([known, unknown, get(3, 'x', 'b', 3, 4), get(3, 'x', 'a', 5, 6)]))).toBe('illegal');
    expect(verdict(checkHistory([known, unknown, get(3, 'x', 'b', 1.5, 1.9)]))).toBe('illegal');
  });
});

describe('input and budget', () => {
  it('refuses a malformed history with REQUEST_INVALID', () => {
    expect(() => checkHistory([put(1, 'x', 'a', 5, 4)])).toThrow(expect.objectContaining({ code: 'REQUEST_INVALID' }));
    expect(() => checkHistory([put(1, 'x', 'a', Number.NaN, 4)])).toThrow(expect.objectContaining({ code: 'REQUEST_INVALID' }));
    // One client, two operations open at once.
    expect(() => checkHistory([put(1, 'x', 'a', 0, 4), get(1, 'x', null, 2, 3)])).toThrow(expect.objectContaining({ code: 'REQUEST_INVALID' }));
    // A client whose outcome is unknown is still open: it must go on under a new id.
    expect(() => checkHistory([put(1, 'x', 'a', 0, null), get(1, 'x', null, 2, 3)])).toThrow(expect.objectContaining({ code: 'REQUEST_INVALID' }));
  });

  it('answers unknown, naming the key, when the search runs past its step bound', () => {
    const history = randomHistory({ seed: 7, clients: 8, keys: 1, operations: 200, putShare: 0.5, unknownShare: 0.05 });
    expect(verdict(checkHistory(history))).toBe('linearizable');
    const result = checkHistory(history, { stepsMax: 20 });
    expect(result).toMatchObject({ kind: 'unknown', key: 'k0', reason: 'steps' });
  });

  it('answers unknown when the search runs past its time bound', () => {
    const history = randomHistory({ seed: 8, clients: 16, keys: 1, operations: 20_000, putShare: 0.5, unknownShare: 0 });
    expect(checkHistory(history, { timeMsMax: 0 })).toMatchObject({ kind: 'unknown', reason: 'time' });
  });
});

// An independent reference: try every order the real-time constraints allow, with no
// memoization and no linked lists. Exponential, so only for small histories.
function bruteForceLinearizable(history: readonly KvOperation[]): boolean {
  const search = (remaining: readonly KvOperation[], state: RegisterState): boolean => {
    // Writes of unknown outcome left over may never have happened.
    if (remaining.every((op) => op.kind === 'put' && op.returnedAt === null)) return true;
    const firstReturn = Math.min(...remaining.map((op) => op.returnedAt ?? Number.POSITIVE_INFINITY));
    return remaining.some((op, at) => {
      if (op.invokedAt > firstReturn) return false;
      const after = registerStep(state, op);
      return after !== illegalStep && search(remaining.filter((_, i) => i !== at), after);
    });
  };
  return [...partitionByKey(history).values()].every((ops) => search(ops, registerInitialState));
}

const seeds = (count: number): number[] => (process.env['SEED'] !== undefined ? [Number(process.env['SEED'])] : Array.from({ length: count }, (_, i) => i + 1));

describe('random histories of a real sequential execution', () => {
  it('agrees with the brute-force search on small histories, with one read changed to any value', () => {
    const tally = { legalChanges: 0, illegalChanges: 0 };
    for (const seed of seeds(400)) {
      // From 3 clients over 2 keys to 5 clients on one key with a quarter of writes unknown.
      const history = randomHistory({ seed, clients: 3 + (seed % 3), keys: 1 + (seed % 2), operations: 12, putShare: 0.45, unknownShare: 0.1 + (seed % 3) * 0.075 });
      expect(verdict(checkHistory(history)), `seed ${seed}`).toBe('linearizable');
      expect(bruteForceLinearizable(history), `seed ${seed}`).toBe(true);
      const pick = seededRandom(seed * 7919);
      const changed = withOneReadChanged(history, (n) => Math.floor(pick() * n), (read) => {
        const written = history.flatMap((op) => (op.kind === 'put' && op.key === read.key && op.value !== read.value ? [op.value] : []));
        const choices = [...written, ...(read.value === null ? [] : [null])];
        return choices[Math.floor(pick() * choices.length)] ?? 'never-written';
      });
      if (changed === null) continue;
      const expected = bruteForceLinearizable(changed.history);
      expect(verdict(checkHistory(changed.history)), `seed ${seed}`).toBe(expected ? 'linearizable' : 'illegal');
      if (expected) tally.legalChanges++;
      else tally.illegalChanges++;
    }
    // Both outcomes occur often, so the agreement above is tested on each side.
    if (process.env['SEED'] === undefined) {
      expect(tally.legalChanges).toBeGreaterThan(30);
      expect(tally.illegalChanges).toBeGreaterThan(100);
    }
  });

  it('accepts larger histories, and rejects them once a read returns a value never written', () => {
    for (const seed of seeds(40)) {
      const history = randomHistory({ seed, clients: 8, keys: 4, operations: 400, putShare: 0.4, unknownShare: 0.03 });
      expect(verdict(checkHistory(history)), `seed ${seed}`).toBe('linearizable');
      const pick = seededRandom(seed);
      const changed = withOneReadChanged(history, (n) => Math.floor(pick() * n), () => 'never-written');
      expect(changed).not.toBeNull();
      const violation = violationOf(checkHistory(changed!.history));
      expect(violation.key).toBe(changed!.changed.key);
      expect(violation.failing).toEqual(changed!.changed);
    }
  });

  it('checks 5,000 operations over 50 keys from 16 clients in seconds, both ways', () => {
    const history = randomHistory({ seed: 5000, clients: 16, keys: 50, operations: 5000, putShare: 0.5, unknownShare: 0.02 });
    expect(history).toHaveLength(5000);
    const acceptStart = performance.now();
    expect(checkHistory(history)).toEqual({ kind: 'linearizable', keys: 50, operations: 5000 });
    const acceptMs = performance.now() - acceptStart;

    // A stale read: the value a read saw replaced by the one written before it.
    const index = history.findLastIndex((op) => op.kind === 'get' && op.value !== null && history.some((w) => w.kind === 'put' && w.key === op.key && w.returnedAt !== null && w.returnedAt < op.invokedAt && w.value !== op.value));
    const read = history[index]!;
    const older = history.find((w) => w.kind === 'put' && w.key === read.key && w.returnedAt !== null && w.returnedAt < read.invokedAt && w.value !== read.value)!;
    const stale = history.map((op, at): KvOperation => (at === index && op.kind === 'get' ? { ...op, value: older.value } : op));
    const rejectStart = performance.now();
    const result = checkHistory(stale);
    const rejectMs = performance.now() - rejectStart;
    expect(violationOf(result).key).toBe(read.key);
    expect(acceptMs).toBeLessThan(5000);
    expect(rejectMs).toBeLessThan(5000);
  });

  it('checks 1,000 operations from 16 clients on one key in seconds', () => {
    // The worst case for the search: every operation on the same register, many concurrent.
    const history = randomHistory({ seed: 1000, clients: 16, keys: 1, operations: 1000, putShare: 0.5, unknownShare: 0.02 });
    const start = performance.now();
    expect(checkHistory(history)).toEqual({ kind: 'linearizable', keys: 1, operations: 1000 });
    expect(performance.now() - start).toBeLessThan(5000);
  });
});
