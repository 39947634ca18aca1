// Proves the on-disk Raft log returns what was appended after a reopen, drops a torn tail and goes on
// at the right index, stops on corruption elsewhere, keeps hard state, rolls and drops whole segments.
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LogEntry } from '../../services/raft/core/types.js';
import { logSegmentBytesMax } from '../../services/base/limits.js';
import { encodeRecord } from '../../services/raft/node/log-record.js';
import { LogStore } from '../../services/raft/node/log-store.js';

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

async function open(afterIndex = 0n): Promise<{ log: LogStore; entries: Plain[] }> {
  const result = await LogStore.open(dir, afterIndex);
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

// Writes a segment by hand, as a log that rolled would have left it.
function writeSegment(list: readonly LogEntry[]): string {
  const path = join(dir, segmentName(list[0]!.index));
  writeFileSync(path, Buffer.concat(list.map(encodeRecord)));
  return path;
}

describe('LogStore', () => {
  it('opens an empty log at the index after the applied one', async () => {
    const { log, entries: replay } = await open(0n);
    expect(replay).toEqual([]);
    expect(log.lastIndex).toBe(0n);
    expect(log.lastTerm).toBe(0n);
    await log.append([entry(1n)]);
    expect(log.lastIndex).toBe(1n);
  });

  it('returns, after a reopen, exactly the entries after the given index', async () => {
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
    const { log } = await open();
    await log.append(entries(1n, 2n));
    await expect(log.append([entry(4n)])).rejects.toThrow();
    await expect(log.append([entry(2n)])).rejects.toThrow();
  });

  it('refuses to open when the applied index is past the log end (assert)', async () => {
    const { log } = await open();
    await log.append(entries(1n, 2n));
    await close(log);
    await expect(LogStore.open(dir, 3n)).rejects.toThrow();
  });

  it('drops a torn tail (a cut last record) and goes on at the right index', async () => {
    const { log } = await open();
    await log.append(entries(1n, 5n));
    await close(log);
    const [segment] = segmentFiles();
    const path = join(dir, segment!);
    const fullBytes = statSync(path).size;
    truncateSync(path, fullBytes - 3);
    const reopened = await open(0n);
    expect(reopened.entries).toEqual(plain(entries(1n, 4n)));
    expect(reopened.log.lastIndex).toBe(4n);
    // The torn bytes are cut off the file, so the next append is not hidden behind them.
    expect(statSync(path).size).toBe(fullBytes - encodeRecord(entry(5n)).length);
    await reopened.log.append([entry(5n, 3n, 'rewritten')]);
    await reopened.log.append([entry(6n, 3n)]);
    await close(reopened.log);
    expect((await open(3n)).entries).toEqual(plain([entry(4n), entry(5n, 3n, 'rewritten'), entry(6n, 3n)]));
  });

  it('drops garbage after the last record, as a torn write, and keeps every record before it', async () => {
    const { log } = await open();
    await log.append(entries(1n, 3n));
    await close(log);
    const path = join(dir, segmentFiles()[0]!);
    // A header announcing more bytes than the file holds, then a header with a bad crc.
    appendFileSync(path, Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 5]));
    const second = await open();
    expect(second.entries).toEqual(plain(entries(1n, 3n)));
    await second.log.append([entry(4n)]);
    await close(second.log);
    const bad = encodeRecord(entry(5n));
    bad[bad.length - 1]! ^= 0xff; // crc no longer matches
    appendFileSync(path, bad);
    const third = await open();
    expect(third.entries).toEqual(plain(entries(1n, 4n)));
    expect(third.log.lastIndex).toBe(4n);
  });

  it('stops at the first damaged record of the last segment, dropping what follows it', async () => {
    const { log } = await open();
    await log.append(entries(1n, 4n));
    await close(log);
    const path = join(dir, segmentFiles()[0]!);
    const bytes = readFileSync(path);
    const firstTwo = encodeRecord(entry(1n)).length + encodeRecord(entry(2n)).length;
    bytes[firstTwo + 30]! ^= 0x01; // a payload byte of record 3
    writeFileSync(path, bytes);
    const reopened = await open();
    expect(reopened.entries).toEqual(plain(entries(1n, 2n)));
    expect(reopened.log.lastIndex).toBe(2n);
  });

  it('refuses to open a log with a damaged record in a segment that is not the last (assert)', async () => {
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
    await expect(LogStore.open(dir, 0n)).rejects.toThrow(/corrupt/);
  });

  it('refuses to open a non-last segment with a torn end, and segments that leave a gap (assert)', async () => {
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

  it('rolls to a new segment once the active one reaches logSegmentBytesMax, and drops full ones', async () => {
    const { log } = await open();
    const recordBytes = encodeRecord(entry(10n)).length;
    const perSegment = Math.ceil(logSegmentBytesMax / recordBytes);
    // Appended one at a time: a segment takes entries until it has reached the limit.
    for (let index = 1n; index <= BigInt(3 * perSegment); index++) await log.append([entry(index)]);
    const starts = segmentFiles().map((name) => BigInt(name.slice(0, 20)));
    expect(starts).toEqual([1n, 1n + BigInt(perSegment), 1n + BigInt(2 * perSegment)]);
    for (const name of segmentFiles().slice(0, -1)) expect(statSync(join(dir, name)).size).toBeGreaterThanOrEqual(logSegmentBytesMax);
    // A group commit goes whole into the segment it starts, however far past the limit.
    const groupFirst = BigInt(3 * perSegment) + 1n;
    const groupLast = BigInt(5 * perSegment);
    await log.append(entries(groupFirst, groupLast));
    expect(segmentFiles().at(-1)).toBe(segmentName(groupFirst));
    await log.append([entry(groupLast + 1n)]);
    expect(segmentFiles().at(-1)).toBe(segmentName(groupLast + 1n));
    const second = starts[1]!;
    log.dropThrough(second - 1n); // the first segment ends at second - 1
    expect(segmentFiles()).toEqual([second, starts[2]!, groupFirst, groupLast + 1n].map(segmentName));
    await close(log);
    const reopened = await open(second);
    expect(reopened.entries).toEqual(plain(entries(second + 1n, groupLast + 1n)));
  });

  it('starts a fresh log after a snapshot-sized applied index at that index + 1', async () => {
    const { log, entries: replay } = await open(41n);
    expect(replay).toEqual([]);
    expect(log.lastIndex).toBe(41n);
    await expect(log.append([entry(41n)])).rejects.toThrow();
    await log.append([entry(42n)]);
    expect(segmentFiles()).toEqual([segmentName(42n)]);
  });

  it('saves and reads the hard state, across a reopen, with terms past 2^53', async () => {
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
});
