// Reads one log segment and decides where its records end: at zeros, at a torn last write
// (cut by the caller), or at damage (the node stops).
//
// Segments are preallocated with zeros, so a sound segment is records, then zeros to its end.
// Bytes that are neither, in the last segment, are taken for a torn last write, which the
// caller zeroes; in a segment that is not the last they are damage (a later segment exists
// only once every write before it returned).
import type { LogEntry } from '../core/types.js';
import { decodeRecordAt } from './log-record.js';

// The log's records do not read back as written, and no torn write explains it.
export class LogDamageError extends Error {
  override readonly name = 'LogDamageError';
}

// The last record read (before a segment's first: its first index - 1, term 0).
export interface LogPosition {
  readonly index: bigint;
  readonly term: bigint;
}

export interface SegmentContents {
  readonly records: readonly LogEntry[];
  // Where the records end: the next append goes here.
  readonly validBytes: number;
  // Where the torn write after validBytes ends (validBytes when only zeros follow): the stretch
  // to zero before appending, or a later open would take what follows the new records for
  // torn bytes, or worse, damage.
  readonly tornEndBytes: number;
  readonly fileBytes: number;
}

export function readSegment(bytes: Buffer, path: string, isLast: boolean, previous: LogPosition): SegmentContents {
  const records: LogEntry[] = [];
  let last = previous;
  let at = 0;
  for (;;) {
    const record = decodeRecordAt(bytes, at);
    if (record === null || !continues(record.entry, last)) break;
    records.push(record.entry);
    last = record.entry;
    at = record.end;
  }
  const tornEndBytes = nonZeroEnd(bytes, at);
  if (tornEndBytes > at && !isLast) throw new LogDamageError(`corrupt log record at byte ${at} of ${path}, a segment that is not the last`);
  return { records, validBytes: at, tornEndBytes, fileBytes: bytes.length };
}

// Raft's log has consecutive indexes and terms that never decrease; a record that breaks either
// is not the log's next.
function continues(entry: { readonly index: bigint; readonly term: bigint }, last: LogPosition): boolean {
  return entry.index === last.index + 1n && entry.term >= last.term;
}

// One past the last non-zero byte at or after `from`; `from` when only zeros follow.
function nonZeroEnd(bytes: Buffer, from: number): number {
  let end = bytes.length;
  while (end > from && bytes[end - 1] === 0) end--;
  return end;
}
