// LMDB commits without syncing and goes back to its last checkpoint after an unclean stop
// (storage/lmdb-checkpoint.ts). An OS crash is stood for by the data file as it was just after
// the checkpoint's sync (the test-only copy TIDE_TEST_COPY_LMDB_AT_SYNC makes), and by that
// file with every page written since scrambled: each such page as before, as after, or garbage,
// and the file cut back or left long. Opened from it, the store holds exactly the checkpoint's
// applied state (the same checksum as a replica that applied only that far), and replaying the
// entries after it gives the state, changelog and lsns included, of the store that never
// crashed. Between the checkpoint and the crash, updates and deletes free the checkpoint's
// pages, which LMDB would reuse but for the read transaction the checkpoint holds.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { changesPerSyncApplyMax } from '../../services/base/limits.js';
import { encodeBatch } from '../../services/storage/batch-codec.js';
import { CheckpointRecordError, checkpointFileName, copyAtSyncFileName, dataFileName } from '../../services/storage/lmdb-checkpoint.js';
import type { AppliedEntry } from '../../services/storage/store.js';
import { Store } from '../../services/storage/store.js';
import type { BatchChange, TableDef } from '../../services/storage/types.js';
import { osCrashFile, pagesWrittenSince } from '../support/os-crash-file.js';
import { stateChecksum } from '../support/state-checksum.js';

const bigintColumn = { name: 'id', type: 'BIGINT', length: null, nullable: false, autoIncrement: false } as const;
const textColumn = { name: 'body', type: 'TEXT', length: null, nullable: true, autoIncrement: false } as const;
const items: TableDef = { id: 1, version: 1, database: 'app', name: 'items', columns: [bigintColumn, textColumn], primaryKey: [0] };

// Entries 1..: the table, then rounds of inserts, updates and deletes over 2,000 ids, so that
// every round rewrites (and frees) pages of the ones before.
function entries(count: number): AppliedEntry[] {
  const made: AppliedEntry[] = [];
  const live = new Map<number, string>();
  const entry = (changes: BatchChange[]): AppliedEntry => ({ index: BigInt(made.length + 1), term: 1n, kind: 'batch', data: encodeBatch({ proposedAtMs: made.length, changes }) });
  made.push(entry([{ kind: 'create_table', table: items }]));
  while (made.length < count) {
    const changes: BatchChange[] = [];
    for (let n = 0; n < 40; n++) {
      const id = (made.length * 37 + n * 53) % 2_000;
      const before = live.get(id);
      const body = `v${made.length}.${n} ${'x'.repeat(100)}`;
      if (before === undefined) {
        changes.push({ kind: 'row', tableId: 1, schemaVersion: 1, op: 'c', before: null, after: [BigInt(id), body] });
        live.set(id, body);
      } else if (n % 5 === 0) {
        changes.push({ kind: 'row', tableId: 1, schemaVersion: 1, op: 'd', before: [BigInt(id), before], after: null });
        live.delete(id);
      } else {
        changes.push({ kind: 'row', tableId: 1, schemaVersion: 1, op: 'u', before: [BigInt(id), before], after: [BigInt(id), body] });
        live.set(id, body);
      }
    }
    made.push(entry(changes));
  }
  return made;
}

const all = entries(200);
const checkpointAt = 80;

let root: string;
const opened: Store[] = [];
function openAt(name: string): Store {
  const store = Store.open(join(root, name));
  opened.push(store);
  return store;
}
async function applyRange(store: Store, from: number, through: number): Promise<void> {
  // One entry per apply, so that every entry is its own LMDB commit.
  for (const entry of all.slice(from - 1, through)) await store.apply([entry]);
}

const replicaAtCheckpoint = { appliedIndex: 0n, checksum: '' };
const replicaAtEnd = { appliedIndex: 0n, checksum: '' };
// The crashed node's files: the copy made at its checkpoint's sync, its data file as the page
// cache held it at the crash, and its checkpoint record.
let atSync: Buffer;
let atCrash: Buffer;
let record: Buffer;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tidedb-lmdb-checkpoint-'));
  process.env['TIDE_TEST_COPY_LMDB_AT_SYNC'] = '1';
  const replica = openAt('replica');
  await applyRange(replica, 1, checkpointAt);
  Object.assign(replicaAtCheckpoint, stateChecksum(replica));
  await applyRange(replica, checkpointAt + 1, all.length);
  Object.assign(replicaAtEnd, stateChecksum(replica));

  const node = openAt('node');
  await applyRange(node, 1, checkpointAt);
  expect(await node.checkpoint()).toBe(BigInt(checkpointAt));
  expect(node.checkpointedIndex()).toBe(BigInt(checkpointAt));
  await applyRange(node, checkpointAt + 1, all.length);
  expect(node.checkpointedIndex()).toBe(BigInt(checkpointAt)); // no sync since: nothing later is durable in LMDB
  atSync = readFileSync(join(root, 'node', copyAtSyncFileName));
  atCrash = readFileSync(join(root, 'node', dataFileName));
  record = readFileSync(join(root, 'node', checkpointFileName));
  delete process.env['TIDE_TEST_COPY_LMDB_AT_SYNC'];
});

