// The Raft log on disk: segment files of checksummed records (log-record.ts), appended and
// made durable in groups. Segments are preallocated: written full of zeros when created, so an
// append writes into blocks the file already owns and cannot run out of space midway (nor does
// its durable write have to carry a new file size along). A write
// that still comes back short, or fails, is fatal: what it left on disk is unknown, and its
// entries must not be acknowledged. How a segment's end is told apart from a torn write and
// from damage is in log-segment-reader.ts.
import { join } from 'node:path';
import { assert } from '../../base/assert.js';
import { logPreallocateBytes, logSegmentBytesMax } from '../../base/limits.js';
import type { LogReader } from '../core/log-reader.js';
import type { HardState, LogEntry } from '../core/types.js';
import type { Member, MembershipRecord } from '../core/membership.js';
import { nodeLogDisk } from './log-disk.js';
import type { LogDisk, LogFile } from './log-disk.js';
import { encodeRecord } from './log-record.js';
import type { IndexedSegment } from './log-segment-index.js';
import { readRecords, recordDataBytes, recordStart, segmentLastIndex } from './log-segment-index.js';
import type { LogPosition, SegmentContents } from './log-segment-reader.js';
import { readSegment } from './log-segment-reader.js';
import { LogTermRuns } from './log-term-runs.js';

const hardStateFile = 'hardstate.json';
const membershipFile = 'membership.json';
// Present while the log is being replaced after an installed snapshot (restartAfter).
const restartFile = 'restart.json';
// Segments are opened with O_DSYNC (log-disk.ts): each append is durable when it returns.
// Preallocation writes zeros in pieces of this size, then syncs once.
const zeroChunkBytes = 1024 * 1024;

// Writes `bytes` at `position` of `file` and returns how many bytes were written: one write
// call, which may write fewer (a full disk). Injectable so that tests can make it come back short.
export type WriteAt = (file: LogFile, bytes: Buffer, position: number) => Promise<number>;

export interface LogStoreOptions {
  // The file system; node:fs unless given (a simulation passes a simulated disk).
  readonly disk?: LogDisk | undefined;
  readonly writeAt?: WriteAt;
  // The preallocation step; logPreallocateBytes unless given (a simulation keeps files small).
  readonly preallocateBytes?: number | undefined;
  // The size past which appends go to a new segment; logSegmentBytesMax unless given (a system
  // test lowers it so that segments roll and compaction drops them within seconds).
  readonly segmentBytesMax?: number | undefined;
  // The term of the entry at the applied index, when the state machine keeps it: the term of
  // the index before the log's first when the log starts right after the applied index.
  readonly appliedTerm?: bigint | undefined;
}

const writeAtOnce: WriteAt = async (file, bytes, position) => (await file.write(bytes, 0, bytes.length, position)).bytesWritten;

// A write to the log failed or came back short; the node must stop.
export class LogWriteError extends Error {
  override readonly name = 'LogWriteError';
}

// The log implements the core's LogReader from what is on disk: terms from runs kept in memory
// (log-term-runs.ts), entries read back from the segment files through the offsets kept for
// each (log-segment-index.ts). Only entries whose append has resolved are visible: lastIndex
// moves once a group is durable.
export class LogStore implements LogReader {
  private lastIndexValue: bigint;
  private lastTermValue: bigint;
  // The bytes preallocated for the active segment (the last); its endBytes is where the next
  // append goes.
  private activeCapacityBytes: number;
  // Set by a failed write: every later append fails with it, since the disk's state is unknown.
  private writeFailure: LogWriteError | null = null;
  // An append or a truncation is on the disk; the other must wait (the driver never overlaps them).
  private busy = false;

  private constructor(
    private readonly disk: LogDisk,
    private readonly dir: string,
    private readonly segments: IndexedSegment[],
    private active: LogFile,
    private readonly writeAt: WriteAt,
    private readonly preallocateBytes: number,
    private readonly segmentBytesMax: number,
    private termRuns: LogTermRuns,
    recovered: { last: LogPosition; activeCapacityBytes: number },
  ) {
    this.lastIndexValue = recovered.last.index;
    this.lastTermValue = recovered.last.term;
    this.activeCapacityBytes = recovered.activeCapacityBytes;
  }

