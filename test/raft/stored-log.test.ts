// Proves the core's store-backed log reads as the whole log would: random appends (with
// replaced suffixes), writes to the store, forgetting what is applied, and restarts that read
// everything back from the store, compared step by step with a MemoryLog holding it all.
import { describe, expect, it } from 'vitest';
import { MemoryLog } from '../../services/raft/core/log-reader.js';
import { StoredLog } from '../../services/raft/core/stored-log.js';
import type { LogEntry } from '../../services/raft/core/types.js';
import { seededRandom } from '../support/seeded-random.js';

const entry = (index: bigint, term: bigint): LogEntry => ({ index, term, kind: 'batch', data: new TextEncoder().encode(`${index}@${term}`) });

describe('StoredLog', () => {
  it('matches a MemoryLog through appends, store writes, forgetting and restarts (100 seeds)', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const random = seededRandom(seed);
      let whole = new MemoryLog(0n, 0n, []);
      // The store: written up to `written` of the whole log, in order, as the log writer does.
      let store = new MemoryLog(0n, 0n, []);
      let log = new StoredLog(store, 0n);
      let applied = 0n;
      let term = 1n;
      for (let step = 0; step < 150; step++) {
        const roll = random();
        if (roll < 0.4) {
          // Append, possibly replacing a suffix after the applied index.
          const from = applied + 1n + BigInt(Math.floor(random() * Number(whole.lastIndex - applied + 1n)));
          if (random() < 0.3) term++;
          const entries = Array.from({ length: 1 + Math.floor(random() * 4) }, (_, at) => entry(from + BigInt(at), term));
          whole.append(entries);
          log.append(entries);
        } else if (roll < 0.7) {
          // The store catches up with the log (a group written).
          let from = applied + 1n;
          while (from <= store.lastIndex && from <= whole.lastIndex && store.term(from) === whole.term(from)) from++;
          if (from <= whole.lastIndex) store.append(whole.entries(from, whole.lastIndex + 1n, Number.MAX_SAFE_INTEGER));
        } else if (roll < 0.9) {
          // Apply what the store holds of the log (persisted and committed, say), then forget it.
          let through = applied;
          while (through < store.lastIndex && store.term(through + 1n) === whole.term(through + 1n)) through++;
          applied = applied + BigInt(Math.floor(random() * Number(through - applied + 1n)));
          log.forgetThrough(applied);
        } else {
          // Restart: only the store survives; the whole log is what it holds.
          const kept = store.entries(1n, store.lastIndex + 1n, Number.MAX_SAFE_INTEGER);
          store = new MemoryLog(0n, 0n, kept);
          whole = new MemoryLog(0n, 0n, kept);
          log = new StoredLog(store, store.lastTerm ?? 0n);
        }
        expect(log.lastIndex).toBe(whole.lastIndex);
        const terms = (reader: StoredLog | MemoryLog): (bigint | undefined)[] => Array.from({ length: Number(whole.lastIndex) + 2 }, (_, at) => reader.term(BigInt(at)));
        expect(terms(log)).toEqual(terms(whole));
        const lo = 1n + BigInt(Math.floor(random() * Number(whole.lastIndex + 1n)));
        const bytesMax = Math.floor(random() * 40);
        expect(log.entries(lo, whole.lastIndex + 1n, bytesMax)).toEqual(whole.entries(lo, whole.lastIndex + 1n, bytesMax));
      }
    }
  });
});
