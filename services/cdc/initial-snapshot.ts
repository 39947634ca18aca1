// The initial snapshot of the Kafka publisher: the rows of every published table as of one
// lsn, as op `r` events, before the changes after it. Needed when the changelog no longer
// holds a table's whole history (retention pruned it before publishing began).
//
// A snapshot takes many rounds and may be resumed by another process (a restart, a new
// leader), which can no longer read the state as of its lsn L directly. It does not need to:
// the changelog after L keeps each row's before-image (retention never passes the
// publisher's checkpoint, which stays at L until the snapshot ends), so a row's value at L is
// the before-image of its first change after L if it has one, and its current value if not.
// Every chunk is read that way, from one read transaction, in primary-key order; progress
// (the table and the last key done) goes with the round's checkpoint.
import { assert } from '../base/assert.js';
import { encodeRowKey } from '../storage/key-codec.js';
import { indexOfLsn } from '../storage/lsn.js';
import { isDdlRecord } from '../storage/types.js';
import type { ChangeRecord, ChangelogRecord, Row, TableDef } from '../storage/types.js';

// When a first publishing (no checkpoint) starts with the tables' rows: 'auto' when the
// changelog has been pruned and so cannot replay every table's history.
export const initialSnapshotModes = ['auto', 'always', 'never'] as const;
export type InitialSnapshotMode = (typeof initialSnapshotModes)[number];

export interface SnapshotProgress {
  // Every change up to this lsn is in the snapshot; the changes after it follow it.
  readonly atLsn: bigint;
  // When the snapshot began: the ts_ms of all its events, so a resumed chunk encodes the same.
  readonly tsMs: number;
  // The tables still to read, in order, the first being read now.
  readonly tableIds: readonly number[];
  // In the first table, the rows up to this key are done; null: none yet.
  readonly afterKey: Buffer | null;
}

export interface SnapshotRow {
  // The table version that wrote the row (the current one, or that of the before-image).
  readonly table: TableDef;
  readonly row: Row;
  // The last row of the whole snapshot (Debezium's snapshot: "last").
  readonly last: boolean;
}

// One read transaction of the store: its rows and its changelog, both as of `appliedIndex`.
export interface SnapshotView {
  readonly appliedIndex: bigint;
  scanRowsAfter(table: TableDef, afterKey: Buffer | null): Iterable<{ key: Buffer; row: Row }>;
  readChanges(fromLsn: bigint, limit: number): readonly ChangelogRecord[];
  done(): void;
}

export interface SnapshotSource {
  openSnapshot(): SnapshotView;
  tableVersion(id: number, version: number): TableDef | undefined;
  // The live version of a table by id, or undefined once it is dropped.
  liveTable(id: number): TableDef | undefined;
}

// How many changelog records one read takes while the before-images are gathered.
const changesPerRead = 4_096;

interface FirstChange {
  readonly row: Row | null;
  readonly table: TableDef;
}

export class SnapshotReader {
  // Per table, the first change after atLsn of each key (by hex of its row key); gathered
  // incrementally as the changelog grows, since a first change stays first.
  private readonly firstChanges = new Map<number, Map<string, FirstChange>>();
  private gatheredThrough: bigint;

  constructor(
    private readonly source: SnapshotSource,
    readonly atLsn: bigint,
  ) {
    this.gatheredThrough = atLsn;
  }

  // The next rows after `progress`, at most `limit`, and the progress after them (null when the
  // snapshot is complete).
  next(progress: SnapshotProgress, limit: number): { rows: SnapshotRow[]; progress: SnapshotProgress | null } {
    assert(progress.atLsn === this.atLsn, 'a snapshot reader serves one snapshot');
    const view = this.source.openSnapshot();
    try {
      this.gather(view, new Set(progress.tableIds));
      // Tables done need their before-images no more.
      for (const tableId of this.firstChanges.keys()) if (!progress.tableIds.includes(tableId)) this.firstChanges.delete(tableId);
      const rows: SnapshotRow[] = [];
      let tableIds = progress.tableIds;
      let afterKey = progress.afterKey;
      const pending = this.rowsFrom(view, progress.tableIds, progress.afterKey);
      let step = pending.next();
      while (!step.done && rows.length < limit) {
        const { tableIndex, key, table, row } = step.value;
        tableIds = progress.tableIds.slice(tableIndex);
        afterKey = key;
        step = pending.next();
        rows.push({ table, row, last: step.done === true });
      }
      if (step.done === true) return { rows, progress: null };
      // Closed before the view: a range read left open keeps the read transaction alive.
      pending.return(undefined);
      return { rows, progress: { ...progress, tableIds, afterKey } };
    } finally {
      view.done();
    }
  }

