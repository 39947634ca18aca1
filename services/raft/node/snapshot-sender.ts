// The leader's side of snapshots for the core (core/types.ts SnapshotSource): one open state
// snapshot per follower being caught up, each an LMDB read transaction read a chunk at a time
// as the follower acknowledges them, so a transfer holds one chunk in memory, never the state.
import { assert } from '../../base/assert.js';
import type { SnapshotSource } from '../core/types.js';

// A snapshot of the applied state, read in chunks (storage/state-snapshot.ts's reader).
export interface OpenStateSnapshot {
  readonly index: bigint;
  readonly term: bigint;
  chunk(number: number): { data: Uint8Array; last: boolean };
  done(): void;
}

export class SnapshotSender implements SnapshotSource {
  private readonly open_ = new Map<number, OpenStateSnapshot>();
  // Snapshots opened for followers since start, for status and the simulation's coverage.
  openedCount = 0;

  constructor(private readonly openState: () => OpenStateSnapshot) {}

  // Followers with a snapshot open, for status.
  get followers(): readonly number[] {
    return [...this.open_.keys()];
  }

  open(to: number): { index: bigint; term: bigint } {
    this.close(to);
    const snapshot = this.openState();
    this.open_.set(to, snapshot);
    this.openedCount++;
    return { index: snapshot.index, term: snapshot.term };
  }

  chunk(to: number, chunk: number): { data: Uint8Array; last: boolean } {
    const snapshot = this.open_.get(to);
    assert(snapshot !== undefined, `a snapshot chunk for follower ${to}, who has none open`);
    return snapshot.chunk(chunk);
  }

  close(to: number): void {
    this.open_.get(to)?.done();
    this.open_.delete(to);
  }

  closeAll(): void {
    for (const to of [...this.open_.keys()]) this.close(to);
  }
}
