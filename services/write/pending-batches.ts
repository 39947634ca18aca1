// Batches proposed but not yet applied, as a stack of overlays on the applied state. The leader
// executes each new transaction on top of the newest, so two writes racing for one key see
// each other even while both wait for the same fsync; apply removes them from the bottom.
import { assert } from '../base/assert.js';
import type { OverlayView } from '../sql/overlay-view.js';
import type { ReadView } from '../sql/read-view.js';

export class PendingBatches {
  private readonly pending: { readonly index: bigint; readonly view: OverlayView }[] = [];
  // The transaction executing on top of the tip, if any. It may yield to the loop between
  // rows, and the batches below it may be applied meanwhile.
  private executing: OverlayView | null = null;
  // The batches under the executing transaction were dropped (dropAll) while it executed.
  private executingDropped = false;

  constructor(private readonly applied: ReadView) {}

  // The view a new transaction builds on.
  tip(): ReadView {
    return this.pending.at(-1)?.view ?? this.applied;
  }

  newestIndex(): bigint | null {
    return this.pending.at(-1)?.index ?? null;
  }

  beginExecuting(view: OverlayView): void {
    assert(this.executing === null, 'one transaction executes at a time');
    assert(view.base === this.tip());
    this.executing = view;
  }

  // Returns false when the pending batches under the view were dropped meanwhile: what it
  // executed over may never apply, so its batch must not be proposed.
  endExecuting(view: OverlayView): boolean {
    assert(this.executing === view);
    this.executing = null;
    const sound = !this.executingDropped;
    this.executingDropped = false;
    return sound;
  }

  add(index: bigint, view: OverlayView): void {
    assert(view.base === this.tip(), 'a pending batch must sit on the newest one');
    const newest = this.newestIndex();
    assert(newest === null || index > newest);
    this.pending.push({ index, view });
  }

  // Called once the applied state holds everything up to `appliedIndex`. The view that sat on
  // the released ones now sits on the applied state, which holds what they held.
  release(appliedIndex: bigint): void {
    while (this.pending.length > 0 && this.pending[0]!.index <= appliedIndex) this.pending.shift();
    const oldest = this.pending[0];
    if (oldest !== undefined) oldest.view.base = this.applied;
    else if (this.executing !== null) this.executing.base = this.applied;
  }

  // Forgets every pending batch: the node's term or role changed, so they may never apply (or
  // apply under a new leader, through the applied state). New transactions build on the
  // applied state; the one executing, if any, built on what was dropped and is refused.
  dropAll(): void {
    this.pending.length = 0;
    if (this.executing !== null) this.executingDropped = true;
  }
}