  // Opens (or creates) the log in `dir` and returns it with the entries after `afterIndex`,
  // which the caller has not applied yet. Zeroes a torn tail; fails with LogDamageError when
  // records do not read back and no torn write explains it.
  static async open(dir: string, afterIndex: bigint, options: LogStoreOptions = {}): Promise<{ log: LogStore; entries: LogEntry[] }> {
    const writeAt = options.writeAt ?? writeAtOnce;
    const disk = options.disk ?? nodeLogDisk;
    disk.makeDirectory(dir);
    // A snapshot install that a crash interrupted (prepareRestart). If the state machine
    // holds the snapshot, the old log goes, whichever of its segments are left; if not, the
    // old log stands, and the follower is sent a snapshot again.
    const marker = disk.readAll(join(dir, restartFile));
    if (marker !== null) {
      const { index } = JSON.parse(marker.toString('utf8')) as { index: string };
      if (afterIndex >= BigInt(index)) {
        for (const segment of listSegments(disk, dir).reverse()) disk.unlink(segment.path);
        disk.syncDirectory(dir);
      }
      disk.unlink(join(dir, restartFile));
      disk.syncDirectory(dir);
    }
    const segments = listSegments(disk, dir);
    if (segments.length === 0) {
      // Created empty; preallocated below, as any active segment short of its size is.
      const first = segmentPath(dir, afterIndex + 1n);
      disk.create(first);
      disk.syncDirectory(dir);
      segments.push({ firstIndex: afterIndex + 1n, path: first, starts: [], endBytes: 0 });
    }
    const entries: LogEntry[] = [];
    const baseIndex = segments[0]!.firstIndex - 1n;
    const termRuns = new LogTermRuns(baseIndex, baseIndex === afterIndex ? options.appliedTerm : undefined);
    // Before the first record: its term when known, else 0 (any term may follow).
    let last: LogPosition = { index: baseIndex, term: termRuns.term(baseIndex) ?? 0n };
    let activeContents: SegmentContents | null = null;
    for (const [position, segment] of segments.entries()) {
      const isLast = position === segments.length - 1;
      assert(segment.firstIndex === last.index + 1n, `log segment ${segment.path} does not follow index ${last.index}`);
      // One segment in memory at a time; only its offsets and terms stay.
      const bytes = disk.readAll(segment.path);
      assert(bytes !== null, `log segment ${segment.path} vanished`);
      const contents = readSegment(bytes, segment.path, isLast, last);
      for (const entry of contents.records) {
        termRuns.append(entry.index, entry.term);
        if (entry.index > afterIndex) entries.push(entry);
      }
      // A loop, not push(...): a segment may hold more records than a call may take arguments.
      for (const start of contents.starts) segment.starts.push(start);
      segment.endBytes = contents.validBytes;
      last = contents.records.at(-1) ?? last;
      if (isLast) activeContents = contents;
    }
    assert(activeContents !== null);
    // The applied state can never be ahead of the log: the log is fsynced before apply.
    assert(afterIndex <= last.index, `applied index ${afterIndex} is past the log's end ${last.index}`);
    // The same term on both sides: the log and the state machine agree on the applied entry.
    const loggedTerm = termRuns.term(afterIndex);
    if (options.appliedTerm !== undefined && loggedTerm !== undefined) {
      assert(loggedTerm === options.appliedTerm, `applied entry ${afterIndex} has term ${options.appliedTerm}, the log says ${loggedTerm}`);
    }
    // Zero the torn tail, and preallocate a segment that is short of its size (new, or written
    // before segments were preallocated). Zeroing past the torn end is harmless.
    const { validBytes, tornEndBytes, fileBytes } = activeContents;
    const preallocateBytes = options.preallocateBytes ?? logPreallocateBytes;
    assert(preallocateBytes > 0);
    const segmentBytesMax = options.segmentBytesMax ?? logSegmentBytesMax;
    assert(segmentBytesMax > 0);
    const activeCapacityBytes = Math.max(fileBytes, Math.min(preallocateBytes, segmentBytesMax));
    const zeroEndBytes = fileBytes < activeCapacityBytes ? activeCapacityBytes : tornEndBytes;
    const activePath = segments.at(-1)!.path;
    if (zeroEndBytes > validBytes) await writeZeros(disk, activePath, validBytes, zeroEndBytes, writeAt);
    const active = await disk.open(activePath, true);
    const recovered = { last, activeCapacityBytes };
    return { log: new LogStore(disk, dir, segments, active, writeAt, preallocateBytes, segmentBytesMax, termRuns, recovered), entries };
  }

  get firstIndex(): bigint {
    return this.termRuns.firstIndex;
  }

  get lastIndex(): bigint {
    return this.lastIndexValue;
  }

  get lastTerm(): bigint {
    return this.lastTermValue;
  }

  term(index: bigint): bigint | undefined {
    return this.termRuns.term(index);
  }

