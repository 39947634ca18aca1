// What a leader knows of one follower's log, and how much it may send it (etcd-io/raft's
// tracker.Progress). In `probe` the leader does not know where the follower's log matches its
// own: it sends one append and waits for the answer (or the next heartbeat's). In `replicate`
// it knows, and streams appends ahead of the acknowledgements, at most appendsInFlightMax.
import { assert } from '../../base/assert.js';
import { appendsInFlightMax } from '../../base/limits.js';

export type ProgressState = 'probe' | 'replicate';

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
  // In replicate: the last index of each append in flight, ascending.
  private inflight: bigint[] = [];

  constructor(next: bigint) {
    this.next = next;
  }

  get inflightCount(): number {
    return this.inflight.length;
  }

  isPaused(): boolean {
    return this.state === 'probe' ? this.probeSent : this.inflight.length >= appendsInFlightMax;
  }

  // An append ending at `lastIndex` (null when it carried no entries) went out.
  sent(lastIndex: bigint | null): void {
    if (this.state === 'probe') {
      this.probeSent = true;
      return;
    }
    if (lastIndex === null) return;
    assert(lastIndex >= this.next);
    this.next = lastIndex + 1n;
    this.inflight.push(lastIndex);
  }

  // The follower holds the leader's log through `index`. Returns whether that is news.
  maybeUpdate(index: bigint): boolean {
    this.probeSent = false;
    while (this.inflight.length > 0 && this.inflight[0]! <= index) this.inflight.shift();
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
    this.next = this.match + 1n;
  }

  becomeReplicate(): void {
    this.state = 'replicate';
    this.probeSent = false;
    this.inflight = [];
    this.next = this.match + 1n;
  }

  // A heartbeat answered: the follower is there. A probe may go again; in replicate, one slot
  // is freed, so that a window filled by lost appends sends again and meets the rejection
  // that turns it back to probe.
  heard(): void {
    this.recentActive = true;
    this.probeSent = false;
    if (this.state === 'replicate' && this.inflight.length >= appendsInFlightMax) this.inflight.shift();
  }
}
