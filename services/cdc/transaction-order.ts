// Each change event's place in its transaction (Debezium's total_order and
// data_collection_order), among the transaction's published changes (a table left out by
// --kafka-include/--kafka-exclude has no events, so it takes no places). One Raft entry is one
// transaction and its changes have consecutive lsns from offset 0; the counts need the entry's
// earlier changes, which the publisher has usually just seen. When it has not (a
// round, a restart or a retry starts inside an entry), the entry's head is read again: at most
// one entry's changes, and only once per resumption.
import { assert } from '../base/assert.js';
import { lsnChangeBits } from '../base/limits.js';
import { indexOfLsn, lsnOf } from '../storage/lsn.js';
import { isDdlRecord } from '../storage/types.js';
import type { ChangeRecord, ChangelogRecord } from '../storage/types.js';
import type { TransactionPlace } from './change-encoder.js';

// Changes with lsn >= fromLsn, in lsn order, at most `limit`.
export type ReadChanges = (fromLsn: bigint, limit: number) => readonly ChangelogRecord[];

export interface TableCount {
  readonly tableId: number;
  readonly schemaVersion: number;
  readonly count: number;
}

const changeOffsetMask = (1n << BigInt(lsnChangeBits)) - 1n;

export function offsetInEntry(lsn: bigint): number {
  return Number(lsn & changeOffsetMask);
}

export class TransactionOrder {
  private entryIndex: bigint | null = null;
  // How many of the entry's changes are counted, how many of those are published, and how
  // many per published table.
  private counted = 0;
  private placed = 0;
  // The lsn of the entry's next change, lsnOf(entryIndex, counted): a change with it continues
  // the count, with one comparison per change instead of splitting its lsn.
  private nextLsn: bigint | null = null;
  // Keyed by table id, in the order each table first appears in the entry; counted in place,
  // as every published change adds one.
  private readonly perTable = new Map<number, { tableId: number; schemaVersion: number; count: number }>();

  constructor(
    private readonly readChanges: ReadChanges,
    private readonly isPublished: (change: ChangelogRecord) => boolean = () => true,
  ) {}

  // Every change of the log must come, in lsn order, to place() if it is published and to
  // skip() if not; one not right after the last one counted restarts the count from the head
  // of its entry.
  place(change: ChangeRecord): TransactionPlace {
    this.reach(change);
    assert(this.isPublished(change), `change ${change.lsn} is not published and has no place`);
    this.count(change);
    return { totalOrder: this.placed, dataCollectionOrder: this.perTable.get(change.tableId)!.count };
  }

  skip(change: ChangelogRecord): void {
    this.reach(change);
    this.count(change);
  }

  // Whether no published change of `change`'s entry comes before it: its transaction's BEGIN
  // marker goes out with it.
  opensEntry(change: ChangelogRecord): boolean {
    this.reach(change);
    return this.placed === 0;
  }

  // Whether the entry of the change just counted has published changes (and so a BEGIN, and
  // needs an END).
  entryHasPlaces(): boolean {
    return this.placed > 0;
  }

  private reach(change: ChangelogRecord): void {
    if (change.lsn !== this.nextLsn) this.recount(indexOfLsn(change.lsn), offsetInEntry(change.lsn));
  }

  // The events per table of the entry of the change just placed, which must be its last: the
  // counts of the whole transaction, for its END marker.
  countsOfEntry(lastChange: ChangelogRecord): readonly TableCount[] {
    assert(indexOfLsn(lastChange.lsn) === this.entryIndex && offsetInEntry(lastChange.lsn) === this.counted - 1, `entry counts asked at ${lastChange.lsn}, not the change just placed`);
    return [...this.perTable.values()].map(({ tableId, schemaVersion, count }) => ({ tableId, schemaVersion, count }));
  }

  private recount(index: bigint, offset: number): void {
    this.entryIndex = index;
    this.counted = 0;
    this.placed = 0;
    this.perTable.clear();
    this.nextLsn = lsnOf(index, 0);
    if (offset === 0) return;
    const head = this.readChanges(lsnOf(index, 0), offset);
    // Retention removes whole entries and never passes the publisher's checkpoint, so the head
    // of an entry the publisher is inside is still there.
    assert(head.length === offset, `entry ${index} lost ${offset - head.length} of its first ${offset} changes`);
    for (const earlier of head) this.count(earlier);
  }

  private count(change: ChangelogRecord): void {
    assert(change.lsn === this.nextLsn);
    this.counted++;
    this.nextLsn = change.lsn + 1n;
    if (!this.isPublished(change)) return;
    // Schema changes go to the `_schema` topic, outside the transaction metadata (as Debezium's).
    assert(!isDdlRecord(change), `schema change ${change.lsn} counted as a published change`);
    this.placed++;
    const counted = this.perTable.get(change.tableId);
    if (counted === undefined) {
      this.perTable.set(change.tableId, { tableId: change.tableId, schemaVersion: change.schemaVersion, count: 1 });
      return;
    }
    // One entry executes with one catalog, so all its changes of a table share a version.
    assert(counted.schemaVersion === change.schemaVersion);
    counted.count++;
  }
}