  // Reads from the segment files: the sizes come from the offsets, so only the entries returned
  // are read.
  entries(lo: bigint, hi: bigint, bytesMax: number): readonly LogEntry[] {
    assert(lo >= this.firstIndex, 'entries below the first index');
    assert(lo <= hi);
    assert(hi <= this.lastIndexValue + 1n, 'entries past the last index');
    const result: LogEntry[] = [];
    let bytes = 0;
    let index = lo;
    for (let position = this.segmentPosition(lo); index < hi; position++) {
      const segment = this.segments[position]!;
      const segmentHi = segmentLastIndex(segment) + 1n < hi ? segmentLastIndex(segment) + 1n : hi;
      let end = index;
      for (; end < segmentHi; end++) {
        bytes += recordDataBytes(segment, end);
        if (end > lo && bytes > bytesMax) break;
      }
      if (end > index) for (const item of readRecords(this.disk, segment, index, end)) result.push(item);
      if (end < segmentHi) break;
      index = end;
    }
    return result;
  }

  // Writes the entries with one synchronous-data write: the group commit. Resolves only once
  // they are durable; rejects with LogWriteError (fatal) when they may not be.
  async append(entries: readonly LogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    if (this.writeFailure !== null) throw this.writeFailure;
    assert(!this.busy, 'an append while another write is on the disk');
    let expected = this.lastIndexValue + 1n;
    for (const entry of entries) {
      assert(entry.index === expected, `append of ${entry.index} after ${expected - 1n}`);
      expected++;
    }
    const first = entries[0]!;
    const last = entries.at(-1)!;
    const records = entries.map(encodeRecord);
    const bytes = Buffer.concat(records);
    this.busy = true;
    try {
      await this.makeRoom(first.index, bytes.length);
      const written = await this.writeAt(this.active, bytes, this.activeSegment.endBytes);
      if (written !== bytes.length) {
        throw new LogWriteError(`short write to the Raft log: ${written} of ${bytes.length} bytes of entries ${first.index}..${last.index}`);
      }
    } catch (error) {
      throw this.fail(error);
    } finally {
      this.busy = false;
    }
    const segment = this.activeSegment;
    for (const [position, record] of records.entries()) {
      segment.starts.push(segment.endBytes);
      segment.endBytes += record.length;
      this.termRuns.append(entries[position]!.index, entries[position]!.term);
    }
    this.lastIndexValue = last.index;
    this.lastTermValue = last.term;
  }

  // Removes every entry after `index` durably (a follower's conflicting suffix); appends then
  // go on at index + 1, of any term. The caller never cuts a committed entry, and never while
  // an append is on the disk.
  //
  // Crash safety. The steps, each durable before the next:
  //  1. delete the segments after the one that holds index + 1, the last first, fsyncing the
  //     directory after each: recovery then reads the old log ending at a segment boundary;
  //  2. zero the records after `index` in that segment, the last record first, one write each
  //     through the O_DSYNC handle: recovery reads the old log ending at a record, or a torn
  //     zeroing of one record, which is a torn tail (nothing sound follows it) and is cut.
  // So a crash at any point leaves the old log cut somewhere at or after `index`: never a gap,
  // never damage, never a cut record that reads back. Recovery cannot tell that from the old
  // log before its last appends, or (cut at `index`) from the truncated log, and every such
  // log is safe: the entries after `index` conflict with the current leader's, so none is
  // committed, and the driver truncates again when the leader's append arrives. The order
  // matters: zeroing first would leave a non-last segment with zeros in it (damage), and one
  // zeroing write over many records, torn with its front on disk and its back not, would
  // leave zeros followed by sound stale records whose indexes and terms continue the log,
  // which open must take for damage. Zeroing rather than cutting the file keeps the segment
  // preallocated, and it is what keeps stale records from ever reading as the log's next
  // (log-segment-reader.ts). The cost, one synchronous write per record cut, is paid only on a
  // conflict, for entries a deposed leader could not commit.
  async truncateAfter(index: bigint): Promise<void> {
    if (this.writeFailure !== null) throw this.writeFailure;
    assert(!this.busy, 'a truncation while another write is on the disk');
    const term = this.termRuns.term(index);
    assert(term !== undefined, `truncation after ${index}, outside ${this.firstIndex - 1n}..${this.lastIndexValue} or of unknown term`);
    if (index === this.lastIndexValue) return;
    // Held by reference, not position: dropThrough may shift the list while this awaits (it
    // never drops this segment, which holds an uncommitted entry and is not below the commit).
    const segment = this.segments[this.segmentPosition(index + 1n)]!;
    const cutPosition = Number(index + 1n - segment.firstIndex);
    this.busy = true;
    try {
      if (segment !== this.activeSegment) {
        const next = await this.disk.open(segment.path, true);
        await this.active.close();
        this.active = next;
        this.activeCapacityBytes = this.disk.sizeBytes(segment.path);
        while (this.activeSegment !== segment) {
          this.disk.unlink(this.segments.pop()!.path);
          this.disk.syncDirectory(this.dir);
        }
      }
      let recordBytesMax = 0;
      for (let position = cutPosition; position < segment.starts.length; position++) {
        recordBytesMax = Math.max(recordBytesMax, recordStart(segment, segment.firstIndex + BigInt(position) + 1n) - segment.starts[position]!);
      }
      const zeros = Buffer.alloc(recordBytesMax);
      for (let position = segment.starts.length - 1; position >= cutPosition; position--) {
        const start = segment.starts[position]!;
        const length = segment.endBytes - start;
        const written = await this.writeAt(this.active, zeros.subarray(0, length), start);
        if (written !== length) throw new LogWriteError(`short write while truncating ${segment.path}: ${written} of ${length} bytes at byte ${start}`);
        segment.starts.length = position;
        segment.endBytes = start;
      }
    } catch (error) {
      throw this.fail(error);
    } finally {
      this.busy = false;
    }
    this.termRuns.truncateAfter(index);
    this.lastIndexValue = index;
    this.lastTermValue = term;
  }

