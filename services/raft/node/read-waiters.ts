// The driver's side of ReadIndex (core/read-index.ts): each linearizable read gets an id, waits
// for the core's read state, then for the state machine to apply through the index it names.
//
// A read state may never come (the leader the question went to crashed, a partition): a read
// still unanswered after `readTicksMax` ticks fails with NOT_LEADER, which a client may retry —
// a read changes nothing. Counted in ticks, not timers, so a simulation replays it.
// Waiting for the apply never fails on a change of leader, unlike a proposal's waiter: an index
// a leader confirmed is committed, and this node applies it whoever leads next.
import { TideError } from '../../base/errors.js';
import type { ReadState } from '../core/types.js';

interface Asked {
  readonly resolve: (index: bigint) => void;
  readonly reject: (error: unknown) => void;
  ticksLeft: number;
}

interface Applying {
  readonly index: bigint;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export class ReadWaiters {
  private nextId: bigint;
  private readonly asked = new Map<bigint, Asked>();
  private applying: Applying[] = [];

  // Ids start at a random point (`random` in [0, 1)): a leader's late answer to a read this node
  // asked before it restarted must not be taken for the answer to a new read of the same id,
  // which it would be if every incarnation counted from 1 — its index may be older than a
  // write acknowledged since. (Found by the simulation: a restart, then a delayed answer.)
  constructor(private readonly readTicksMax: number, random: () => number) {
    this.nextId = BigInt(Math.floor(random() * 2 ** 52)) << 11n;
  }

  // A new read's id, and its read index once the core answers.
  ask(): { readonly id: bigint; readonly index: Promise<bigint> } {
    const id = this.nextId++;
    const index = new Promise<bigint>((resolve, reject) => this.asked.set(id, { resolve, reject, ticksLeft: this.readTicksMax }));
    return { id, index };
  }

  answered(states: readonly ReadState[]): void {
    for (const { id, index } of states) {
      const asked = this.asked.get(id);
      if (asked === undefined) continue; // timed out meanwhile
      this.asked.delete(id);
      if (index === null) asked.reject(new TideError('NOT_LEADER', 'no leader could confirm this read now; retry'));
      else asked.resolve(index);
    }
  }

  tick(): void {
    for (const [id, asked] of this.asked) {
      if (--asked.ticksLeft > 0) continue;
      this.asked.delete(id);
      asked.reject(new TideError('NOT_LEADER', 'no leader confirmed this read in time; retry'));
    }
  }

  // Resolves once the state machine has applied through `index` (`appliedIndex` is where it is).
  waitApplied(index: bigint, appliedIndex: bigint): Promise<void> {
    if (index <= appliedIndex) return Promise.resolve();
    return new Promise((resolve, reject) => this.applying.push({ index, resolve, reject }));
  }

  appliedThrough(index: bigint): void {
    if (this.applying.length === 0) return;
    const done = this.applying.filter((waiter) => waiter.index <= index);
    if (done.length === 0) return;
    this.applying = this.applying.filter((waiter) => waiter.index > index);
    for (const waiter of done) waiter.resolve();
  }

  failAll(error: TideError): void {
    for (const asked of this.asked.values()) asked.reject(error);
    this.asked.clear();
    for (const waiter of this.applying.splice(0)) waiter.reject(error);
  }
}
