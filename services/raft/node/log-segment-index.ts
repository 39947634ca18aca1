// Where each record of a segment lies, kept in memory from open on, so that the log can read a
// range of entries back from the file without holding them (and without scanning for them).
import { assert } from '../../base/assert.js';
import type { LogEntry } from '../core/types.js';
import type { LogDisk } from './log-disk.js';
import { decodeRecordAt, recordHeaderBytes } from './log-record.js';

export interface IndexedSegment {
  readonly firstIndex: bigint;
  readonly path: string;
  // starts[i] is where the record of index firstIndex + i begins; endBytes, where the last ends
  // (the next append goes there in the active segment).
  readonly starts: number[];
  endBytes: number;
}

export function segmentLastIndex(segment: IndexedSegment): bigint {
  return segment.firstIndex + BigInt(segment.starts.length) - 1n;
}

// Where the record of `index` begins, or endBytes for the index after the last.
export function recordStart(segment: IndexedSegment, index: bigint): number {
  const position = Number(index - segment.firstIndex);
  assert(position >= 0 && position <= segment.starts.length, `index ${index} is not in segment ${segment.path}`);
  return segment.starts[position] ?? segment.endBytes;
}

// The payload bytes of the record of `index`, from the offsets alone.
export function recordDataBytes(segment: IndexedSegment, index: bigint): number {
  return recordStart(segment, index + 1n) - recordStart(segment, index) - recordHeaderBytes;
}

// Reads the records [lo, hi) of one segment from its file. They were read back whole at open or
// written by this process, so one that no longer decodes is a bug or a disk that changed under
// us: the assert stops the node rather than hand a peer or the state machine a wrong entry.
export function readRecords(disk: LogDisk, segment: IndexedSegment, lo: bigint, hi: bigint): LogEntry[] {
  const fromBytes = recordStart(segment, lo);
  const bytes = Buffer.alloc(recordStart(segment, hi) - fromBytes);
  const read = disk.read(segment.path, bytes, fromBytes);
  assert(read === bytes.length, `short read of ${segment.path}: ${read} of ${bytes.length} bytes at byte ${fromBytes}`);
  const entries: LogEntry[] = [];
  for (let index = lo; index < hi; index++) {
    const record = decodeRecordAt(bytes, recordStart(segment, index) - fromBytes);
    assert(record !== null && record.entry.index === index, `log record ${index} of ${segment.path} no longer reads back`);
    entries.push(record.entry);
  }
  return entries;
}