  // Says, durably, that a snapshot through `index` is about to be installed in the state
  // machine, after which restartAfter replaces this log. A crash anywhere in between is
  // resolved by the next open, from the applied index the state machine reports: at the
  // snapshot's, the old log goes (it may end before the applied index); below it, it stays.
  prepareRestart(index: bigint, term: bigint): void {
    this.disk.writeSynced(join(this.dir, restartFile), Buffer.from(JSON.stringify({ index: index.toString(), term: term.toString() })));
    this.disk.syncDirectory(this.dir);
  }

  // Replaces the whole log with an empty one that goes on after (index, term): a snapshot
  // through `index` was installed, and durably, in the state machine, which the caller
  // guarantees.
  async restartAfter(index: bigint, term: bigint): Promise<void> {
    if (this.writeFailure !== null) throw this.writeFailure;
    assert(!this.busy, 'a restart while another write is on the disk');
    this.busy = true;
    try {
      const marker = join(this.dir, restartFile);
      if (this.disk.readAll(marker) === null) this.prepareRestart(index, term);
      await this.active.close();
      for (const segment of this.segments.reverse()) this.disk.unlink(segment.path);
      this.segments.length = 0;
      this.disk.syncDirectory(this.dir);
      const path = segmentPath(this.dir, index + 1n);
      this.disk.create(path);
      const capacityBytes = Math.min(this.preallocateBytes, this.segmentBytesMax);
      await writeZeros(this.disk, path, 0, capacityBytes, this.writeAt);
      this.disk.syncDirectory(this.dir);
      this.active = await this.disk.open(path, true);
      this.segments.push({ firstIndex: index + 1n, path, starts: [], endBytes: 0 });
      this.activeCapacityBytes = capacityBytes;
      this.disk.unlink(marker);
      this.disk.syncDirectory(this.dir);
    } catch (error) {
      throw this.fail(error);
    } finally {
      this.busy = false;
    }
    this.termRuns = new LogTermRuns(index, term);
    this.lastIndexValue = index;
    this.lastTermValue = term;
  }

  // Deletes whole segments that hold only entries at or below `index` (their effect is durable
  // in LMDB). The active segment is never deleted.
  dropThrough(index: bigint): void {
    while (this.segments.length > 1 && this.segments[1]!.firstIndex <= index + 1n) {
      const dropped = this.segments.shift()!;
      this.disk.unlink(dropped.path);
      this.termRuns.dropThrough(dropped.firstIndex + BigInt(dropped.starts.length) - 1n);
    }
  }

  readHardState(): HardState {
    const bytes = this.disk.readAll(join(this.dir, hardStateFile));
    if (bytes === null) return { term: 0n, votedFor: null };
    const raw = JSON.parse(bytes.toString('utf8')) as { term: string; votedFor: number | null };
    return { term: BigInt(raw.term), votedFor: raw.votedFor };
  }

  saveHardState(state: HardState): void {
    this.replaceFile(hardStateFile, JSON.stringify({ term: state.term.toString(), votedFor: state.votedFor }));
  }

