// Each change event's place in its transaction (Debezium's total_order and
// data_collection_order). One Raft entry is one transaction and its changes have consecutive
// lsns from offset 0, so total_order is the lsn's offset plus one; the per-table count needs
// the entry's earlier changes, which the publisher has usually just seen. When it has not (a
// round, a restart or a retry starts inside an entry), the entry's head is read again: at most
// one entry's changes, and only once per resumption.
import { assert } from '../base/assert.js';
import { indexOfLsn, lsnOf } from '../storage/lsn.js';
import type { ChangeRecord } from '../storage/types.js';
import type { TransactionPlace } from './change-encoder.js';

// Changes with lsn >= fromLsn, in lsn order, at most `limit`.
export type ReadChanges = (fromLsn: bigint, limit: number) => readonly ChangeRecord[];

export interface TableCount {
  readonly tableId: number;
  readonly schemaVersion: number;
  readonly count: number;
}

export function offsetInEntry(lsn: bigint): number {
  return Number(lsn - lsnOf(indexOfLsn(lsn), 0));
}

export class TransactionOrder {
  private entryIndex: bigint | null = null;
  // How many of the entry's changes are counted, and of those how many per table.
  private counted = 0;
  // Keyed by table id, in the order each table first appears in the entry.
  private readonly perTable = new Map<number, TableCount>();

  constructor(private readonly readChanges: ReadChanges) {}

  // Changes must come in lsn order; a change not right after the last one counted restarts the
  // count from the head of its entry.
  place(change: ChangeRecord): TransactionPlace {
    const index = indexOfLsn(change.lsn);
    const offset = offsetInEntry(change.lsn);
    if (index !== this.entryIndex || offset !== this.counted) this.recount(index, offset);
    this.count(change);
    return { totalOrder: offset + 1, dataCollectionOrder: this.perTable.get(change.tableId)!.count };
  }

  // The events per table of the entry of the change just placed, which must be its last: the
  // counts of the whole transaction, for its END marker.
  countsOfEntry(lastChange: ChangeRecord): readonly TableCount[] {
    assert(indexOfLsn(lastChange.lsn) === this.entryIndex && offsetInEntry(lastChange.lsn) === this.counted - 1, `entry counts asked at ${lastChange.lsn}, not the change just placed`);
    return [...this.perTable.values()];
  }

  private recount(index: bigint, offset: number): void {
    this.entryIndex = index;
    this.counted = 0;
    this.perTable.clear();
    if (offset === 0) return;
    const head = this.readChanges(lsnOf(index, 0), offset);
    // Retention removes whole entries and never passes the publisher's checkpoint, so the head
    // of an entry the publisher is inside is still there.
    assert(head.length === offset, `entry ${index} lost ${offset - head.length} of its first ${offset} changes`);
    for (const earlier of head) this.count(earlier);
  }

  private count(change: ChangeRecord): void {
    assert(offsetInEntry(change.lsn) === this.counted && indexOfLsn(change.lsn) === this.entryIndex);
    this.counted++;
    const counted = this.perTable.get(change.tableId);
    // One entry executes with one catalog, so all its changes of a table share a version.
    assert(counted === undefined || counted.schemaVersion === change.schemaVersion);
    this.perTable.set(change.tableId, { tableId: change.tableId, schemaVersion: change.schemaVersion, count: (counted?.count ?? 0) + 1 });
  }
}
