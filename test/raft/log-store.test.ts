// Proves the on-disk Raft log returns what was appended after a reopen, keeps every acknowledged
// entry across crashes, cuts only a torn last write (its zeroed or garbled tail) and stops on any
// other damage, fails fatally on a short write, preallocates segments, rolls and drops them.
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LogEntry } from '../../services/raft/core/types.js';
import { logSegmentBytesMax } from '../../services/base/limits.js';
import { encodeRecord } from '../../services/raft/node/log-record.js';
import { LogDamageError } from '../../services/raft/node/log-segment-reader.js';
import type { LogStoreOptions, WriteAt } from '../../services/raft/node/log-store.js';
import { LogStore, LogWriteError } from '../../services/raft/node/log-store.js';

// The real limit is 64 MiB; rolling at that size costs seconds of crc and copying on a small
// machine, so this file lowers it. Only the log store reads it here.
vi.mock('../../services/base/limits.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../services/base/limits.js')>()),
  logSegmentBytesMax: 512,
}));

let dir: string;
const opened: LogStore[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tidedb-log-'));
});

afterEach(async () => {
  for (const log of opened.splice(0)) await log.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

function entry(index: bigint, term = 1n, text = `entry ${index}`): LogEntry {
  return { index, term, kind: index === 1n ? 'noop' : 'batch', data: new Uint8Array(Buffer.from(text)) };
}

function entries(from: bigint, to: bigint, term = 1n): LogEntry[] {
  const list: LogEntry[] = [];
  for (let index = from; index <= to; index++) list.push(entry(index, term));
  return list;
}

// Payload bytes compared as hex: the log may hand back a Buffer where a Uint8Array went in.
interface Plain {
  readonly index: bigint;
  readonly term: bigint;
  readonly kind: LogEntry['kind'];
  readonly data: string;
}

function plain(list: readonly LogEntry[]): Plain[] {
  return list.map((item) => ({ index: item.index, term: item.term, kind: item.kind, data: Buffer.from(item.data).toString('hex') }));
}

async function open(afterIndex = 0n, options: LogStoreOptions = {}): Promise<{ log: LogStore; entries: Plain[] }> {
  const result = await LogStore.open(dir, afterIndex, options);
  opened.push(result.log);
  return { log: result.log, entries: plain(result.entries) };
}

async function close(log: LogStore): Promise<void> {
  opened.splice(opened.indexOf(log), 1);
  await log.close();
}

function segmentFiles(): string[] {
  return readdirSync(dir).filter((name) => name.endsWith('.log')).sort();
}

function segmentName(firstIndex: bigint): string {
  return `${firstIndex.toString().padStart(20, '0')}.log`;
}

// Writes a segment by hand, as a log that rolled would have left it (before segments were
// preallocated: no zero tail), followed by `after` (torn or stale bytes).
function writeSegment(list: readonly LogEntry[], after: Buffer = Buffer.alloc(0)): string {
  const path = join(dir, segmentName(list[0]!.index));
  writeFileSync(path, Buffer.concat([...list.map(encodeRecord), after]));
  return path;
}

function recordsBytes(list: readonly LogEntry[]): number {
  return list.reduce((sum, item) => sum + encodeRecord(item).length, 0);
}

// Overwrites bytes in place, as a torn write or a bad sector leaves them.
function overwrite(path: string, at: number, bytes: Buffer): void {
  const fd = openSync(path, 'r+');
  writeSync(fd, bytes, 0, bytes.length, at);
  closeSync(fd);
}

function isAllZero(bytes: Buffer): boolean {
  return bytes.every((byte) => byte === 0);
}

// A write that, once armed, writes only the first `bytesToWrite` of what it is asked to and
// says so, as write(2) does on a full disk.
function shortWriter(): { writeAt: WriteAt; armShort(bytesToWrite: number): void } {
  let short: number | null = null;
  return {
    writeAt: async (file, bytes, position) => {
      const length = short === null ? bytes.length : Math.min(short, bytes.length);
      short = null;
      return (await file.write(bytes, 0, length, position)).bytesWritten;
    },
    armShort: (bytesToWrite) => {
      short = bytesToWrite;
    },
  };
}

describe('LogStore', () => {
  it('opens an empty log at the index after the applied one', async () => {
    // Proves a new log starts right after the state machine's applied index.
    const { log, entries: replay } = await open(0n);
    expect(replay).toEqual([]);
    expect(log.lastIndex).toBe(0n);
    expect(log.lastTerm).toBe(0n);
    await log.append([entry(1n)]);
    expect(log.lastIndex).toBe(1n);
  });

  it('returns, after a reopen, exactly the entries after the given index', async () => {
    // Proves replay hands back exactly the unapplied entries, with the last index and term.
    const { log } = await open();
    await log.append(entries(1n, 3n, 1n));
    await log.append(entries(4n, 6n, 2n));
    await close(log);
    const reopened = await open(2n);
    expect(reopened.entries).toEqual(plain([...entries(3n, 3n, 1n), ...entries(4n, 6n, 2n)]));
    expect(reopened.log.lastIndex).toBe(6n);
    expect(reopened.log.lastTerm).toBe(2n);
    await close(reopened.log);
    expect((await open(6n)).entries).toEqual([]);
  });

  it('keeps entry kinds, terms past 2^53 and empty or binary payloads', async () => {
    // Proves every field of an entry survives the record format unchanged.
    const { log } = await open();
    const odd: LogEntry[] = [
      { index: 1n, term: 2n ** 60n, kind: 'noop', data: new Uint8Array(0) },
      { index: 2n, term: 2n ** 60n, kind: 'batch', data: new Uint8Array([0, 255, 0, 1]) },
    ];
    await log.append(odd);
    await close(log);
    expect((await open()).entries).toEqual(plain(odd));
  });

  it('refuses an append that does not follow the last index (assert)', async () => {
    // Proves the store catches a driver bug that would leave a gap or overwrite an entry.
    const { log } = await open();
    await log.append(entries(1n, 2n));
    await expect(log.append([entry(4n)])).rejects.toThrow();
    await expect(log.append([entry(2n)])).rejects.toThrow();
  });

  it('refuses to open when the applied index is past the log end (assert)', async () => {
    // Proves a state machine ahead of its log, which fsync-before-apply rules out, stops the node.
    const { log } = await open();
    await log.append(entries(1n, 2n));
    await close(log);
    await expect(LogStore.open(dir, 3n)).rejects.toThrow();
  });

  it('preallocates the active segment with zeros, reads its zero tail as the end of the log, and appends after a reopen', async () => {
    // Proves a preallocated segment's zeros are not mistaken for damage or a torn write.
    const { log } = await open();
    await log.append(entries(1n, 3n));
    const path = join(dir, segmentFiles()[0]!);
    expect(statSync(path).size).toBe(logSegmentBytesMax);
    await close(log);
    const reopened = await open();
    expect(reopened.entries).toEqual(plain(entries(1n, 3n)));
    await reopened.log.append([entry(4n, 2n)]);
    await close(reopened.log);
    expect(statSync(path).size).toBe(logSegmentBytesMax);
    expect((await open()).entries).toEqual(plain([...entries(1n, 3n), entry(4n, 2n)]));
  });

  it('preallocates, at open, an active segment written before segments were preallocated', async () => {
    // Proves an old, unpadded last segment is grown to full size before any append lands in it.
    const path = writeSegment(entries(1n, 2n));
    const { log } = await open();
    expect(statSync(path).size).toBe(logSegmentBytesMax);
    await log.append([entry(3n)]);
    await close(log);
    expect((await open()).entries).toEqual(plain(entries(1n, 3n)));
  });

  it('fails a short write with LogWriteError, acknowledges none of its entries, and takes no more appends', async () => {
    // Proves a write that comes back short (a full disk) is fatal and never acknowledged, and
    // that a reopen keeps what was acknowledged before it and cuts its half-written bytes.
    const writer = shortWriter();
    const { log } = await open(0n, { writeAt: writer.writeAt });
    await log.append(entries(1n, 3n));
    writer.armShort(10);
    const failed = log.append(entries(4n, 5n));
    await expect(failed).rejects.toBeInstanceOf(LogWriteError);
    await expect(failed).rejects.toThrow(/short write/);
    expect(log.lastIndex).toBe(3n);
    // The disk's state after a failed write is unknown: the log refuses even a sound append.
    await expect(log.append(entries(4n, 5n))).rejects.toBeInstanceOf(LogWriteError);
    await close(log);
    const reopened = await open();
    expect(reopened.entries).toEqual(plain(entries(1n, 3n)));
    await reopened.log.append([entry(4n, 2n)]);
    await close(reopened.log);
    expect((await open()).entries).toEqual(plain([...entries(1n, 3n), entry(4n, 2n)]));
  });

  it('fails with LogWriteError when the write itself fails or preallocating a new segment comes back short', async () => {
    // Proves every way a group can fail to reach the disk rejects the append with the fatal error.
    const failing: WriteAt = async () => {
      throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    };
    const writer = shortWriter();
    let fail = false;
    const { log } = await open(0n, { writeAt: (file, bytes, position) => (fail ? failing(file, bytes, position) : writer.writeAt(file, bytes, position)) });
    await log.append([entry(1n)]);
    fail = true;
    await expect(log.append([entry(2n)])).rejects.toMatchObject({ name: 'LogWriteError', cause: { code: 'ENOSPC' } });
    await close(log);

    const second = await open(0n, { writeAt: writer.writeAt });
    // One group larger than what is left of the segment: it goes to a new, preallocated one.
    writer.armShort(100);
    const big = entries(2n, 20n);
    expect(recordsBytes(big)).toBeGreaterThan(logSegmentBytesMax - recordsBytes([entry(1n)]));
    await expect(second.log.append(big)).rejects.toThrow(/short write while preallocating/);
    await close(second.log);
    // The crash left an empty new segment; it reads as such, and takes the group next time.
    const third = await open();
    expect(third.entries).toEqual(plain([entry(1n)]));
    await third.log.append(big);
    await close(third.log);
    expect((await open()).entries).toEqual(plain([entry(1n), ...big]));
  });

  it('cuts a torn last record, zeroes its bytes on disk, and goes on at the right index', async () => {
    // Proves a record whose last bytes never reached the disk (still zeros) is a torn tail.
    const { log } = await open();
    await log.append(entries(1n, 4n));
    await log.append([entry(5n)]);
    await close(log);
    const path = join(dir, segmentFiles()[0]!);
    const fifthStart = recordsBytes(entries(1n, 4n));
    const fifthEnd = fifthStart + encodeRecord(entry(5n)).length;
    overwrite(path, fifthEnd - 3, Buffer.alloc(3));
    const reopened = await open(0n);
    expect(reopened.entries).toEqual(plain(entries(1n, 4n)));
    expect(reopened.log.lastIndex).toBe(4n);
    // The torn bytes are zeroed on disk, so no later open takes them for damage.
    expect(isAllZero(readFileSync(path).subarray(fifthStart))).toBe(true);
    await reopened.log.append([entry(5n, 3n, 'rewritten')]);
    await reopened.log.append([entry(6n, 3n)]);
    await close(reopened.log);
    expect((await open(3n)).entries).toEqual(plain([entry(4n), entry(5n, 3n, 'rewritten'), entry(6n, 3n)]));
  });

  it('cuts garbage after the last record, as a torn write, and keeps every record before it', async () => {
    // Proves a torn group whose header is garbage, or whose crc fails, is cut when nothing follows.
    const { log } = await open();
    await log.append(entries(1n, 3n));
    await close(log);
    const path = join(dir, segmentFiles()[0]!);
    // A header announcing more bytes than the segment holds.
    overwrite(path, recordsBytes(entries(1n, 3n)), Buffer.from([200, 0, 0, 200, 1, 2, 3, 4, 5]));
    const second = await open();
    expect(second.entries).toEqual(plain(entries(1n, 3n)));
    await second.log.append([entry(4n)]);
    await close(second.log);
    const bad = encodeRecord(entry(5n));
    bad[bad.length - 1]! ^= 0xff; // crc no longer matches
    overwrite(path, recordsBytes(entries(1n, 4n)), bad);
    const third = await open();
    expect(third.entries).toEqual(plain(entries(1n, 4n)));
    expect(third.log.lastIndex).toBe(4n);
  });

  it('refuses to open when a damaged record of the last segment is followed by a sound next record', async () => {
    // Proves damage that a later, sound record shows was acknowledged stops the node
    // (LogDamageError) instead of cutting entries 3 and 4, and leaves the file as it was.
    const { log } = await open();
    await log.append(entries(1n, 2n));
    await log.append([entry(3n)]);
    await log.append([entry(4n)]);
    await close(log);
    const path = join(dir, segmentFiles()[0]!);
    const bytes = readFileSync(path);
    bytes[recordsBytes(entries(1n, 2n)) + 30]! ^= 0x01; // a payload byte of record 3
    writeFileSync(path, bytes);
    const failed = LogStore.open(dir, 0n);
    await expect(failed).rejects.toBeInstanceOf(LogDamageError);
    await expect(failed).rejects.toThrow(/followed by a sound record of index 4/);
    expect(readFileSync(path).equals(bytes)).toBe(true);
    // Likewise when the damaged bytes hold several records, or are no record at all.
    writeSegment(entries(1n, 2n), Buffer.concat([Buffer.alloc(60, 0xee), encodeRecord(entry(5n))]));
    await expect(LogStore.open(dir, 0n)).rejects.toBeInstanceOf(LogDamageError);
    writeSegment(entries(1n, 2n), Buffer.concat([Buffer.alloc(7, 0xee), encodeRecord(entry(3n))]));
    await expect(LogStore.open(dir, 0n)).rejects.toBeInstanceOf(LogDamageError);
  });

  it('does not count stale records after a torn point: a lower term, or an index out of sequence', async () => {
    // Proves records left behind by an older write (a recycled or rewritten segment) do not
    // make a torn tail look like damage: only a record that could continue the log does.
    const torn = Buffer.alloc(9, 0xee);
    const stale: readonly Buffer[] = [
      encodeRecord(entry(3n, 1n)), // the next index, but of a term below the last record's 2
      encodeRecord(entry(2n, 2n)), // an index the log already has
      encodeRecord(entry(9n, 2n)), // too far ahead: 9 bytes of damage cannot hold records 3..8
    ];
    for (const record of stale) {
      writeSegment(entries(1n, 2n, 2n), Buffer.concat([torn, record]));
      const { log, entries: replay } = await open();
      expect(replay).toEqual(plain(entries(1n, 2n, 2n)));
      expect(log.lastIndex).toBe(2n);
      await close(log);
    }
  });

  it('refuses to open when a torn group left a later record whole before an earlier one (the safe error)', async () => {
    // Proves the limit of what the record format can tell: sectors of one group persisted out of
    // order look like acknowledged records after damage, so the node stops rather than guess.
    const group = entries(3n, 4n);
    const bytes = Buffer.concat(group.map(encodeRecord));
    bytes.fill(0, 0, 10); // record 3's first bytes never reached the disk; record 4's did
    writeSegment(entries(1n, 2n), bytes);
    await expect(LogStore.open(dir, 0n)).rejects.toBeInstanceOf(LogDamageError);
  });

  it('keeps every acknowledged entry when a crash tears the next group at any byte', async () => {
    // Proves crash/reopen loses nothing acknowledged: each prefix of an unacknowledged group,
    // written as a crash would leave it, reads back as the acknowledged log plus whole records.
    const acknowledged = [...entries(1n, 3n), ...entries(4n, 5n, 2n)];
    const group = entries(6n, 8n, 2n);
    const groupBytes = Buffer.concat(group.map(encodeRecord));
    for (let written = 0; written <= groupBytes.length; written++) {
      rmSync(dir, { recursive: true, force: true });
      const { log } = await open();
      await log.append(acknowledged.slice(0, 3));
      await log.append(acknowledged.slice(3));
      await close(log);
      overwrite(join(dir, segmentFiles()[0]!), recordsBytes(acknowledged), groupBytes.subarray(0, written));
      const reopened = await open();
      const whole = group.filter((_, at) => recordsBytes(group.slice(0, at + 1)) <= written);
      expect(reopened.entries).toEqual(plain([...acknowledged, ...whole]));
      await reopened.log.append([entry(BigInt(acknowledged.length + whole.length + 1), 3n)]);
      await close(reopened.log);
      expect((await open()).entries.length).toBe(acknowledged.length + whole.length + 1);
    }
  });

  it('refuses to open a log with a damaged record in a segment that is not the last (assert)', async () => {
    // Proves damage in an earlier segment, which no torn write explains, stops the node.
    writeSegment(entries(1n, 3n));
    writeSegment(entries(4n, 6n));
    // Sound as written: both segments read back in order.
    const sound = await open();
    expect(sound.entries).toEqual(plain(entries(1n, 6n)));
    await close(sound.log);
    const first = join(dir, segmentName(1n));
    const bytes = readFileSync(first);
    bytes[encodeRecord(entry(1n)).length + 30]! ^= 0x01; // record 2, mid-segment
    writeFileSync(first, bytes);
    await expect(LogStore.open(dir, 0n)).rejects.toBeInstanceOf(LogDamageError);
    // Records zeroed there leave a gap before the next segment, which stops the node too.
    bytes.fill(0, encodeRecord(entry(1n)).length);
    writeFileSync(first, bytes);
    await expect(LogStore.open(dir, 0n)).rejects.toThrow();
  });

  it('refuses to open a non-last segment with a torn end, and segments that leave a gap (assert)', async () => {
    // Proves an earlier segment cut short, or a missing stretch of indexes, stops the node.
    const first = writeSegment(entries(1n, 3n));
    writeSegment(entries(4n, 6n));
    truncateSync(first, statSync(first).size - 2);
    await expect(LogStore.open(dir, 0n)).rejects.toThrow();
    for (const name of segmentFiles()) rmSync(join(dir, name));
    writeSegment(entries(1n, 3n));
    writeSegment(entries(5n, 6n));
    await expect(LogStore.open(dir, 0n)).rejects.toThrow();
  });

  it('reads entries across segments and appends to the last one', async () => {
    // Proves replay crosses segment boundaries and appends go to the last segment.
    writeSegment(entries(1n, 3n));
    writeSegment(entries(4n, 5n, 2n));
    const { log, entries: replay } = await open(2n);
    expect(replay).toEqual(plain([entry(3n), ...entries(4n, 5n, 2n)]));
    await log.append([entry(6n, 2n)]);
    await close(log);
    expect(segmentFiles()).toEqual([segmentName(1n), segmentName(4n)]);
    expect((await open(5n)).entries).toEqual(plain([entry(6n, 2n)]));
  });

  it('dropThrough deletes only whole segments at or below the index, never the active one', async () => {
    // Proves compaction never deletes an entry above the index it was given, nor the active segment.
    writeSegment(entries(1n, 3n));
    writeSegment(entries(4n, 6n));
    writeSegment(entries(7n, 8n));
    const { log } = await open(0n);
    log.dropThrough(2n); // segment 1..3 still holds 3
    expect(segmentFiles()).toEqual([segmentName(1n), segmentName(4n), segmentName(7n)]);
    log.dropThrough(3n);
    expect(segmentFiles()).toEqual([segmentName(4n), segmentName(7n)]);
    log.dropThrough(7n); // 4..6 goes; 7..8 is active
    expect(segmentFiles()).toEqual([segmentName(7n)]);
    log.dropThrough(100n);
    expect(segmentFiles()).toEqual([segmentName(7n)]);
    await log.append([entry(9n)]);
    await close(log);
    const reopened = await open(7n);
    expect(reopened.entries).toEqual(plain([entry(8n), entry(9n)]));
    expect(reopened.log.lastIndex).toBe(9n);
  });

  it('rolls to a new preallocated segment when a group does not fit the active one, and drops full ones', async () => {
    // Proves segments hold whole groups within their preallocated size, a group larger than a
    // segment gets one sized to it, and dropping and reopening across them loses nothing.
    const sized = (index: bigint): LogEntry => entry(index, 1n, index.toString().padStart(6, '0'));
    const sizedRange = (from: bigint, to: bigint): LogEntry[] => entries(from, to).map((item) => sized(item.index));
    const { log } = await open();
    const perSegment = BigInt(Math.floor(logSegmentBytesMax / encodeRecord(sized(1n)).length));
    // Appended one at a time: a segment takes entries while they fit.
    for (let index = 1n; index <= 3n * perSegment; index++) await log.append([sized(index)]);
    const starts = [1n, 1n + perSegment, 1n + 2n * perSegment];
    expect(segmentFiles()).toEqual(starts.map(segmentName));
    for (const name of segmentFiles()) expect(statSync(join(dir, name)).size).toBe(logSegmentBytesMax);
    // A group that does not fit goes whole to a new segment, preallocated past the limit to hold it.
    const groupFirst = 3n * perSegment + 1n;
    const groupLast = 5n * perSegment;
    const group = sizedRange(groupFirst, groupLast);
    await log.append(group);
    expect(segmentFiles().at(-1)).toBe(segmentName(groupFirst));
    expect(statSync(join(dir, segmentName(groupFirst))).size).toBe(recordsBytes(group));
    await log.append([sized(groupLast + 1n)]);
    await log.append(sizedRange(groupLast + 2n, groupLast + 3n)); // fits after it
    expect(segmentFiles().at(-1)).toBe(segmentName(groupLast + 1n));
    const second = starts[1]!;
    log.dropThrough(second - 1n); // the first segment ends at second - 1
    expect(segmentFiles()).toEqual([second, starts[2]!, groupFirst, groupLast + 1n].map(segmentName));
    await close(log);
    const reopened = await open(second);
    expect(reopened.entries).toEqual(plain(sizedRange(second + 1n, groupLast + 3n)));
  });

  it('starts a fresh log after a snapshot-sized applied index at that index + 1', async () => {
    // Proves a log opened past a large applied index names its first segment after it.
    const { log, entries: replay } = await open(41n);
    expect(replay).toEqual([]);
    expect(log.lastIndex).toBe(41n);
    await expect(log.append([entry(41n)])).rejects.toThrow();
    await log.append([entry(42n)]);
    expect(segmentFiles()).toEqual([segmentName(42n)]);
  });

  it('saves and reads the hard state, across a reopen, with terms past 2^53', async () => {
    // Proves the term and vote survive a reopen, and the replace leaves no temporary file behind.
    const { log } = await open();
    expect(log.readHardState()).toEqual({ term: 0n, votedFor: null });
    log.saveHardState({ term: 3n, votedFor: 1 });
    expect(log.readHardState()).toEqual({ term: 3n, votedFor: 1 });
    log.saveHardState({ term: 2n ** 60n + 1n, votedFor: null });
    await close(log);
    const reopened = await open();
    expect(reopened.log.readHardState()).toEqual({ term: 2n ** 60n + 1n, votedFor: null });
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('restartAfter replaces the whole log with an empty one after a snapshot, and goes on from it across a reopen', async () => {
    const { log } = await open();
    for (let index = 1n; index <= 30n; index++) await log.append([entry(index)]);
    expect(segmentFiles().length).toBeGreaterThan(1);
    await log.restartAfter(40n, 3n);
    expect([log.firstIndex, log.lastIndex, log.lastTerm, log.term(40n), log.term(30n)]).toEqual([41n, 40n, 3n, 3n, undefined]);
    expect(segmentFiles()).toEqual([`${'41'.padStart(20, '0')}.log`]);
    await log.append(entries(41n, 42n, 3n));
    await close(log);
    const reopened = await open(40n, { appliedTerm: 3n });
    expect(reopened.entries).toEqual(plain(entries(41n, 42n, 3n)));
    expect(reopened.log.term(40n)).toBe(3n);
  });

  it('finishes on open a restart that a crash cut short: every old segment goes', async () => {
    const { log } = await open();
    for (let index = 1n; index <= 30n; index++) await log.append([entry(index)]);
    await close(log);
    // As left by a crash after the marker was written and the last old segment deleted.
    writeFileSync(join(dir, 'restart.json'), JSON.stringify({ index: '40', term: '3' }));
    rmSync(join(dir, segmentFiles().at(-1)!));
    const reopened = await open(40n, { appliedTerm: 3n });
    expect(reopened.entries).toEqual([]);
    expect([reopened.log.firstIndex, reopened.log.lastIndex, reopened.log.term(40n)]).toEqual([41n, 40n, 3n]);
    expect(readdirSync(dir).includes('restart.json')).toBe(false);
  });

  it('keeps the old log when a crash came before the state machine held the snapshot', async () => {
    const { log } = await open();
    for (let index = 1n; index <= 30n; index++) await log.append([entry(index)]);
    log.prepareRestart(40n, 3n);
    await close(log);
    const reopened = await open(20n);
    expect(reopened.entries).toEqual(plain(entries(21n, 30n)));
    expect(readdirSync(dir).includes('restart.json')).toBe(false);
  });
});
