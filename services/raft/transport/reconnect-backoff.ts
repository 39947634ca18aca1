// How long a link waits before redialing: exponential from the minimum to the maximum, with
// "equal jitter" (half the step fixed, half random), so that the nodes of a cluster spread their
// redials of a restarted peer and yet none redials at once in a tight loop.
import { assert } from '../../base/assert.js';

export class ReconnectBackoff {
  private failures = 0;

  constructor(
    private readonly delayMsMin: number,
    private readonly delayMsMax: number,
    private readonly random: () => number,
  ) {
    assert(delayMsMin > 0 && delayMsMin <= delayMsMax);
  }

  // The delay before the next dial, counting one more failure.
  nextDelayMs(): number {
    // Capped exponent: 2 ** 30 already passes any sane maximum, and more would overflow to
    // Infinity after a long outage.
    const stepMs = Math.min(this.delayMsMax, this.delayMsMin * 2 ** Math.min(this.failures, 30));
    this.failures++;
    return stepMs / 2 + (stepMs / 2) * this.random();
  }

  // A link came up: the next failure starts from the minimum again.
  reset(): void {
    this.failures = 0;
  }
}
