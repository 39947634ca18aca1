// Wakes the change streams that are caught up, all in one pass after each apply, and sends
// their progress events from one shared ticker. A thousand idle subscribers then cost one
// loop over a list per apply and per tick — not a promise, a wake-up and a timer each — and
// the events a pass sends to one socket leave in one write (the sinks cork for the turn).
import { streamProgressMsMin } from '../base/limits.js';
import { TimeSlice } from '../base/time-slice.js';

// A stream with nothing left to send, waiting for the next apply.
export interface ParkedStream {
  // Sends what has applied since it parked, within the pass's slice. True if it is caught up
  // again and stays parked; false if it has left the dispatch to go on by itself (more to
  // read, a full buffer, or its end).
  catchUp(slice: TimeSlice): boolean;
  // Sends a progress event if one is due at `nowMs`.
  tick(nowMs: number): void;
}

// How often the ticker looks for due progress events: a progress event is at most this late.
const progressTickMs = streamProgressMsMin / 2;

export class StreamDispatch {
  private readonly parked = new Set<ParkedStream>();
  private passRequested = false;
  private passRunning = false;
  private ticking = false;
  private ticker: NodeJS.Timeout | null = null;

  // `beginPass` runs before each pass (the feed moves the point its reads serve up to).
  constructor(private readonly beginPass: () => void) {}

  park(stream: ParkedStream): void {
    this.parked.add(stream);
    if (this.ticker === null) {
      this.ticker = setInterval(() => void this.tick(), progressTickMs);
      // The streams' sockets keep the process up while they are open; the ticker alone must not.
      this.ticker.unref();
    }
  }

  unpark(stream: ParkedStream): void {
    this.parked.delete(stream);
    if (this.parked.size === 0 && this.ticker !== null) {
      clearInterval(this.ticker);
      this.ticker = null;
    }
  }

  get parkedCount(): number {
    return this.parked.size;
  }

  // After each apply. The pass runs once the current turn's I/O is done (the write's answer
  // leaves first), and applies that land before it starts share it.
  applied(): void {
    this.passRequested = true;
    if (this.passRunning) return;
    this.passRunning = true;
    setImmediate(() => void this.runPasses());
  }

  // One pass over the parked streams, sliced; an apply during a sliced pass asks for another,
  // since the streams already visited have not seen it.
  private async runPasses(): Promise<void> {
    const slice = new TimeSlice();
    try {
      while (this.passRequested) {
        this.passRequested = false;
        this.beginPass();
        for (const stream of [...this.parked]) {
          if (!this.parked.has(stream)) continue;
          stream.catchUp(slice);
          if (slice.expired()) await slice.yieldToLoop();
        }
      }
    } finally {
      this.passRunning = false;
    }
  }

  // Sliced as the passes are: streams opened together fall due together, and a thousand
  // progress events are a thousand socket writes.
  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const slice = new TimeSlice();
      const now = performance.now();
      for (const stream of [...this.parked]) {
        if (!this.parked.has(stream)) continue;
        stream.tick(now);
        if (slice.expired()) await slice.yieldToLoop();
      }
    } finally {
      this.ticking = false;
    }
  }
}
