// Batches proposed but not yet applied, as a stack of overlays on the applied state. The leader
// executes each new transaction on top of the newest, so two writes racing for one key see
// each other even while both wait for the same fsync; apply removes them from the bottom.
import { assert } from '../base/assert.js';
import type { OverlayView, SealedChanges, SealedStack } from '../sql/overlay-view.js';
import type { ReadView } from '../sql/read-view.js';

interface Pending {
  readonly index: bigint;
  readonly view: OverlayView;
  // What it changed, taken once when it joins the stack and used again when it leaves.
  readonly changes: SealedChanges;
}

export class PendingBatches {
  private readonly pending: Pending[] = [];
  // What the pending batches changed, so that the transaction executing on top finds the view
  // deciding a row without walking down the stack.
  private readonly sealed: SealedIndex;
  // The transaction executing on top of the tip, if any. It may yield to the loop between
  // rows, and the batches below it may be applied meanwhile.
  private executing: OverlayView | null = null;
  // The batches under the executing transaction were dropped (dropAll) while it executed.
  private executingDropped = false;

  constructor(private readonly applied: ReadView) {
    this.sealed = new SealedIndex(applied);
  }

  // The view a new transaction builds on.
  tip(): ReadView {
    return this.pending.at(-1)?.view ?? this.applied;
  }

  // Whether a pending batch changes the catalog: the tip's catalog is then not the applied one.
  changesCatalog(): boolean {
    return this.sealed.changesCatalog();
  }

  newestIndex(): bigint | null {
    return this.pending.at(-1)?.index ?? null;
  }

  beginExecuting(view: OverlayView): void {
    assert(this.executing === null, 'one transaction executes at a time');
    assert(view.base === this.tip());
    this.executing = view;
    view.sealedBelow = this.sealed;
  }

  // Returns false when the pending batches under the view were dropped meanwhile: what it
  // executed over may never apply, so its batch must not be proposed.
  endExecuting(view: OverlayView): boolean {
    assert(this.executing === view);
    this.executing = null;
    // Sealed from here on, the view may sit under others: an index of views above it must not
    // answer for it.
    view.sealedBelow = null;
    const sound = !this.executingDropped;
    this.executingDropped = false;
    return sound;
  }

  add(index: bigint, view: OverlayView): void {
    assert(view.base === this.tip(), 'a pending batch must sit on the newest one');
    const newest = this.newestIndex();
    assert(newest === null || index > newest);
    assert(view.sealedBelow === null, 'a batch is added once it has ended executing');
    const entry = { index, view, changes: view.sealedChanges() };
    this.pending.push(entry);
    this.sealed.add(entry);
  }

  // Called once the applied state holds everything up to `appliedIndex`. The view that sat on
  // the released ones now sits on the applied state, which holds what they held.
  release(appliedIndex: bigint): void {
    while (this.pending.length > 0 && this.pending[0]!.index <= appliedIndex) this.sealed.remove(this.pending.shift()!);
    const oldest = this.pending[0];
    if (oldest !== undefined) oldest.view.base = this.applied;
    else if (this.executing !== null) this.executing.base = this.applied;
  }

  // Forgets every pending batch: the node's term or role changed, so they may never apply (or
  // apply under a new leader, through the applied state). New transactions build on the
  // applied state; the one executing, if any, built on what was dropped and is refused.
  dropAll(): void {
    this.pending.length = 0;
    this.sealed.clear();
    if (this.executing !== null) {
      this.executingDropped = true;
      // It goes on over what it began on (its base still leads through the dropped batches)
      // until it ends and is refused; an emptied index would show it the applied state instead.
      this.executing.sealedBelow = null;
    }
  }
}

// For each key and each table, the newest pending batch that decides it: the one a lookup
// from the top of the stack would stop at. Kept as batches join the stack (at the top) and
// leave it (at the bottom, once applied).
class SealedIndex implements SealedStack {
  private readonly rows = new Map<number, Map<string, Pending>>();
  private readonly wholeTables = new Map<number, Pending>();
  private catalogChanges = 0;

  constructor(readonly bottom: ReadView) {}

  viewDeciding(tableId: number, keyText: string): OverlayView | null {
    const row = this.rows.get(tableId)?.get(keyText);
    const table = this.wholeTables.get(tableId);
    if (row === undefined) return table?.view ?? null;
    return table !== undefined && table.index > row.index ? table.view : row.view;
  }

  changesCatalog(): boolean {
    return this.catalogChanges > 0;
  }

  add(entry: Pending): void {
    const { changes } = entry;
    for (const [tableId, keys] of changes.rowKeys) {
      let byKey = this.rows.get(tableId);
      if (byKey === undefined) this.rows.set(tableId, (byKey = new Map()));
      for (const key of keys.keys()) byKey.set(key, entry);
    }
    for (const tableId of changes.wholeTables) this.wholeTables.set(tableId, entry);
    if (changes.changesCatalog) this.catalogChanges++;
  }

  // `entry`, the oldest, leaves the stack: what no newer batch decides falls to the bottom.
  remove(entry: Pending): void {
    const { changes } = entry;
    for (const [tableId, keys] of changes.rowKeys) {
      const byKey = this.rows.get(tableId);
      if (byKey === undefined) continue;
      for (const key of keys.keys()) if (byKey.get(key) === entry) byKey.delete(key);
      if (byKey.size === 0) this.rows.delete(tableId);
    }
    for (const tableId of changes.wholeTables) if (this.wholeTables.get(tableId) === entry) this.wholeTables.delete(tableId);
    if (changes.changesCatalog) this.catalogChanges--;
  }

  clear(): void {
    this.rows.clear();
    this.wholeTables.clear();
    this.catalogChanges = 0;
  }
}
