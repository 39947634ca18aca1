// The Raft log on disk: segment files of checksummed records (log-record.ts), appended and
// made durable in groups. Segments are preallocated: written full of zeros when created, so an
// append writes into blocks the file already owns and cannot run out of space midway (nor does
// its durable write have to carry a new file size along). A write
// that still comes back short, or fails, is fatal: what it left on disk is unknown, and its
// entries must not be acknowledged. How a segment's end is told apart from a torn write and
// from damage is in log-segment-reader.ts.
import { constants as fsConstants, closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, writeFileSync, unlinkSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open as openFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assert } from '../../base/assert.js';
import { logPreallocateBytes, logSegmentBytesMax } from '../../base/limits.js';
import type { HardState, LogEntry } from '../core/types.js';
import { encodeRecord } from './log-record.js';
import type { LogPosition, SegmentContents } from './log-segment-reader.js';
import { readSegment } from './log-segment-reader.js';

const hardStateFile = 'hardstate.json';
// O_DSYNC: a write returns only once its data (and the size needed to read it back) is on
// disk, like write + fdatasync but in one call. One call means one trip through the thread
// pool, so a group's flush overlaps whatever the event loop does meanwhile (the LMDB apply).
const segmentOpenFlags = fsConstants.O_RDWR | fsConstants.O_DSYNC;
// Preallocation writes zeros in pieces of this size, then syncs once.
const zeroChunkBytes = 1024 * 1024;

// Writes `bytes` at `position` of `file` and returns how many bytes were written: one write
// call, which may write fewer (a full disk). Injectable so that tests can make it come back short.
export type WriteAt = (file: FileHandle, bytes: Buffer, position: number) => Promise<number>;

export interface LogStoreOptions {
  readonly writeAt?: WriteAt;
}

const writeAtOnce: WriteAt = async (file, bytes, position) => (await file.write(bytes, 0, bytes.length, position)).bytesWritten;

// A write to the log failed or came back short; the node must stop.
export class LogWriteError extends Error {
  override readonly name = 'LogWriteError';
}

interface Segment {
  readonly firstIndex: bigint;
  readonly path: string;
}

export class LogStore {
  private lastIndexValue: bigint;
  private lastTermValue: bigint;
  // Where the next append goes in the active segment, and the bytes preallocated for it.
  private activeBytes: number;
  private activeCapacityBytes: number;
  // Set by a failed write: every later append fails with it, since the disk's state is unknown.
  private writeFailure: LogWriteError | null = null;

  private constructor(
    private readonly dir: string,
    private readonly segments: Segment[],
    private active: FileHandle,
    private readonly writeAt: WriteAt,
    recovered: { last: LogPosition; activeBytes: number; activeCapacityBytes: number },
  ) {
    this.lastIndexValue = recovered.last.index;
    this.lastTermValue = recovered.last.term;
    this.activeBytes = recovered.activeBytes;
    this.activeCapacityBytes = recovered.activeCapacityBytes;
  }

  // Opens (or creates) the log in `dir` and returns it with the entries after `afterIndex`,
  // which the caller has not applied yet. Zeroes a torn tail; fails with LogDamageError when
  // records do not read back and no torn write explains it.
  static async open(dir: string, afterIndex: bigint, options: LogStoreOptions = {}): Promise<{ log: LogStore; entries: LogEntry[] }> {
    const writeAt = options.writeAt ?? writeAtOnce;
    mkdirSync(dir, { recursive: true });
    const segments = listSegments(dir);
    if (segments.length === 0) {
      // Created empty; preallocated below, as any active segment short of its size is.
      const first = segmentPath(dir, afterIndex + 1n);
      closeSync(openSync(first, 'a'));
      fsyncDirectory(dir);
      segments.push({ firstIndex: afterIndex + 1n, path: first });
    }
    const entries: LogEntry[] = [];
    let last: LogPosition = { index: segments[0]!.firstIndex - 1n, term: 0n };
    let activeContents: SegmentContents | null = null;
    for (const [position, segment] of segments.entries()) {
      const isLast = position === segments.length - 1;
      assert(segment.firstIndex === last.index + 1n, `log segment ${segment.path} does not follow index ${last.index}`);
      const contents = readSegment(readFileSync(segment.path), segment.path, isLast, last);
      for (const entry of contents.records) if (entry.index > afterIndex) entries.push(entry);
      last = contents.records.at(-1) ?? last;
      if (isLast) activeContents = contents;
    }
    assert(activeContents !== null);
    // The applied state can never be ahead of the log: the log is fsynced before apply.
    assert(afterIndex <= last.index, `applied index ${afterIndex} is past the log's end ${last.index}`);
    // Zero the torn tail, and preallocate a segment that is short of its size (new, or written
    // before segments were preallocated). Zeroing past the torn end is harmless.
    const { validBytes, tornEndBytes, fileBytes } = activeContents;
    const activeCapacityBytes = Math.max(fileBytes, Math.min(logPreallocateBytes, logSegmentBytesMax));
    const zeroEndBytes = fileBytes < activeCapacityBytes ? activeCapacityBytes : tornEndBytes;
    const activePath = segments.at(-1)!.path;
    if (zeroEndBytes > validBytes) await writeZeros(activePath, validBytes, zeroEndBytes, writeAt);
    const active = await openFile(activePath, segmentOpenFlags);
    const recovered = { last, activeBytes: validBytes, activeCapacityBytes };
    return { log: new LogStore(dir, segments, active, writeAt, recovered), entries };
  }

  get lastIndex(): bigint {
    return this.lastIndexValue;
  }

  get lastTerm(): bigint {
    return this.lastTermValue;
  }

