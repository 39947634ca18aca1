// One Raft log record on disk: [payload length u32][crc32 u32][index u64][term u64][kind u8]
// [payload], little-endian. The crc covers everything after itself, so a record that decodes
// with a matching crc is the one that was written (a torn or flipped record does not).
import { crc32 } from 'node:zlib';
import type { EntryKind, LogEntry } from '../core/types.js';

export const recordHeaderBytes = 4 + 4 + 8 + 8 + 1;
const kindCodes: Record<EntryKind, number> = { noop: 0, batch: 1, config: 2 };
const kindsByCode: readonly EntryKind[] = ['noop', 'batch', 'config'];

export function encodeRecord(entry: LogEntry): Buffer {
  const record = Buffer.alloc(recordHeaderBytes + entry.data.length);
  record.writeUInt32LE(entry.data.length, 0);
  record.writeBigUInt64LE(entry.index, 8);
  record.writeBigUInt64LE(entry.term, 16);
  record.writeUInt8(kindCodes[entry.kind], 24);
  record.set(entry.data, recordHeaderBytes);
  record.writeUInt32LE(crc32(record.subarray(8)), 4);
  return record;
}

// The header fields of a record that would start at `at`, unchecked: cheap enough to try at
// every byte of a damaged stretch before paying for a crc.
export function peekRecordHeader(bytes: Buffer, at: number): { readonly index: bigint; readonly term: bigint; readonly end: number } | null {
  if (at + recordHeaderBytes > bytes.length) return null;
  const end = at + recordHeaderBytes + bytes.readUInt32LE(at);
  if (end > bytes.length) return null;
  if (kindsByCode[bytes.readUInt8(at + 24)] === undefined) return null;
  return { index: bytes.readBigUInt64LE(at + 8), term: bytes.readBigUInt64LE(at + 16), end };
}

// The record at `at`, or null if none is there whole with a matching crc.
export function decodeRecordAt(bytes: Buffer, at: number): { readonly entry: LogEntry; readonly end: number } | null {
  const header = peekRecordHeader(bytes, at);
  if (header === null) return null;
  if (crc32(bytes.subarray(at + 8, header.end)) !== bytes.readUInt32LE(at + 4)) return null;
  const entry: LogEntry = {
    index: header.index,
    term: header.term,
    kind: kindsByCode[bytes.readUInt8(at + 24)]!,
    data: Uint8Array.prototype.slice.call(bytes, at + recordHeaderBytes, header.end),
  };
  return { entry, end: header.end };
}
