// Drops Raft log segments whose entries the state machine holds durably. LMDB commits without
// syncing and is synced at checkpoints (storage/lmdb-checkpoint.ts): after an unclean stop it
// goes back to its last checkpoint and the log replays from there, so the log is dropped only
// through the last checkpoint's applied index, never past it. Nor past the Raft node's own
// applied index: a snapshot being installed is checkpointed before the node has taken it and
// replaced its log, which must not be compacted toward the snapshot's index meanwhile.
import { logCompactionIntervalMs } from '../../base/limits.js';

export interface CheckpointedState {
  // The applied index of the state the state machine falls back to after any crash.
  checkpointedIndex(): bigint;
}

export interface CompactableLog {
  appliedIndex(): bigint;
  compactThrough(index: bigint): void;
}

export class LogCompaction {
  private compactedThrough = 0n;
  private timer: NodeJS.Timeout | null = null;

  // `keepEntries`: how many entries behind the checkpointed index stay in the log.
  constructor(
    private readonly state: CheckpointedState,
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
    const checkpointed = this.state.checkpointedIndex();
    const applied = this.log.appliedIndex();
    const through = (checkpointed < applied ? checkpointed : applied) - this.keepEntries;
    if (through <= this.compactedThrough) return;
    this.log.compactThrough(through);
    this.compactedThrough = through;
  }
}
