// The largest ids of a set that changes one id at a time: the latest orders, since an order's
// id grows with every order placed. Adding is cheap; only removing one of the kept ids asks
// the caller for every id again (a deleted order among the latest few is rare).
export class LatestIds {
  // Descending, at most `size` long.
  private kept: number[] = [];

  constructor(private readonly size: number) {}

  // While fewer than `size` are kept, every id of the set is kept (remove() refills), so a
  // smaller id may take a free place without skipping a larger one.
  add(id: number): void {
    if (this.kept.includes(id)) return;
    const last = this.kept[this.kept.length - 1];
    if (this.kept.length >= this.size && last !== undefined && id < last) return;
    const at = this.kept.findIndex((kept) => kept < id);
    this.kept.splice(at < 0 ? this.kept.length : at, 0, id);
    if (this.kept.length > this.size) this.kept.pop();
  }

  // `allIds` is read only when a kept id goes, to find the one that takes its place.
  remove(id: number, allIds: () => Iterable<number>): void {
    if (!this.kept.includes(id)) return;
    this.kept = [];
    for (const other of allIds()) if (other !== id) this.add(other);
  }

  clear(): void {
    this.kept = [];
  }

  ids(): readonly number[] {
    return this.kept;
  }
}
