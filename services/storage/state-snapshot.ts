// The replicated state of a store as a Raft snapshot: what a follower behind the leader's
// compacted log installs instead of the entries it missed. It holds the catalog, the rows, the
// secondary index entries and the replicated meta keys (applied index and term, the next table
// id, auto-increment counters), all read in one LMDB read transaction, so one applied index.
// Not the changelog (each node's own history, pruned on its own schedule) nor node-local state.
//
// The snapshot is a sequence of chunks, each at most snapshotChunkBytesMax of records (a single
// larger record goes alone):
//   chunk:  [format u8][crc32 u32 of what follows][records]
//   record: [section u8][key length u32][key][value length u32][value]
// Sections come in order (meta, catalog, rows, indexes), keys in LMDB order within each; meta
// keys are UTF-8 and their values msgpack. A reader never holds more than one chunk: it reads
// the next one from where the last ended, by key, so no cursor stays open between chunks.
import { crc32 } from 'node:zlib';
import type { Database, Transaction } from 'lmdb';
import { assert } from '../base/assert.js';
import { TideError } from '../base/errors.js';
import { indexBuildChunkEntries, snapshotChunkBytesMax } from '../base/limits.js';
import { formatVersionKey } from './data-dir-format.js';
import { packr } from './row-codec.js';

export const snapshotFormat = 1;
const chunkHeaderBytes = 1 + 4;

export const snapshotSections = ['meta', 'catalog', 'rows', 'indexes'] as const;
export type SnapshotSection = (typeof snapshotSections)[number];

// Meta keys that are this node's own, never sent.
const localMetaKeys: ReadonlySet<string> = new Set([formatVersionKey]);

export function isReplicatedMetaKey(key: string): boolean {
  return !localMetaKeys.has(key);
}

export interface SnapshotDatabases {
  readonly meta: Database<unknown, string>;
  readonly catalog: Database<Buffer, Buffer>;
  readonly rows: Database<Buffer, Buffer>;
  readonly indexes: Database<Buffer, Buffer>;
}

export interface SnapshotRecord {
  readonly section: SnapshotSection;
  readonly key: Buffer;
  readonly value: Buffer;
}

// Chunks of one snapshot, for one follower. A chunk is usually asked for in order: the one
// after the last given, or the last one again (lost on the way); any other is read again from
// the start (a follower that restarted asks for chunk 0).
export class StateSnapshotReader {
  // Where the next chunk starts: a section, and the first key to read in it (null: its start).
  private section = 0;
  private from: Buffer | null = null;
  private produced = 0;
  private lastChunk: Uint8Array | null = null;
  private finished = false;

  constructor(
    private readonly databases: SnapshotDatabases,
    private readonly transaction: Transaction,
    readonly index: bigint,
    readonly term: bigint,
    private readonly chunkBytesMax: number = snapshotChunkBytesMax,
  ) {}

  chunk(number: number): { data: Uint8Array; last: boolean } {
    assert(Number.isInteger(number) && number >= 0);
    if (number === this.produced - 1 && this.lastChunk !== null) return { data: this.lastChunk, last: this.finished };
    if (number < this.produced) this.restart();
    for (;;) {
      assert(!this.finished || this.produced === 0, `snapshot chunk ${number} past the last, ${this.produced - 1}`);
      this.lastChunk = this.readChunk();
      this.produced++;
      if (this.produced > number) return { data: this.lastChunk, last: this.finished };
    }
  }

  done(): void {
    this.transaction.done();
  }

  private restart(): void {
    this.section = 0;
    this.from = null;
    this.produced = 0;
    this.lastChunk = null;
    this.finished = false;
  }

