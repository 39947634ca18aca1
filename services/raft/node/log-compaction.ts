// Drops Raft log segments whose entries the state machine holds durably. With LMDB's deferred
// meta sync the commit that applied index i is durable only once a later commit has completed,
// so each round drops the log through the index seen one round earlier, and only if the
// applied index has moved since (a later commit exists).
import { logCompactionIntervalMs } from '../../base/limits.js';

export interface AppliedStateIndex {
  appliedIndex(): bigint;
}

export interface CompactableLog {
  compactThrough(index: bigint): void;
}

export class LogCompaction {
  private candidate: bigint | null = null;
  private timer: NodeJS.Timeout | null = null;

  // `keepEntries`: how many entries behind the durable applied index stay in the log.
  constructor(
    private readonly state: AppliedStateIndex,
    private readonly log: CompactableLog,
    private readonly keepEntries: bigint = 0n,
  ) {}

  start(intervalMs: number = logCompactionIntervalMs): void {
    this.timer = setInterval(() => this.round(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  // One round; public so that a test can drive it without the clock.
  round(): void {
    const applied = this.state.appliedIndex();
    if (this.candidate !== null && applied > this.candidate && this.candidate > this.keepEntries) this.log.compactThrough(this.candidate - this.keepEntries);
    this.candidate = applied;
  }
}
