// Proves the on-disk log answers the core's LogReader contract exactly as MemoryLog does (terms,
// ranges under byte bounds, across segments, after reopen, append, drop and truncation, on
// random logs), and that truncation is durable, crash-safe and leaves no stale record behind.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryLog } from '../../services/raft/core/log-reader.js';
import type { LogReader } from '../../services/raft/core/log-reader.js';
import type { LogEntry } from '../../services/raft/core/types.js';
import { encodeRecord } from '../../services/raft/node/log-record.js';
import type { LogStoreOptions, WriteAt } from '../../services/raft/node/log-store.js';
import { LogStore, LogWriteError } from '../../services/raft/node/log-store.js';
import { seededRandom } from '../support/seeded-random.js';

// Small segments, so that a few dozen entries span many of them.
vi.mock('../../services/base/limits.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../services/base/limits.js')>()),
  logSegmentBytesMax: 512,
}));

let dir: string;
const opened: LogStore[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tidedb-log-reader-'));
});

afterEach(async () => {
  for (const log of opened.splice(0)) await log.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

async function open(afterIndex = 0n, options: LogStoreOptions = {}): Promise<LogStore> {
  const { log } = await LogStore.open(dir, afterIndex, options);
  opened.push(log);
  return log;
}

async function close(log: LogStore): Promise<void> {
  opened.splice(opened.indexOf(log), 1);
  await log.close();
}

function entry(index: bigint, term: bigint, dataBytes = 8): LogEntry {
  const data = Buffer.alloc(dataBytes, Number(index % 251n));
  return { index, term, kind: dataBytes === 0 ? 'noop' : 'batch', data: new Uint8Array(data) };
}

function run(from: bigint, to: bigint, term: bigint, dataBytes = 8): LogEntry[] {
  const list: LogEntry[] = [];
  for (let index = from; index <= to; index++) list.push(entry(index, term, dataBytes));
  return list;
}

interface Plain {
  readonly index: bigint;
  readonly term: bigint;
  readonly kind: LogEntry['kind'];
  readonly data: string;
}

function plain(list: readonly LogEntry[]): Plain[] {
  return list.map((item) => ({ index: item.index, term: item.term, kind: item.kind, data: Buffer.from(item.data).toString('hex') }));
}

// Every term from firstIndex - 2 to lastIndex + 1 and, from every lo, the ranges [lo, hi) of up
// to twelve entries and the one to the end, under a few byte bounds, compared between the two.
function expectSameReader(actual: LogReader, expected: LogReader): void {
  expectSameTerms(actual, expected);
  for (let lo = expected.firstIndex; lo <= expected.lastIndex + 1n; lo++) {
    // Short ranges and the range to the end: every segment boundary falls inside some of them.
    const his = new Set<bigint>([expected.lastIndex + 1n]);
    for (let hi = lo; hi <= expected.lastIndex + 1n && hi <= lo + 12n; hi++) his.add(hi);
    for (const hi of his) {
      for (const bytesMax of [0, 100, Number.MAX_SAFE_INTEGER]) {
        expect(plain(actual.entries(lo, hi, bytesMax)), `entries(${lo}, ${hi}, ${bytesMax})`).toEqual(plain(expected.entries(lo, hi, bytesMax)));
      }
    }
  }
}

function expectSameTerms(actual: LogReader, expected: LogReader): void {
  expect(actual.firstIndex).toBe(expected.firstIndex);
  expect(actual.lastIndex).toBe(expected.lastIndex);
  for (let index = expected.firstIndex - 2n; index <= expected.lastIndex + 1n; index++) {
    expect(actual.term(index), `term(${index})`).toBe(expected.term(index));
  }
}

describe('LogStore as a LogReader', () => {
  it('answers terms for every index it holds and the one before, across segments and after a reopen', async () => {
    const log = await open();
    await log.append(run(1n, 10n, 1n, 40));
    await log.append(run(11n, 12n, 3n, 40));
    for (const item of run(13n, 30n, 4n, 40)) await log.append([item]);
    expect(readdirSync(dir).filter((name) => name.endsWith('.log')).length).toBeGreaterThan(3);
    const expected = new MemoryLog(0n, 0n, [...run(1n, 10n, 1n, 40), ...run(11n, 12n, 3n, 40), ...run(13n, 30n, 4n, 40)]);
    expectSameReader(log, expected);
    await close(log);
    expectSameReader(await open(12n), expected);
  });

  it('bounds a range by bytes, always returning its first entry, and reads across segment boundaries', async () => {
    const log = await open();
    await log.append(run(1n, 20n, 1n, 100));
    expect(log.entries(3n, 3n, 1000)).toEqual([]);
    expect(plain(log.entries(3n, 10n, 0))).toEqual(plain([entry(3n, 1n, 100)]));
    expect(plain(log.entries(3n, 10n, 199))).toEqual(plain([entry(3n, 1n, 100)]));
    expect(plain(log.entries(3n, 10n, 200))).toEqual(plain(run(3n, 4n, 1n, 100)));
    expect(plain(log.entries(1n, 21n, 10_000))).toEqual(plain(run(1n, 20n, 1n, 100)));
    expect(() => log.entries(0n, 2n, 100)).toThrow();
    expect(() => log.entries(2n, 22n, 100)).toThrow();
  });

  it('knows the term before its first index from the applied term, and checks it against the log', async () => {
    // A fresh log after a snapshot-sized applied index: nothing on disk says the term of 41.
    const fresh = await open(41n);
    expect(fresh.term(41n)).toBeUndefined();
    await close(fresh);
    rmSync(dir, { recursive: true, force: true });
    const known = await open(41n, { appliedTerm: 7n });
    expect(known.term(41n)).toBe(7n);
    expect(known.lastTerm).toBe(7n);
    await known.append([entry(42n, 7n)]);
    await close(known);
    expect((await open(41n, { appliedTerm: 7n })).term(42n)).toBe(7n);
    // The applied index inside the log: both sides must agree on its term.
    await expect(LogStore.open(dir, 42n, { appliedTerm: 6n })).rejects.toThrow(/term/);
  });

  it('opens a segment of 200,000 records and reads terms and ranges from it', async () => {
    // More records than a function call may take arguments: the index is built without spreads.
    const count = 200_000n;
    const records: Buffer[] = [];
    for (let index = 1n; index <= count; index++) records.push(encodeRecord(entry(index, index <= 100_000n ? 1n : 2n, 0)));
    writeFileSync(join(dir, `${'1'.padStart(20, '0')}.log`), Buffer.concat(records));
    const log = await open(count);
    expect(log.lastIndex).toBe(count);
    expect([log.term(100_000n), log.term(100_001n), log.term(count)]).toEqual([1n, 2n, 2n]);
    expect(log.entries(1n, count + 1n, Number.MAX_SAFE_INTEGER).length).toBe(Number(count));
    expect(plain(log.entries(99_999n, 100_002n, 0))).toEqual(plain([entry(99_999n, 1n, 0), entry(100_000n, 1n, 0), entry(100_001n, 2n, 0)]));
  });

  it('matches MemoryLog on random logs through appends, drops, truncations and reopens', async () => {
    for (let seed = 1; seed <= 12; seed++) {
      rmSync(dir, { recursive: true, force: true });
      const random = seededRandom(seed);
      const pick = (from: bigint, to: bigint): bigint => from + BigInt(Math.floor(random() * Number(to - from + 1n)));
      let log = await open();
      // The model: what the log holds, after (baseIndex, baseTerm).
      let held: LogEntry[] = [];
      let baseIndex = 0n;
      let baseTerm: bigint | undefined = 0n;
      let term = 1n;
      for (let step = 0; step < 30; step++) {
        const choice = random();
        if (choice < 0.55) {
          if (random() < 0.3) term++;
          const count = BigInt(1 + Math.floor(random() * 6));
          const group = run(log.lastIndex + 1n, log.lastIndex + count, term, Math.floor(random() * 120));
          await log.append(group);
          held.push(...group);
        } else if (choice < 0.8) {
          const index = pick(baseIndex, log.lastIndex);
          await log.truncateAfter(index);
          held = held.slice(0, Number(index - baseIndex));
        } else if (choice < 0.9) {
          log.dropThrough(pick(baseIndex, log.lastIndex));
          const dropped = Number(log.firstIndex - 1n - baseIndex);
          if (dropped > 0) baseTerm = held[dropped - 1]!.term;
          held = held.slice(dropped);
          baseIndex = log.firstIndex - 1n;
        } else {
          await close(log);
          log = await open(baseIndex, baseTerm === undefined ? {} : { appliedTerm: baseTerm });
        }
        // Every step: every term, and a few random ranges; every range once at the end.
        const expected = new MemoryLog(baseIndex, baseTerm, held);
        expectSameTerms(log, expected);
        for (let probe = 0; probe < 4; probe++) {
          const lo = pick(expected.firstIndex, expected.lastIndex + 1n);
          const hi = pick(lo, expected.lastIndex + 1n);
          const bytesMax = Math.floor(random() * 400);
          expect(plain(log.entries(lo, hi, bytesMax)), `seed ${seed}: entries(${lo}, ${hi}, ${bytesMax})`).toEqual(plain(expected.entries(lo, hi, bytesMax)));
        }
        expect(log.lastTerm).toBe(held.at(-1)?.term ?? baseTerm);
      }
      expectSameReader(log, new MemoryLog(baseIndex, baseTerm, held));
      await close(log);
    }
  });
});
