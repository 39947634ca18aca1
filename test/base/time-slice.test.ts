// Sliced work takes turns fairly (services/base/time-slice.ts): big work waiting for its next
// slice is not overtaken again and again by big work that keeps arriving after it, as a query
// among clients that each send the next as soon as theirs is answered. A newcomer starts in an
// earlier phase of the loop's turn than waiting work resumes in (a timer here, a request's
// socket in the node) and used to take the turn's whole budget there, leaving the waiting work
// a sliver per turn: it finished after every newcomer.
import { describe, expect, it } from 'vitest';
import { runSliced, TimeSlice } from '../../services/base/time-slice.js';
import type { Steps } from '../../services/base/time-slice.js';

// `units` units of about 0.2 ms of CPU each, yielding between them.
function* busy(units: number): Steps<void> {
  for (let unit = 0; unit < units; unit++) {
    const until = performance.now() + 0.2;
    while (performance.now() < until);
    yield;
  }
}

const newcomersMax = 20;

describe('sliced work', () => {
  it('that waits for its next slice is not overtaken by every piece of work that arrives after it', async () => {
    let firstDone = false;
    let newcomersBefore = 0;
    const newcomers: Promise<unknown>[] = [];
    // Newcomers of 8 ms each: as one starts, the next is due in a timer, so that one is ready
    // at the start of every turn, as requests of busy clients are.
    const arrive = (left: number): void => {
      if (left === 0 || firstDone) return;
      setTimeout(() => {
        arrive(left - 1);
        const done = runSliced(busy(40), new TimeSlice());
        newcomers.push(Promise.resolve(done).then(() => (firstDone ? undefined : newcomersBefore++)));
      }, 0);
    };
    // 40 ms of work; its first slice runs now and ends with the budget.
    const first = runSliced(busy(200), new TimeSlice());
    expect(first).toBeInstanceOf(Promise);
    arrive(newcomersMax);
    await (first as Promise<void>).then(() => (firstDone = true));
    await Promise.all(newcomers);
    // Sharing the loop evenly, the first gets its 40 ms while about five newcomers get theirs;
    // a sliver per turn, it would still be waiting after all twenty.
    expect(newcomersBefore).toBeLessThanOrEqual(10);
  });
});
