// The frames waiting to go to one peer: while its link is down or its socket is draining.
// Bounded in messages and bytes; when full, the newest message is dropped, not the oldest.
// Raft tolerates either (the core resends on its own schedule), but the queued messages are
// in the order the core sent them: a leader's appends there extend one another, and dropping
// the oldest would cut the head off that run, so that every append queued behind it arrives
// unfit and is rejected. Dropping the newest keeps what is queued a usable prefix.
import { assert } from '../../base/assert.js';

export interface SendQueueBounds {
  readonly messagesMax: number;
  readonly bytesMax: number;
}

export class SendQueue {
  private readonly payloads: Buffer[] = [];
  private head = 0;
  private bytes = 0;

  constructor(private readonly bounds: SendQueueBounds) {
    assert(bounds.messagesMax >= 1);
  }

  get length(): number {
    return this.payloads.length - this.head;
  }

  get queuedBytes(): number {
    return this.bytes;
  }

  // Queues the payload, or declines (returns false) when it would pass a bound.
  maybeAdd(payload: Buffer): boolean {
    if (this.length >= this.bounds.messagesMax || this.bytes + payload.length > this.bounds.bytesMax) return false;
    this.payloads.push(payload);
    this.bytes += payload.length;
    return true;
  }

  // The oldest payloads, up to `bytesMax` of them (at least one when any is queued).
  take(bytesMax: number): Buffer[] {
    const taken: Buffer[] = [];
    let takenBytes = 0;
    while (this.head < this.payloads.length) {
      const payload = this.payloads[this.head]!;
      if (taken.length > 0 && takenBytes + payload.length > bytesMax) break;
      taken.push(payload);
      takenBytes += payload.length;
      this.head++;
    }
    this.bytes -= takenBytes;
    // Compacts once the taken part dominates, so that shifting stays amortized O(1).
    if (this.head > 1024 && this.head * 2 > this.payloads.length) {
      this.payloads.splice(0, this.head);
      this.head = 0;
    }
    return taken;
  }

  clear(): void {
    this.payloads.length = 0;
    this.head = 0;
    this.bytes = 0;
  }
}
