// Failed logins, counted per remote address in a sliding window: past loginFailuresMax within
// loginFailureWindowMs, the address may not try again until its oldest failure leaves the
// window. A success clears the address's count (as MySQL's max_connect_errors). The table of
// addresses is bounded; the oldest entry is forgotten first.
import { loginAddressesTrackedMax, loginFailureWindowMs, loginFailuresMax } from '../base/limits.js';

export interface LoginLimits {
  readonly failuresMax: number;
  readonly windowMs: number;
  readonly addressesMax: number;
}

export const loginLimitDefaults: LoginLimits = { failuresMax: loginFailuresMax, windowMs: loginFailureWindowMs, addressesMax: loginAddressesTrackedMax };

export class LoginLimiter {
  // Failure times per address, oldest first; the map's order is the addresses' insertion order.
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limits: LoginLimits = loginLimitDefaults,
    private readonly nowMs: () => number = Date.now,
  ) {}

  admits(address: string): boolean {
    return this.recent(address).length < this.limits.failuresMax;
  }

  // Counts a failure; answers how many the address has in the window now.
  failed(address: string): number {
    const times = this.recent(address);
    times.push(this.nowMs());
    this.failures.delete(address);
    this.failures.set(address, times);
    if (this.failures.size > this.limits.addressesMax) this.failures.delete(this.failures.keys().next().value as string);
    return times.length;
  }

  // Forgets the address's failures; answers whether it had any.
  succeeded(address: string): boolean {
    return this.failures.delete(address);
  }

  private recent(address: string): number[] {
    const since = this.nowMs() - this.limits.windowMs;
    return (this.failures.get(address) ?? []).filter((at) => at > since);
  }
}
