// Batches proposed but not yet applied, as a stack of overlays on the applied state. The leader
// executes each new transaction on top of the newest, so two writes racing for one key see
// each other even while both wait for the same fsync; apply removes them from the bottom.
import { assert } from '../base/assert.js';
import type { OverlayView } from '../sql/overlay-view.js';
import type { ReadView } from '../sql/read-view.js';

export class PendingBatches {
  private readonly pending: { readonly index: bigint; readonly view: OverlayView }[] = [];

  constructor(private readonly applied: ReadView) {}

  // The view a new transaction builds on.
  tip(): ReadView {
    return this.pending.at(-1)?.view ?? this.applied;
  }

  newestIndex(): bigint | null {
    return this.pending.at(-1)?.index ?? null;
  }

  add(index: bigint, view: OverlayView): void {
    assert(view.base === this.tip(), 'a pending batch must sit on the newest one');
    const newest = this.newestIndex();
    assert(newest === null || index > newest);
    this.pending.push({ index, view });
  }

  // Called once the applied state holds everything up to `appliedIndex`.
  release(appliedIndex: bigint): void {
    while (this.pending.length > 0 && this.pending[0]!.index <= appliedIndex) this.pending.shift();
    const oldest = this.pending[0];
    if (oldest !== undefined) oldest.view.base = this.applied;
  }
}