afterEach(async () => {
  while (opened.length > 2) await opened.pop()!.close();
});

afterAll(async () => {
  for (const store of opened) await store.close();
  rmSync(root, { recursive: true, force: true });
});

// A data directory holding `data` and the crashed node's checkpoint record.
function crashed(name: string, data: Buffer): string {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, dataFileName), data);
  writeFileSync(join(dir, checkpointFileName), record);
  return name;
}

async function expectRecovered(name: string): Promise<void> {
  const store = openAt(name);
  expect(store.appliedIndex()).toBe(BigInt(checkpointAt));
  expect(stateChecksum(store)).toEqual(replicaAtCheckpoint);
  await applyRange(store, checkpointAt + 1, all.length); // the Raft log's replay
  expect(stateChecksum(store)).toEqual(replicaAtEnd);
}

describe('LMDB after an OS crash', () => {
  it('goes back to the checkpoint from the file as the sync left it, and the log replays the rest', async () => {
    expect(atCrash.equals(atSync)).toBe(false);
    await expectRecovered(crashed('at-sync', atSync));
  });

  it('goes back to the checkpoint whatever became of the pages written after the sync', async () => {
    const changed = pagesWrittenSince(atSync, atCrash);
    // Both meta pages and many others were written after the sync: the scrambling has work.
    expect(changed).toContain(0);
    expect(changed).toContain(1);
    expect(changed.length).toBeGreaterThan(20);
    for (let seed = 1; seed <= 6; seed++) await expectRecovered(crashed(`scrambled-${seed}`, osCrashFile(atSync, atCrash, seed)));
  }, 30_000);
});

describe('LMDB checkpoint records', () => {
  it('are removed by a clean close, after which the store opens as it was left', async () => {
    const dir = join(root, 'clean');
    const store = Store.open(dir);
    await applyRange(store, 1, 20);
    expect(existsSync(join(dir, checkpointFileName))).toBe(true);
    await store.close();
    expect(existsSync(join(dir, checkpointFileName))).toBe(false);
    const again = openAt('clean');
    expect(again.appliedIndex()).toBe(20n);
  });

  it('stop the open with a clear error when damaged', () => {
    const name = crashed('damaged-record', atSync);
    const damaged = Buffer.from(record);
    damaged.writeUInt8(damaged.readUInt8(damaged.length - 100) ^ 0x01, damaged.length - 100);
    writeFileSync(join(root, name, checkpointFileName), damaged);
    expect(() => Store.open(join(root, name))).toThrow(CheckpointRecordError);
    expect(() => Store.open(join(root, name))).toThrow(/checksum mismatch/);
    expect(readFileSync(join(root, name, dataFileName)).equals(atSync)).toBe(true);
  });

  it('keep the data file untouched when the record is missing its meta pages', () => {
    const name = crashed('short-record', atSync);
    writeFileSync(join(root, name, checkpointFileName), record.subarray(0, 30));
    expect(() => Store.open(join(root, name))).toThrow(/meta pages/);
    expect(readFileSync(join(root, name, dataFileName)).equals(atSync)).toBe(true);
  });

  it('are taken between entries: a checkpoint asked for while an entry applies in slices covers all of it', async () => {
    const store = openAt('sliced');
    await store.apply([all[0]!]);
    const rows: BatchChange[] = Array.from({ length: changesPerSyncApplyMax * 2 }, (_, at) => ({ kind: 'row', tableId: 1, schemaVersion: 1, op: 'c', before: null, after: [BigInt(10_000 + at), 'sliced'] }));
    const applying = store.apply([{ index: 2n, term: 1n, kind: 'batch', data: encodeBatch({ proposedAtMs: 0, changes: rows }) }]);
    expect(store.applying()).not.toBeNull();
    const checkpointed = await store.checkpoint();
    await applying;
    expect(checkpointed).toBe(2n);
    expect(store.checkpointedIndex()).toBe(2n);
  });
});

