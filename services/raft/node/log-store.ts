// The Raft log on disk: segment files of checksummed records (log-record.ts), appended and
// fsynced in groups. A torn record at the end of the last segment is a write that was never
// acknowledged (its fsync did not return), so opening truncates it; damage anywhere else is
// corruption and stops the node.
import { constants as fsConstants, closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, writeFileSync, unlinkSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open as openFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assert } from '../../base/assert.js';
import { logSegmentBytesMax } from '../../base/limits.js';
import type { HardState, LogEntry } from '../core/types.js';
import { decodeRecordAt, encodeRecord } from './log-record.js';

const hardStateFile = 'hardstate.json';
// O_DSYNC: a write returns only once its data (and the size needed to read it back) is on
// disk, like write + fdatasync but in one call. One call means one trip through the thread
// pool, so a group's flush overlaps whatever the event loop does meanwhile (the LMDB apply).
const segmentOpenFlags = fsConstants.O_RDWR | fsConstants.O_DSYNC;

interface Segment {
  readonly firstIndex: bigint;
  readonly path: string;
}

export class LogStore {
  private lastIndexValue: bigint;
  private lastTermValue: bigint;
  private segmentBytes: number;

  private constructor(
    private readonly dir: string,
    private readonly segments: Segment[],
    private active: FileHandle,
    recovered: { lastIndex: bigint; lastTerm: bigint; activeBytes: number },
  ) {
    this.lastIndexValue = recovered.lastIndex;
    this.lastTermValue = recovered.lastTerm;
    this.segmentBytes = recovered.activeBytes;
  }

  // Opens (or creates) the log in `dir` and returns it with the entries after `afterIndex`,
  // which the caller has not applied yet.
  static async open(dir: string, afterIndex: bigint): Promise<{ log: LogStore; entries: LogEntry[] }> {
    mkdirSync(dir, { recursive: true });
    const segments = listSegments(dir);
    if (segments.length === 0) {
      const first = segmentPath(dir, afterIndex + 1n);
      closeSync(openSync(first, 'a'));
      fsyncDirectory(dir);
      segments.push({ firstIndex: afterIndex + 1n, path: first });
    }
    const entries: LogEntry[] = [];
    let lastIndex = segments[0]!.firstIndex - 1n;
    let lastTerm = 0n;
    let activeBytes = 0;
    for (const [position, segment] of segments.entries()) {
      const isLast = position === segments.length - 1;
      assert(segment.firstIndex === lastIndex + 1n, `log segment ${segment.path} does not follow index ${lastIndex}`);
      const { records, validBytes } = readSegment(segment.path, isLast);
      for (const entry of records) {
        assert(entry.index === lastIndex + 1n, `log record ${entry.index} out of order in ${segment.path}`);
        lastIndex = entry.index;
        lastTerm = entry.term;
        if (entry.index > afterIndex) entries.push(entry);
      }
      if (isLast) activeBytes = validBytes;
    }
    // The applied state can never be ahead of the log: the log is fsynced before apply.
    assert(afterIndex <= lastIndex, `applied index ${afterIndex} is past the log's end ${lastIndex}`);
    const lastSegment = segments[segments.length - 1]!;
    const active = await openFile(lastSegment.path, segmentOpenFlags);
    await active.truncate(activeBytes);
    await active.datasync();
    return { log: new LogStore(dir, segments, active, { lastIndex, lastTerm, activeBytes }), entries };
  }

  get lastIndex(): bigint {
    return this.lastIndexValue;
  }

  get lastTerm(): bigint {
    return this.lastTermValue;
  }

  // Writes the entries with one synchronous-data write: the group commit. Resolves only once
  // they are durable.
  async append(entries: readonly LogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    if (this.segmentBytes >= logSegmentBytesMax) await this.roll(entries[0]!.index);
    const buffers: Buffer[] = [];
    for (const entry of entries) {
      assert(entry.index === this.lastIndexValue + 1n, `append of ${entry.index} after ${this.lastIndexValue}`);
      buffers.push(encodeRecord(entry));
      this.lastIndexValue = entry.index;
      this.lastTermValue = entry.term;
    }
    const bytes = Buffer.concat(buffers);
    await this.active.write(bytes, 0, bytes.length, this.segmentBytes);
    this.segmentBytes += bytes.length;
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

  private async roll(firstIndex: bigint): Promise<void> {
    await this.active.close();
    const path = segmentPath(this.dir, firstIndex);
    this.active = await openFile(path, segmentOpenFlags | fsConstants.O_CREAT | fsConstants.O_TRUNC);
    fsyncDirectory(this.dir);
    this.segments.push({ firstIndex, path });
    this.segmentBytes = 0;
  }
}

// Reads a segment's records. In the last segment, reading stops at the first incomplete or
// damaged record (the torn tail of a crash); elsewhere such a record is corruption.
function readSegment(path: string, isLast: boolean): { records: LogEntry[]; validBytes: number } {
  const bytes = readFileSync(path);
  const records: LogEntry[] = [];
  let at = 0;
  while (at < bytes.length) {
    const record = decodeRecordAt(bytes, at);
    if (record === null) {
      assert(isLast, `corrupt log record at byte ${at} of ${path}`);
      break;
    }
    records.push(record.entry);
    at = record.end;
  }
  return { records, validBytes: at };
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