  private readChunk(): Uint8Array {
    const records: SnapshotRecord[] = [];
    let bytes = 0;
    if (this.section === 0) {
      // The meta keys are a few per table at most: chunk 0 holds them whole.
      for (const record of this.metaRecords()) {
        records.push(record);
        bytes += recordBytes(record);
      }
      this.section++;
    }
    while (this.section < snapshotSections.length) {
      const section = snapshotSections[this.section] as Exclude<SnapshotSection, 'meta'>;
      // Records are taken as they are read, and reading stops at the first that does not fit:
      // a chunk reads what it sends and one record more, whatever the size of the rows (reading
      // a fixed count of big rows to send a few of them made every chunk read many times its
      // size, and the copies kept the collector busy on the leader's loop).
      const range = this.databases[section].getRange({ transaction: this.transaction, limit: indexBuildChunkEntries, ...(this.from === null ? {} : { start: this.from }) });
      let read = 0;
      let lastTaken: Buffer | null = null;
      let full = false;
      for (const { key, value } of range) {
        read++;
        const record: SnapshotRecord = { section, key, value };
        const size = recordBytes(record);
        if (records.length > 0 && bytes + size > this.chunkBytesMax) {
          full = true;
          break;
        }
        records.push(record);
        bytes += size;
        lastTaken = key;
      }
      if (full) {
        if (lastTaken !== null) this.from = nextKey(lastTaken);
        break;
      }
      if (read < indexBuildChunkEntries) {
        this.section++;
        this.from = null;
      } else {
        this.from = nextKey(lastTaken!);
      }
    }
    this.finished = this.section >= snapshotSections.length;
    // One buffer, written once: the header, then each record.
    const chunk = Buffer.allocUnsafe(chunkHeaderBytes + bytes);
    chunk.writeUInt8(snapshotFormat, 0);
    let at = chunkHeaderBytes;
    for (const record of records) at = writeRecord(record, chunk, at);
    chunk.writeUInt32LE(crc32(chunk.subarray(chunkHeaderBytes)), 1);
    return chunk;
  }

  private metaRecords(): SnapshotRecord[] {
    const records: SnapshotRecord[] = [];
    for (const { key, value } of this.databases.meta.getRange({ transaction: this.transaction })) {
      if (isReplicatedMetaKey(key)) records.push({ section: 'meta', key: Buffer.from(key, 'utf8'), value: packr.pack(value) });
    }
    return records;
  }
}

// The records of a chunk, after checking its format and checksum; a chunk that fails either
// came damaged and must not be installed.
export function decodeSnapshotChunk(chunk: Uint8Array): SnapshotRecord[] {
  const payload = checkedPayload(chunk);
  const records: SnapshotRecord[] = [];
  let at = 0;
  const take = (length: number): Buffer => {
    if (length > payload.length - at) throw invalidSnapshot(`a record runs past its chunk at ${at}`);
    const part = payload.subarray(at, at + length);
    at += length;
    return part;
  };
  while (at < payload.length) {
    const code = take(1).readUInt8(0);
    const section = snapshotSections[code];
    if (section === undefined) throw invalidSnapshot(`unknown section ${code}`);
    const key = take(take(4).readUInt32LE(0));
    const value = take(take(4).readUInt32LE(0));
    records.push({ section, key, value });
  }
  return records;
}

// Checks a chunk's format and checksum as it arrives, before it is stored; throws
// SNAPSHOT_INVALID.
export function checkSnapshotChunk(chunk: Uint8Array): void {
  checkedPayload(chunk);
}

function checkedPayload(chunk: Uint8Array): Buffer {
  const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (bytes.length < chunkHeaderBytes) throw invalidSnapshot(`a chunk of ${bytes.length} bytes`);
  if (bytes.readUInt8(0) !== snapshotFormat) throw invalidSnapshot(`chunk format ${bytes.readUInt8(0)}, this node reads ${snapshotFormat}`);
  const payload = bytes.subarray(chunkHeaderBytes);
  if (crc32(payload) !== bytes.readUInt32LE(1)) throw invalidSnapshot('chunk checksum mismatch');
  return payload;
}

function invalidSnapshot(why: string): TideError {
  return new TideError('SNAPSHOT_INVALID', `snapshot chunk invalid: ${why}`);
}

function recordBytes(record: SnapshotRecord): number {
  return 1 + 4 + record.key.length + 4 + record.value.length;
}

// Writes the record into `into` at `at`; returns where the next one starts.
function writeRecord(record: SnapshotRecord, into: Buffer, at: number): number {
  at = into.writeUInt8(snapshotSections.indexOf(record.section), at);
  at = into.writeUInt32LE(record.key.length, at);
  at += record.key.copy(into, at);
  at = into.writeUInt32LE(record.value.length, at);
  return at + record.value.copy(into, at);
}

// The smallest key after `key` in LMDB's byte order.
function nextKey(key: Buffer): Buffer {
  return Buffer.concat([key, Buffer.from([0])]);
}
