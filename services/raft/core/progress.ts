// What a leader knows of one follower's log, and how much it may send it (etcd-io/raft's
// tracker.Progress). In `probe` the leader does not know where the follower's log matches its
// own: it sends one append and waits for the answer (or the next heartbeat's). In `replicate`
// it knows, and streams appends ahead of the acknowledgements, at most appendsInFlightMax of
// them and appendsInFlightBytesMax of their entries' data (as etcd-io/raft's MaxInflightBytes:
// a follower far behind in big entries would otherwise get the whole window at once, and the
// leader encode and queue hundreds of megabytes in one turn of its event loop). In
// `snapshot` the follower needs entries the leader's log no longer holds: appends pause while
// the snapshot's chunks go out, one at a time, each once the previous one is acknowledged.
import { assert } from '../../base/assert.js';
import type { Membership } from './membership.js';
import { appendsInFlightBytesMax, appendsInFlightMax, snapshotChunkResendHeartbeats } from '../../base/limits.js';

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

// The snapshot being sent to a follower, and the chunk it wants next.
export interface PendingSnapshot {
  readonly index: bigint;
  readonly term: bigint;
  // The configuration at `index`, taken when the snapshot opened: the leader's history may
  // forget it as its log is compacted past the index while the chunks go out.
  readonly membership: Membership;
  nextChunk: number;
  // Heartbeat answers since the chunk in flight went out: a chunk lost on a broken connection
  // is sent again after a few, so that the transfer resumes where it stopped.
  heartbeatsSinceSent: number;
}

export class Progress {
  state: ProgressState = 'probe';
  // The follower's log matches the leader's through `match`, on its disk.
  match = 0n;
  // The next index to send.
  next: bigint;
  // Whether the follower answered anything since CheckQuorum last looked.
  recentActive = false;
  // In probe: an append is out and its answer not yet in.
  private probeSent = false;
  // In replicate: the last index and data bytes of each append in flight, ascending.
  private inflight: { readonly lastIndex: bigint; readonly bytes: number }[] = [];
  private inflightBytes = 0;
  // In snapshot: the snapshot going out.
  pendingSnapshot: PendingSnapshot | null = null;

  // `joining`: a member added after the cluster began, which is sent a snapshot rather than
  // the log from its first entry (raft-core.ts, sendAppend).
  constructor(
    next: bigint,
    readonly joining = false,
  ) {
    this.next = next;
  }

  get inflightCount(): number {
    return this.inflight.length;
  }

  isPaused(): boolean {
    if (this.state === 'snapshot') return true;
    return this.state === 'probe' ? this.probeSent : this.windowFull();
  }

  // One append always fits an empty window, however big its entries.
  private windowFull(): boolean {
    return this.inflight.length >= appendsInFlightMax || this.inflightBytes >= appendsInFlightBytesMax;
  }

  // An append ending at `lastIndex` (null when it carried no entries) with `bytes` of entry
  // data went out.
  sent(lastIndex: bigint | null, bytes = 0): void {
    if (this.state === 'probe') {
      this.probeSent = true;
      return;
    }
    if (lastIndex === null) return;
    assert(lastIndex >= this.next);
    this.next = lastIndex + 1n;
    this.inflight.push({ lastIndex, bytes });
    this.inflightBytes += bytes;
  }

  // The follower holds the leader's log through `index`. Returns whether that is news.
  maybeUpdate(index: bigint): boolean {
    this.probeSent = false;
    while (this.inflight.length > 0 && this.inflight[0]!.lastIndex <= index) this.freeOldest();
    if (index <= this.match) return false;
    this.match = index;
    if (this.next <= index) this.next = index + 1n;
    return true;
  }

  // The follower rejected an append after `rejected`; `hintNext` is where the leader believes
  // the logs may match from the follower's hint. Returns false for a stale rejection.
  maybeDecrease(rejected: bigint, hintNext: bigint): boolean {
    if (this.state === 'replicate') {
      // Appends after `match` were lost or did not fit: start over from what is known.
      if (rejected <= this.match) return false;
      this.next = this.match + 1n;
      return true;
    }
    // In probe only the answer to the append last sent counts.
    if (rejected !== this.next - 1n) return false;
    const candidate = hintNext < rejected ? hintNext : rejected;
    this.next = candidate > this.match + 1n ? candidate : this.match + 1n;
    this.probeSent = false;
    return true;
  }

  becomeProbe(): void {
    this.state = 'probe';
    this.probeSent = false;
    this.inflight = [];
    this.inflightBytes = 0;
    this.pendingSnapshot = null;
    this.next = this.match + 1n;
  }

  becomeReplicate(): void {
    this.state = 'replicate';
    this.probeSent = false;
    this.inflight = [];
    this.inflightBytes = 0;
    this.pendingSnapshot = null;
    this.next = this.match + 1n;
  }

  becomeSnapshot(index: bigint, term: bigint, membership: Membership): void {
    this.state = 'snapshot';
    this.probeSent = false;
    this.inflight = [];
    this.inflightBytes = 0;
    this.pendingSnapshot = { index, term, membership, nextChunk: 0, heartbeatsSinceSent: 0 };
  }

  // The follower installed the snapshot: its log matches through the snapshot's index.
  snapshotInstalled(): void {
    assert(this.pendingSnapshot !== null);
    if (this.pendingSnapshot.index > this.match) this.match = this.pendingSnapshot.index;
    this.becomeReplicate();
  }

  // A heartbeat answered: the follower is there. A probe may go again; in replicate, one slot
  // is freed, so that a window filled by lost appends sends again and meets the rejection
  // that turns it back to probe.
  heard(): void {
    this.recentActive = true;
    this.probeSent = false;
    if (this.pendingSnapshot !== null) this.pendingSnapshot.heartbeatsSinceSent++;
    if (this.state === 'replicate' && this.windowFull()) this.freeOldest();
  }

  private freeOldest(): void {
    const oldest = this.inflight.shift();
    if (oldest !== undefined) this.inflightBytes -= oldest.bytes;
  }

  // In snapshot: whether the chunk in flight has gone unanswered long enough to send again.
  snapshotChunkOverdue(): boolean {
    return this.pendingSnapshot !== null && this.pendingSnapshot.heartbeatsSinceSent >= snapshotChunkResendHeartbeats;
  }
}
