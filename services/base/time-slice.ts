// Cooperative slicing of long synchronous work. Work written as a generator yields between
// units (a row, a change); a driver runs it and gives the event loop back whenever the current
// slice has run past its budget, so one big statement cannot hold every other request — or,
// in a cluster, Raft's heartbeats — for longer than eventLoopSliceMsMax.
import { eventLoopSliceMsMax } from './limits.js';

// Work that yields between units and returns a T at the end.
export type Steps<T> = Generator<void, T, void>;

// When sliced work first ran in the current turn of the loop. Several requests can start in
// one turn (the poll phase hands over every socket that is ready), and each one's first slice
// would otherwise take a whole budget, back to back: the budget is the turn's, shared. The
// check phase that ends the turn clears it.
let turnStartedMs: number | null = null;

function markTurn(now: number): number {
  if (turnStartedMs === null) {
    turnStartedMs = now;
    setImmediate(() => (turnStartedMs = null));
  }
  return turnStartedMs;
}

// Work of its own that a slice may do before the turn's shared budget can end it.
const ownSliceMsMin = 1;

export class TimeSlice {
  private ownStartedMs = performance.now();
  private startedMs = markTurn(this.ownStartedMs);
  // Work that has not yet given the loop back: new, not resumed.
  private first = true;

  // `yieldsToWaiting`: the slice of work that holds nothing others wait for (a read-only
  // statement, a statement of an interactive transaction on its snapshot), which goes behind
  // work waiting for its next slice once it has had its own millisecond (see expired). A write
  // holding the write turn and Raft's apply do not: yielding there would hold up every write
  // behind them.
  constructor(
    private readonly budgetMs: number = eventLoopSliceMsMax,
    private readonly yieldsToWaiting = false,
  ) {}

  // Reads the clock at every unit: a unit is at least a row's worth of work (microseconds),
  // the clock a few tens of nanoseconds, and one unit can be costly (a row tested against a
  // long IN list or LIKE pattern), so skipping checks could overrun the budget many times.
  // A slice always gets a little time of its own, so that small work — most requests — runs
  // to its end at once however long the turn has been. Past that, new work that yields to
  // waiting work goes behind work already waiting for its next slice: a new request arrives in the poll
  // phase, before the waiting work resumes, and taking the turn's whole budget there it would
  // leave the waiting work a sliver per turn — under a steady stream of big queries, the one
  // that first had to wait would wait for ever more of the others.
  expired(): boolean {
    const now = performance.now();
    const own = now - this.ownStartedMs;
    return own > this.budgetMs || (own > ownSliceMsMin && (now - this.startedMs > this.budgetMs || (this.first && this.yieldsToWaiting && resumeQueue.length > 0)));
  }

  // Lets everything waiting on the loop run (I/O callbacks and timers included), then starts
  // a new slice.
  async yieldToLoop(): Promise<void> {
    this.first = false;
    await nextTurn();
    this.ownStartedMs = performance.now();
    this.startedMs = markTurn(this.ownStartedMs);
  }
}

// Sliced work resumes one slice per turn of the event loop. Each yield waiting on its own
// setImmediate would not do: every immediate queued before a turn's check phase runs in that
// phase, so N big requests would each take a slice back to back, holding the loop N slices
// long. Instead the yields wait in one queue, and each turn resumes only the first.
const resumeQueue: (() => void)[] = [];

export function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    resumeQueue.push(resolve);
    if (resumeQueue.length === 1) setImmediate(resumeOne);
  });
}

function resumeOne(): void {
  const resume = resumeQueue.shift();
  // The next waiter's turn comes after timers and I/O have had theirs.
  if (resumeQueue.length > 0) setImmediate(resumeOne);
  resume?.();
}

// Paces the yields of work whose units are tiny (a row of a scan: a microsecond or two). A
// yield passes up through every generator between the unit and its driver, which costs about
// as much as the unit; yielding once a short interval has passed keeps the driver's checks
// (and so its overrun of a slice) within that interval, at a clock read per unit.
export class YieldPacer {
  private lastMs = performance.now();

  constructor(private readonly intervalMs: number = yieldIntervalMs) {}

  due(): boolean {
    const now = performance.now();
    if (now - this.lastMs < this.intervalMs) return false;
    this.lastMs = now;
    return true;
  }
}

// A twentieth of a slice: a slice overruns its budget by at most that much.
const yieldIntervalMs = eventLoopSliceMsMax / 20;

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
  const finished = runSlice(steps, slice);
  return finished !== null ? finished.value : continueSliced(steps, slice);
}

async function continueSliced<T>(steps: Steps<T>, slice: TimeSlice): Promise<T> {
  for (;;) {
    await slice.yieldToLoop();
    const finished = runSlice(steps, slice);
    if (finished !== null) return finished.value;
  }
}

// Runs the work until it ends (its value) or the slice runs out (null).
function runSlice<T>(steps: Steps<T>, slice: TimeSlice): { readonly value: T } | null {
  for (;;) {
    const step = steps.next();
    if (step.done === true) return { value: step.value };
    if (slice.expired()) return null;
  }
}