  // The configuration history (core/membership.ts), or null when none was ever saved: a node
  // that has only ever had the configuration it was started with.
  readMembership(): MembershipRecord[] | null {
    const bytes = this.disk.readAll(join(this.dir, membershipFile));
    if (bytes === null) return null;
    const raw = JSON.parse(bytes.toString('utf8')) as { index: string; members: Member[] }[];
    return raw.map((record) => ({ index: BigInt(record.index), membership: { members: record.members } }));
  }

  saveMembership(history: readonly MembershipRecord[]): void {
    this.replaceFile(membershipFile, JSON.stringify(history.map((record) => ({ index: record.index.toString(), members: record.membership.members }))));
  }

  // Write to a temporary file, fsync, rename over, fsync the directory: a crash leaves
  // either the old or the new content, never a mix.
  private replaceFile(name: string, text: string): void {
    const temporary = join(this.dir, `${name}.tmp`);
    this.disk.writeSynced(temporary, Buffer.from(text));
    this.disk.rename(temporary, join(this.dir, name));
    this.disk.syncDirectory(this.dir);
  }

  async close(): Promise<void> {
    await this.active.close();
  }

  // Preallocation runs ahead of the appends a step at a time (preallocateBytes), not a
  // whole segment at once: a node on a small disk still starts and runs until the disk is
  // full, and a step that does not fit fails before any entry of the group is written.
  // A group never straddles segments: one that would take the active segment past
  // segmentBytesMax goes to a new segment, preallocated to hold it even past that size.
  private async makeRoom(firstIndex: bigint, groupBytes: number): Promise<void> {
    const activeBytes = this.activeSegment.endBytes;
    const neededBytes = activeBytes + groupBytes;
    if (neededBytes <= this.activeCapacityBytes) return;
    // An empty segment is grown whatever the group's size: its name already says its first index.
    if (neededBytes <= this.segmentBytesMax || activeBytes === 0) {
      const capacityBytes = Math.max(neededBytes, Math.min(this.activeCapacityBytes + this.preallocateBytes, this.segmentBytesMax));
      await writeZeros(this.disk, this.segments.at(-1)!.path, this.activeCapacityBytes, capacityBytes, this.writeAt);
      this.activeCapacityBytes = capacityBytes;
      return;
    }
    const capacityBytes = Math.max(Math.min(this.preallocateBytes, this.segmentBytesMax), groupBytes);
    await this.roll(firstIndex, capacityBytes);
    this.activeCapacityBytes = capacityBytes;
  }

  // The new segment is whole and zeroed on disk, and named in the directory, before the first
  // group is written to it: a crash in between leaves an empty segment, which reads as such.
  private async roll(firstIndex: bigint, capacityBytes: number): Promise<void> {
    const path = segmentPath(this.dir, firstIndex);
    this.disk.create(path);
    await writeZeros(this.disk, path, 0, capacityBytes, this.writeAt);
    this.disk.syncDirectory(this.dir);
    const next = await this.disk.open(path, true);
    await this.active.close();
    this.active = next;
    this.segments.push({ firstIndex, path, starts: [], endBytes: 0 });
  }

  private get activeSegment(): IndexedSegment {
    return this.segments.at(-1)!;
  }

  // The position of the segment that holds `index` (the last one starting at or before it).
  private segmentPosition(index: bigint): number {
    let low = 0;
    let high = this.segments.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.segments[middle]!.firstIndex <= index) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  // Marks the log failed: what the disk holds is unknown, so no later write may be acknowledged.
  private fail(error: unknown): LogWriteError {
    this.writeFailure = error instanceof LogWriteError ? error : new LogWriteError(`write to the Raft log failed: ${String(error)}`, { cause: error });
    return this.writeFailure;
  }
}

// Writes zeros over [fromBytes, toBytes) of an existing file and syncs them once: blocks really
// written, unlike ftruncate's holes, which a full disk can still refuse to fill later.
async function writeZeros(disk: LogDisk, path: string, fromBytes: number, toBytes: number, writeAt: WriteAt): Promise<void> {
  const zeros = Buffer.alloc(Math.min(zeroChunkBytes, toBytes - fromBytes));
  const file = await disk.open(path, false);
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

function listSegments(disk: LogDisk, dir: string): IndexedSegment[] {
  return disk
    .list(dir)
    .filter((name) => /^\d{20}\.log$/.test(name))
    .sort()
    .map((name) => ({ firstIndex: BigInt(name.slice(0, 20)), path: join(dir, name), starts: [], endBytes: 0 }));
}

function segmentPath(dir: string, firstIndex: bigint): string {
  return join(dir, `${firstIndex.toString().padStart(20, '0')}.log`);
}
