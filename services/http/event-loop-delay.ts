// How late the event loop runs, measured inside the node: every request, Raft tick and fsync
// callback waits behind whatever blocks the loop, so this is the first number to read when
// latency rises. Max, p99 and mean since the monitor started; never reset, to keep it simple.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { IntervalHistogram } from 'node:perf_hooks';

export interface EventLoopDelayStatus {
  readonly delay_max_ms: number;
  readonly delay_p99_ms: number;
  readonly delay_mean_ms: number;
}

// Node samples with a timer of this period. A coarser one misses short stalls; a finer one
// costs a wake-up per period on an idle node.
export const eventLoopResolutionMs = 10;

export class EventLoopDelay {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: eventLoopResolutionMs });

  // Called once the node listens, after replay, so startup work does not count as delay.
  start(): void {
    this.histogram.enable();
  }

  stop(): void {
    this.histogram.disable();
  }

  status(): EventLoopDelayStatus {
    // Before the first sample the histogram's mean is NaN and its min is 2^63: report zeros.
    if (this.histogram.count === 0) return { delay_max_ms: 0, delay_p99_ms: 0, delay_mean_ms: 0 };
    return {
      delay_max_ms: toDelayMs(this.histogram.max),
      delay_p99_ms: toDelayMs(this.histogram.percentile(99)),
      delay_mean_ms: toDelayMs(this.histogram.mean),
    };
  }
}

// The histogram records the time between two firings of its timer, the period included: an
// idle loop reads ~10 ms. The delay is what lies beyond the period.
function toDelayMs(intervalNs: number): number {
  const delayMs = intervalNs / 1e6 - eventLoopResolutionMs;
  return Math.max(0, Math.round(delayMs * 1_000) / 1_000);
}