  // Every row at atLsn of the given tables from afterKey on, in order; tableIndex says which
  // table of the list it belongs to (offsets within the list passed in).
  private *rowsFrom(view: SnapshotView, tableIds: readonly number[], afterKey: Buffer | null): Generator<{ tableIndex: number; key: Buffer; table: TableDef; row: Row }> {
    for (const [tableIndex, tableId] of tableIds.entries()) {
      const table = this.source.liveTable(tableId);
      // A table dropped since the snapshot began: its rows as of atLsn are not kept anywhere.
      if (table === undefined) continue;
      const start = tableIndex === 0 ? afterKey : null;
      const changed = this.firstChanges.get(tableId) ?? new Map<string, FirstChange>();
      const changedKeys = [...changed.keys()].map((hex) => Buffer.from(hex, 'hex')).filter((key) => start === null || Buffer.compare(key, start) > 0).sort(Buffer.compare);
      const current = view.scanRowsAfter(table, start)[Symbol.iterator]();
      let currentStep = current.next();
      let changedAt = 0;
      for (;;) {
        const changedKey = changedKeys[changedAt];
        if (currentStep.done === true && changedKey === undefined) break;
        const order = currentStep.done === true ? 1 : changedKey === undefined ? -1 : Buffer.compare(currentStep.value.key, changedKey);
        if (order < 0) {
          // Unchanged since atLsn: its value now is its value then.
          yield { tableIndex, key: currentStep.value.key, table, row: currentStep.value.row };
          currentStep = current.next();
          continue;
        }
        if (order === 0) currentStep = current.next();
        changedAt++;
        const first = changed.get(changedKey!.toString('hex'))!;
        // A key created after atLsn did not exist then.
        if (first.row !== null) yield { tableIndex, key: changedKey!, table: first.table, row: first.row };
      }
    }
  }

  // Reads the changelog after what was gathered, up to the view's applied index, keeping the
  // first change of each key of the tables still to read. (Synchronous: on a resumed snapshot
  // the first call reads every change since atLsn at once; bounded by retention, not sliced.)
  private gather(view: SnapshotView, tableIds: ReadonlySet<number>): void {
    for (;;) {
      const changes = view.readChanges(this.gatheredThrough + 1n, changesPerRead).filter((change) => indexOfLsn(change.lsn) <= view.appliedIndex);
      // Schema changes carry no rows: a table's rows at atLsn are in its row changes and scans.
      for (const change of changes) if (!isDdlRecord(change) && tableIds.has(change.tableId)) this.remember(change);
      if (changes.length === 0) return;
      this.gatheredThrough = changes.at(-1)!.lsn;
      if (changes.length < changesPerRead) return;
    }
  }

  private remember(change: ChangeRecord): void {
    // A truncate names no key. The rows it removed that had not changed since atLsn are then
    // in neither the current rows nor a before-image, so they are left out of the snapshot;
    // the truncate event that follows it removes them anyway, so a consumer ends up with the
    // same rows (as with a table dropped during the snapshot, which is passed over).
    if (change.op === 't') return;
    const table = this.source.tableVersion(change.tableId, change.schemaVersion);
    assert(table !== undefined, `change ${change.lsn} names unknown table ${change.tableId} version ${change.schemaVersion}`);
    const image = change.before ?? change.after;
    assert(image !== null);
    const hex = encodeRowKey(table, image).toString('hex');
    let changed = this.firstChanges.get(change.tableId);
    if (changed === undefined) {
      changed = new Map();
      this.firstChanges.set(change.tableId, changed);
    }
    if (!changed.has(hex)) changed.set(hex, { row: change.before, table });
  }
}
