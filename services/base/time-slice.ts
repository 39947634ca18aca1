// Cooperative slicing of long synchronous work. Work written as a generator yields between
// units (a row, a change); a driver runs it and gives the event loop back whenever the current
// slice has run past its budget, so one big statement cannot hold every other request — or,
// in a cluster, Raft's heartbeats — for longer than eventLoopSliceMsMax.
import { eventLoopSliceMsMax } from './limits.js';

// Work that yields between units and returns a T at the end.
export type Steps<T> = Generator<void, T, void>;

export class TimeSlice {
  private startedMs = performance.now();

  constructor(private readonly budgetMs: number = eventLoopSliceMsMax) {}

  // Reads the clock at every unit: a unit is at least a row's worth of work (microseconds),
  // the clock a few tens of nanoseconds, and one unit can be costly (a row tested against a
  // long IN list or LIKE pattern), so skipping checks could overrun the budget many times.
  expired(): boolean {
    return performance.now() - this.startedMs > this.budgetMs;
  }

  // Lets everything waiting on the loop run (I/O callbacks included), then starts a new slice.
  async yieldToLoop(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.startedMs = performance.now();
  }
}

// Runs the work to its end without giving the loop back (for work known to be small).
export function runToEnd<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}

// Runs the work, giving the loop back whenever the slice runs out. Work that fits in the
// slice finishes synchronously and its value is returned as it is, not in a promise: callers
// that order work by the loop's turns (the write path) keep that order for small work.
export function runSliced<T>(steps: Steps<T>, slice: TimeSlice): T | Promise<T> {
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
    if (slice.expired()) return continueSliced(steps, slice);
  }
}

async function continueSliced<T>(steps: Steps<T>, slice: TimeSlice): Promise<T> {
  for (;;) {
    await slice.yieldToLoop();
    for (let step = steps.next(); ; step = steps.next()) {
      if (step.done === true) return step.value;
      if (slice.expired()) break;
    }
  }
}
