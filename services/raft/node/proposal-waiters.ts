// The clients waiting for their proposals, each keyed by its entry's (index, term): a waiter
// is answered for its own entry, never for another that a later leader put at the same index.
// When the node's term or role changes, the fate of every waiting proposal is unknown (it may
// commit under the next leader, or be replaced): all fail with OUTCOME_UNKNOWN, which is not
// retriable, so that no client or forwarder writes twice on its own.
import { TideError } from '../../base/errors.js';
import type { LogEntry } from '../core/types.js';

interface Waiter {
  readonly term: bigint;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export class ProposalWaiters {
  private readonly waiting = new Map<bigint, Waiter>();

  // Resolves once the entry (index, term) is applied here.
  wait(index: bigint, term: bigint): Promise<void> {
    return new Promise((resolve, reject) => {
      // An index is proposed once per term, and a new term fails every waiter first; should one
      // still wait there, its entry was replaced.
      const earlier = this.waiting.get(index);
      if (earlier !== undefined) earlier.reject(outcomeUnknown(`entry ${index} was replaced`));
      this.waiting.set(index, { term, resolve, reject });
    });
  }

  // Answers the waiters of entries just applied: their own entry, or another one that took
  // its place (then theirs never commits, but the client cannot be told more than "unknown":
  // a forwarder may have resent it).
  applied(entries: readonly LogEntry[]): void {
    if (this.waiting.size === 0) return;
    for (const entry of entries) {
      const waiter = this.waiting.get(entry.index);
      if (waiter === undefined) continue;
      this.waiting.delete(entry.index);
      if (waiter.term === entry.term) waiter.resolve();
      else waiter.reject(outcomeUnknown(`entry ${entry.index} was replaced by one of term ${entry.term}`));
    }
  }

  failAll(why: string): void {
    const failed = [...this.waiting.values()];
    this.waiting.clear();
    for (const waiter of failed) waiter.reject(outcomeUnknown(why));
  }

  get size(): number {
    return this.waiting.size;
  }
}

export function outcomeUnknown(why: string): TideError {
  return new TideError('OUTCOME_UNKNOWN', `the write's outcome is unknown (${why}): it may or may not be applied; read before retrying`);
}
