// Reads one log segment and decides where its records end: at zeros, at a torn last write
// (cut by the caller), or at damage (the node stops).
//
// Segments are preallocated with zeros, so a sound segment is records, then zeros to its end.
// Only the last write to the log can be torn: the driver writes one group at a time and starts
// the next only once the previous one is durable, so a later record that reads back whole means
// the write before it had returned, and its entries were acknowledged. Hence bytes that are not
// a record, not zeros, are
// - a torn tail when no record after them continues the log: the caller zeroes them, losing
//   only a write whose fsync never returned;
// - damage when one does, or when they lie in a segment that is not the last (a later segment
//   exists only once every write before it returned): cutting would drop acknowledged entries.
// One group is one write, and a disk may persist its sectors out of order; should a crash leave
// a group's later record whole and an earlier one torn, this reads as damage too. Nothing
// acknowledged is lost then, but the record format cannot tell, and stopping is the safe error.
import type { LogEntry } from '../core/types.js';
import { decodeRecordAt, peekRecordHeader, recordHeaderBytes } from './log-record.js';

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
  // Where each record starts, in the order of `records`.
  readonly starts: readonly number[];
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
  const starts: number[] = [];
  let last = previous;
  let at = 0;
  for (;;) {
    const record = decodeRecordAt(bytes, at);
    if (record === null || !continues(record.entry, last)) break;
    records.push(record.entry);
    starts.push(at);
    last = record.entry;
    at = record.end;
  }
  const tornEndBytes = nonZeroEnd(bytes, at);
  if (tornEndBytes > at) {
    if (!isLast) throw new LogDamageError(`corrupt log record at byte ${at} of ${path}, a segment that is not the last`);
    const later = findContinuation(bytes, at, tornEndBytes, last);
    if (later !== null) {
      throw new LogDamageError(
        `corrupt log record at byte ${at} of ${path} (after index ${last.index}), followed by a sound record of index ` +
          `${later.index} at byte ${later.at}: not a torn last write, and cutting it would drop acknowledged entries`,
      );
    }
  }
  return { records, starts, validBytes: at, tornEndBytes, fileBytes: bytes.length };
}

// Raft's log has consecutive indexes and terms that never decrease; a record that breaks either
// is a stale one (from bytes a future truncation left behind), not the log's next.
function continues(entry: { readonly index: bigint; readonly term: bigint }, last: LogPosition): boolean {
  return entry.index === last.index + 1n && entry.term >= last.term;
}

// A sound record in [from, to) that could continue the log after `last`: crc right, term not
// lower, and an index the bytes skipped could account for (each damaged record takes at least
// a header's bytes), so a stale record of an older or unrelated index does not count.
function findContinuation(bytes: Buffer, from: number, to: number, last: LogPosition): { index: bigint; at: number } | null {
  for (let at = from + 1; at < to; at++) {
    const header = peekRecordHeader(bytes, at);
    if (header === null || header.term < last.term) continue;
    const skippedMax = BigInt(Math.floor((at - from) / recordHeaderBytes));
    if (header.index <= last.index || header.index > last.index + 1n + skippedMax) continue;
    if (decodeRecordAt(bytes, at) !== null) return { index: header.index, at };
  }
  return null;
}

// One past the last non-zero byte at or after `from`; `from` when only zeros follow.
function nonZeroEnd(bytes: Buffer, from: number): number {
  let end = bytes.length;
  while (end > from && bytes[end - 1] === 0) end--;
  return end;
}