  // Writes the entries with one synchronous-data write: the group commit. Resolves only once
  // they are durable; rejects with LogWriteError (fatal) when they may not be.
  async append(entries: readonly LogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    if (this.writeFailure !== null) throw this.writeFailure;
    let expected = this.lastIndexValue + 1n;
    for (const entry of entries) {
      assert(entry.index === expected, `append of ${entry.index} after ${expected - 1n}`);
      expected++;
    }
    const first = entries[0]!;
    const last = entries.at(-1)!;
    const bytes = Buffer.concat(entries.map(encodeRecord));
    try {
      await this.makeRoom(first.index, bytes.length);
      const written = await this.writeAt(this.active, bytes, this.activeBytes);
      if (written !== bytes.length) {
        throw new LogWriteError(`short write to the Raft log: ${written} of ${bytes.length} bytes of entries ${first.index}..${last.index}`);
      }
    } catch (error) {
      this.writeFailure = error instanceof LogWriteError ? error : new LogWriteError(`write to the Raft log failed: ${String(error)}`, { cause: error });
      throw this.writeFailure;
    }
    this.activeBytes += bytes.length;
    this.lastIndexValue = last.index;
    this.lastTermValue = last.term;
  }

  // Deletes whole segments that hold only entries at or below `index` (their effect is durable
  // in LMDB). The active segment is never deleted.
  dropThrough(index: bigint): void {
    while (this.segments.length > 1 && this.segments[1]!.firstIndex <= index + 1n) {
      const dropped = this.segments.shift()!;
      unlinkSync(dropped.path);
    }
  }

  readHardState(): HardState {
    try {
      const raw = JSON.parse(readFileSync(join(this.dir, hardStateFile), 'utf8')) as { term: string; votedFor: number | null };
      return { term: BigInt(raw.term), votedFor: raw.votedFor };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { term: 0n, votedFor: null };
      throw error;
    }
  }

  // Write to a temporary file, fsync, rename over, fsync the directory: a crash leaves
  // either the old or the new hard state, never a mix.
  saveHardState(state: HardState): void {
    const temporary = join(this.dir, `${hardStateFile}.tmp`);
    const fd = openSync(temporary, 'w');
    writeFileSync(fd, JSON.stringify({ term: state.term.toString(), votedFor: state.votedFor }));
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temporary, join(this.dir, hardStateFile));
    fsyncDirectory(this.dir);
  }

  async close(): Promise<void> {
    await this.active.close();
  }

  // Preallocation runs ahead of the appends a step at a time (logPreallocateBytes), not a
  // whole segment at once: a node on a small disk still starts and runs until the disk is
  // full, and a step that does not fit fails before any entry of the group is written.
  // A group never straddles segments: one that would take the active segment past
  // logSegmentBytesMax goes to a new segment, preallocated to hold it even past that size.
  private async makeRoom(firstIndex: bigint, groupBytes: number): Promise<void> {
    const neededBytes = this.activeBytes + groupBytes;
    if (neededBytes <= this.activeCapacityBytes) return;
    // An empty segment is grown whatever the group's size: its name already says its first index.
    if (neededBytes <= logSegmentBytesMax || this.activeBytes === 0) {
      const capacityBytes = Math.max(neededBytes, Math.min(this.activeCapacityBytes + logPreallocateBytes, logSegmentBytesMax));
      await writeZeros(this.segments.at(-1)!.path, this.activeCapacityBytes, capacityBytes, this.writeAt);
      this.activeCapacityBytes = capacityBytes;
      return;
    }
    const capacityBytes = Math.max(Math.min(logPreallocateBytes, logSegmentBytesMax), groupBytes);
    await this.roll(firstIndex, capacityBytes);
    this.activeCapacityBytes = capacityBytes;
  }

  // The new segment is whole and zeroed on disk, and named in the directory, before the first
  // group is written to it: a crash in between leaves an empty segment, which reads as such.
  private async roll(firstIndex: bigint, capacityBytes: number): Promise<void> {
    const path = segmentPath(this.dir, firstIndex);
    closeSync(openSync(path, 'w'));
    await writeZeros(path, 0, capacityBytes, this.writeAt);
    fsyncDirectory(this.dir);
    const next = await openFile(path, segmentOpenFlags);
    await this.active.close();
    this.active = next;
    this.segments.push({ firstIndex, path });
    this.activeBytes = 0;
  }
}

// Writes zeros over [fromBytes, toBytes) of an existing file and syncs them once: blocks really
// written, unlike ftruncate's holes, which a full disk can still refuse to fill later.
async function writeZeros(path: string, fromBytes: number, toBytes: number, writeAt: WriteAt): Promise<void> {
  const zeros = Buffer.alloc(Math.min(zeroChunkBytes, toBytes - fromBytes));
  const file = await openFile(path, 'r+');
  try {
    for (let at = fromBytes; at < toBytes; at += zeros.length) {
      const chunk = zeros.subarray(0, Math.min(zeros.length, toBytes - at));
      const written = await writeAt(file, chunk, at);
      if (written !== chunk.length) throw new LogWriteError(`short write while preallocating ${path}: ${written} of ${chunk.length} bytes at byte ${at}`);
    }
    await file.datasync();
  } finally {
    await file.close();
  }
}

function listSegments(dir: string): Segment[] {
  return readdirSync(dir)
    .filter((name) => /^\d{20}\.log$/.test(name))
    .sort()
    .map((name) => ({ firstIndex: BigInt(name.slice(0, 20)), path: join(dir, name) }));
}

function segmentPath(dir: string, firstIndex: bigint): string {
  return join(dir, `${firstIndex.toString().padStart(20, '0')}.log`);
}

// A new or renamed file is durable only once its directory entry is.
function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  fsyncSync(fd);
  closeSync(fd);
}

