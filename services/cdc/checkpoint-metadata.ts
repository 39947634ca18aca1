// What the Kafka publisher keeps beside its checkpoint's lsn: the table selection the changes up
// to the checkpoint were published under, and a snapshot in progress. Publishing exactly once,
// it rides in the checkpoint's offset metadata, inside the round's Kafka transaction, so any
// node that takes over reads it there; at least once, in a note on the node that published.
//
// The selection is what lets a publisher restarted with more tables included know which ones
// are new to its topics: their rows as of the checkpoint go out first, as a snapshot (op r),
// before the changes after it, as Debezium does for tables added to its include list.
import { assert } from '../base/assert.js';
import type { SnapshotProgress } from './initial-snapshot.js';
import type { SelectionPatterns } from './table-selection.js';

// Which tables a snapshot reads: every published one (the first publishing's initial snapshot),
// or those the target selection publishes and the checkpoint's did not.
export type SnapshotScope = 'all' | 'added';

export interface SnapshotState {
  readonly scope: SnapshotScope;
  // The selection the snapshot publishes towards; the checkpoint's once it completes.
  readonly target: SelectionPatterns;
  readonly atLsn: bigint;
  readonly tsMs: number;
  // The table being read (the first of those left, which are read in id order), null: none left.
  readonly tableId: number | null;
  readonly afterKey: Buffer | null;
}

export interface CheckpointMetadata {
  // The selection the changes up to the checkpoint were published under; null when not known
  // (a checkpoint written before selections were kept, or a first publishing).
  readonly published: SelectionPatterns | null;
  readonly snapshot: SnapshotState | null;
}

export const noMetadata: CheckpointMetadata = { published: null, snapshot: null };

interface Stored {
  readonly v: 2;
  readonly sel: SelectionPatterns | null;
  readonly snap: { readonly scope: SnapshotScope; readonly to: SelectionPatterns; readonly at: string; readonly ts: number; readonly table: number | null; readonly after: string | null } | null;
}

// The first format held an initial snapshot's progress alone.
interface StoredBefore {
  readonly at: string;
  readonly ts: number;
  readonly table: number | null;
  readonly after: string | null;
}

export function snapshotStateOf(scope: SnapshotScope, target: SelectionPatterns, progress: SnapshotProgress): SnapshotState {
  return { scope, target, atLsn: progress.atLsn, tsMs: progress.tsMs, tableId: progress.tableIds[0] ?? null, afterKey: progress.afterKey };
}

// The progress to resume from, given the tables left from `tableId` on (in id order).
export function progressOf(snapshot: SnapshotState, tablesFrom: (firstId: number) => readonly number[]): SnapshotProgress {
  const tableIds = snapshot.tableId === null ? [] : tablesFrom(snapshot.tableId);
  // A key names a place in the table being read; if that table is gone, start the next one whole.
  const afterKey = snapshot.afterKey === null || tableIds[0] !== snapshot.tableId ? null : snapshot.afterKey;
  return { atLsn: snapshot.atLsn, tsMs: snapshot.tsMs, tableIds, afterKey };
}

export function encodeCheckpointMetadata(metadata: CheckpointMetadata): string {
  const snapshot = metadata.snapshot;
  const stored: Stored = {
    v: 2,
    sel: metadata.published,
    snap: snapshot === null ? null : { scope: snapshot.scope, to: snapshot.target, at: snapshot.atLsn.toString(), ts: snapshot.tsMs, table: snapshot.tableId, after: snapshot.afterKey?.toString('base64') ?? null },
  };
  const text = JSON.stringify(stored);
  assert(text.length <= checkpointMetadataBytesMax, `checkpoint metadata of ${text.length} bytes`);
  return text;
}

// `current`: the selection in force, which a snapshot of the first format published towards.
export function decodeCheckpointMetadata(text: string | null | undefined, current: SelectionPatterns): CheckpointMetadata {
  if (text === null || text === undefined || text === '') return noMetadata;
  const parsed = JSON.parse(text) as Stored | StoredBefore;
  if (!('v' in parsed)) {
    assert(typeof parsed.at === 'string' && Number.isSafeInteger(parsed.ts), `snapshot progress ${text}`);
    return { published: null, snapshot: { scope: 'all', target: current, atLsn: BigInt(parsed.at), tsMs: parsed.ts, tableId: parsed.table, afterKey: parsed.after === null ? null : Buffer.from(parsed.after, 'base64') } };
  }
  assert(parsed.v === 2, `checkpoint metadata of version ${String(parsed.v)}`);
  const snap = parsed.snap;
  if (snap !== null) assert(typeof snap.at === 'string' && Number.isSafeInteger(snap.ts) && (snap.scope === 'all' || snap.scope === 'added'), `snapshot progress ${text}`);
  return {
    published: parsed.sel,
    snapshot: snap === null ? null : { scope: snap.scope, target: snap.to, atLsn: BigInt(snap.at), tsMs: snap.ts, tableId: snap.table, afterKey: snap.after === null ? null : Buffer.from(snap.after, 'base64') },
  };
}

// Kafka's default offset.metadata.max.bytes. A key is at most keyBytesMax (under 2 KB, 2.7 KB in
// base64) and the two selections at most selectionPatternsLengthMax each, so it always fits.
const checkpointMetadataBytesMax = 4_096;
