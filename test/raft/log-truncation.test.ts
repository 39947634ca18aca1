// Proves truncateAfter removes a conflicting suffix durably (across segments, through a reopen,
// with compaction running meanwhile), lets appends go on at index + 1 of any later term, leaves
// no stale record that a reopen could take for the log's next, and that a write failing or torn
// at any step of it leaves, on reopen, the old log cut at or after the index: never damage, a
// gap or a cut entry.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LogEntry } from '../../services/raft/core/types.js';
import { encodeRecord } from '../../services/raft/node/log-record.js';
import type { LogStoreOptions, WriteAt } from '../../services/raft/node/log-store.js';
import { LogStore, LogWriteError } from '../../services/raft/node/log-store.js';

// Small segments, so that a cut spans several of them.
vi.mock('../../services/base/limits.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../services/base/limits.js')>()),
  logSegmentBytesMax: 512,
}));

let dir: string;
const opened: LogStore[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tidedb-log-truncation-'));
});

afterEach(async () => {
  for (const log of opened.splice(0)) await log.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

async function open(afterIndex = 0n, options: LogStoreOptions = {}): Promise<{ log: LogStore; entries: Plain[] }> {
  const result = await LogStore.open(dir, afterIndex, options);
  opened.push(result.log);
  return { log: result.log, entries: plain(result.entries) };
}

async function close(log: LogStore): Promise<void> {
  opened.splice(opened.indexOf(log), 1);
  await log.close();
}

function entry(index: bigint, term: bigint): LogEntry {
  return { index, term, kind: 'batch', data: new Uint8Array(Buffer.from(`entry ${index.toString().padStart(4, '0')}`)) };
}

function run(from: bigint, to: bigint, term: bigint): LogEntry[] {
  const list: LogEntry[] = [];
  for (let index = from; index <= to; index++) list.push(entry(index, term));
  return list;
}

interface Plain {
  readonly index: bigint;
  readonly term: bigint;
  readonly data: string;
}

function plain(list: readonly LogEntry[]): Plain[] {
  return list.map((item) => ({ index: item.index, term: item.term, data: Buffer.from(item.data).toString('hex') }));
}

function segmentFiles(): string[] {
  return readdirSync(dir).filter((name) => name.endsWith('.log')).sort();
}

function segmentName(firstIndex: bigint): string {
  return `${firstIndex.toString().padStart(20, '0')}.log`;
}

// One entry per append, so that segments hold several groups: 1..12 of term 1, 13..50 of term 2,
// in four segments (fourteen records each).
const old = [...run(1n, 12n, 1n), ...run(13n, 50n, 2n)];

async function writeOld(options: LogStoreOptions = {}): Promise<LogStore> {
  const { log } = await open(0n, options);
  for (const item of old) await log.append([item]);
  return log;
}

describe('LogStore.truncateAfter', () => {
  it('cuts across segments, appends at index + 1 of a later term, and keeps both through a reopen', async () => {
    const log = await writeOld();
    const before = segmentFiles();
    expect(before.length).toBe(4);
    await log.truncateAfter(9n);
    expect(log.lastIndex).toBe(9n);
    expect(log.lastTerm).toBe(1n);
    expect(log.term(10n)).toBeUndefined();
    expect(segmentFiles()).toEqual([segmentName(1n)]);
    const replacement = run(10n, 14n, 3n);
    await log.append(replacement.slice(0, 2));
    await log.append(replacement.slice(2));
    expect(plain(log.entries(1n, 15n, 10_000))).toEqual(plain([...old.slice(0, 9), ...replacement]));
    await close(log);
    const reopened = await open(0n);
    expect(reopened.entries).toEqual(plain([...old.slice(0, 9), ...replacement]));
    expect(reopened.log.term(14n)).toBe(3n);
  });

  it('cuts everything after the index before the first, and at the last index does nothing', async () => {
    const log = await writeOld();
    await log.truncateAfter(50n);
    expect(log.lastIndex).toBe(50n);
    await log.truncateAfter(0n);
    expect(log.lastIndex).toBe(0n);
    expect(segmentFiles()).toEqual([segmentName(1n)]);
    expect(isAllZero(readFileSync(join(dir, segmentName(1n))))).toBe(true);
    await log.append([entry(1n, 4n)]);
    await close(log);
    expect((await open(0n)).entries).toEqual(plain([entry(1n, 4n)]));
  });

  it('leaves no stale record that a reopen could read as the next entry', async () => {
    // The old log had 6 of term 1, then 7 and 8 of term 3; the new 6 is of term 2 and of the
    // same size, so the old 7 sits where the new 7 would and its index and term continue the log.
    const oldLog = [...run(1n, 6n, 1n), ...run(7n, 8n, 3n)];
    const { log } = await open(0n);
    await log.append(oldLog);
    await log.truncateAfter(5n);
    await log.append([entry(6n, 2n)]);
    await close(log);
    const reopened = await open(0n);
    expect(reopened.entries).toEqual(plain([...run(1n, 5n, 1n), entry(6n, 2n)]));
    expect(reopened.log.lastIndex).toBe(6n);
    await close(reopened.log);
    // Cut without zeroing, the same bytes would have read back the old 7 and 8 as the log's.
    rmSync(join(dir, segmentName(1n)));
    writeFileSync(join(dir, segmentName(1n)), Buffer.concat([...run(1n, 5n, 1n), entry(6n, 2n), ...run(7n, 8n, 3n)].map(encodeRecord)));
    expect((await open(0n)).log.lastIndex).toBe(8n);
  });

  it('lets compaction drop older segments while a cut is on the disk', async () => {
    const log = await writeOld();
    const truncation = log.truncateAfter(35n); // keeps 29..35 of the third segment, deletes the fourth
    log.dropThrough(20n); // drops the first (1..14) meanwhile
    await truncation;
    expect(segmentFiles()).toEqual([segmentName(15n), segmentName(29n)]);
    expect(plain(log.entries(15n, 36n, 10_000))).toEqual(plain(old.slice(14, 35)));
    await log.append([entry(36n, 3n)]);
    await close(log);
    expect((await open(14n)).entries).toEqual(plain([...old.slice(14, 35), entry(36n, 3n)]));
  });

  it('refuses a cut below the index before the first or past the last, and one during an append (assert)', async () => {
    const log = await writeOld();
    await expect(log.truncateAfter(51n)).rejects.toThrow();
    log.dropThrough(14n);
    expect(log.firstIndex).toBe(15n);
    await expect(log.truncateAfter(13n)).rejects.toThrow();
    const appending = log.append([entry(51n, 2n)]);
    await expect(log.truncateAfter(20n)).rejects.toThrow(/on the disk/);
    await appending;
    expect(log.lastIndex).toBe(51n);
    // The term of 14 stays known after the drop, so a cut down to it is allowed.
    await log.truncateAfter(14n);
    expect(log.lastTerm).toBe(2n);
  });

  for (const mode of ['fails', 'tears'] as const) {
    it(`leaves the old log cut at or after the index when a zeroing write ${mode} at any step`, async () => {
      // Segments after the first go whole; 10..14 are zeroed, one write each: one failure point
      // before each of those writes, and one past them.
      for (let failAt = 0; failAt <= 5; failAt++) {
        rmSync(dir, { recursive: true, force: true });
        const injected = failingWriter();
        const log = await writeOld({ writeAt: injected.writeAt });
        injected.armAfter(failAt, mode);
        const truncation = log.truncateAfter(9n);
        if (failAt < 5) {
          await expect(truncation).rejects.toThrow(LogWriteError);
          await expect(log.append([entry(10n, 3n)])).rejects.toThrow(LogWriteError);
        } else {
          await truncation;
        }
        await close(log); // the crash: what the disk holds is all a reopen sees
        const { log: reopened, entries } = await open(0n);
        const lastIndex = reopened.lastIndex;
        expect(lastIndex, `fail at write ${failAt}`).toBeGreaterThanOrEqual(9n);
        expect(entries).toEqual(plain(old.slice(0, Number(lastIndex))));
        // And the log goes on from there: cut again, append, reopen.
        await reopened.truncateAfter(9n);
        await reopened.append([entry(10n, 3n)]);
        await close(reopened);
        expect((await open(0n)).entries).toEqual(plain([...old.slice(0, 9), entry(10n, 3n)]));
      }
    });
  }
});

// Once armed, lets `writesOk` writes through, then fails the next: with an error before writing
// anything ('fails'), or after writing its first half, as a crash midway through it leaves it
// ('tears').
function failingWriter(): { writeAt: WriteAt; armAfter(writesOk: number, mode: 'fails' | 'tears'): void } {
  let remaining: number | null = null;
  let failMode: 'fails' | 'tears' = 'fails';
  return {
    writeAt: async (file, bytes, position) => {
      if (remaining !== null && remaining-- === 0) {
        remaining = null;
        if (failMode === 'tears') await file.write(bytes, 0, Math.floor(bytes.length / 2), position);
        throw new Error('injected write failure');
      }
      return (await file.write(bytes, 0, bytes.length, position)).bytesWritten;
    },
    armAfter: (writesOk, mode) => {
      remaining = writesOk;
      failMode = mode;
    },
  };
}

function isAllZero(bytes: Buffer): boolean {
  return bytes.every((byte) => byte === 0);
}
