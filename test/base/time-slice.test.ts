// Sliced work takes turns fairly (services/base/time-slice.ts): a new read's slice, once it has
// had its own millisecond, ends while other work waits for its next slice, so that it goes
// behind that work. It arrives in the poll phase of a turn, before waiting work resumes in the
// check phase, and used to take the turn's whole budget there: under clients that keep sending
// big queries, work that once had to wait got a sliver per turn. Work that does not yield to
// waiting work (a write holding the write turn, Raft's apply) and work already resumed keep
// their slice. Budgets of a second keep the turn's budget out of these checks.
import { describe, expect, it } from 'vitest';
import { nextTurn, TimeSlice } from '../../services/base/time-slice.js';

function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('a time slice', () => {
  it('of new work that yields to waiting work ends after its own millisecond only while other work waits', async () => {
    const alone = new TimeSlice(1_000, true);
    spin(2);
    expect(alone.expired()).toBe(false);

    const waiting = nextTurn();
    const newcomer = new TimeSlice(1_000, true);
    spin(2);
    expect(newcomer.expired()).toBe(true);
    await waiting;
  });

  it('of a write, or of work already resumed, keeps its budget while other work waits', async () => {
    const resumed = new TimeSlice(1_000, true);
    await resumed.yieldToLoop();
    const write = new TimeSlice(1_000);
    const waiting = nextTurn();
    spin(2);
    expect(resumed.expired()).toBe(false);
    expect(write.expired()).toBe(false);
    await waiting;
  });
});
