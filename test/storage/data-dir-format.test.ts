// Proves Store.open refuses a data directory of another format with an error saying what to do,
// and stamps a new one: directories are written with plain lmdb calls in the old layout, or stamped otherwise.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirFormatError, dataFormatVersion, formatVersionKey, upgradableFormatVersion } from '../../services/storage/data-dir-format.js';
import { Store } from '../../services/storage/store.js';
import { runOnStore, runOnStoreAsync } from '../sql/run-on-store.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tidedb-format-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

// A directory written by this build, then stamped with an earlier format that differs from it
// only by what the statements did not use.
async function writeStamped(path: string, stamp: number, statements: readonly string[]): Promise<void> {
  const store = Store.open(path);
  for (const sql of statements) runOnStore(store, sql);
  await store.close();
  const root = open({ path, maxDbs: 8 });
  await root.openDB<unknown, string>({ name: 'meta', encoding: 'msgpack' }).put(formatVersionKey, stamp);
  await root.close();
}

// The layout before format stamps: a catalog keyed by table id alone, untagged keys, rows as
// bare MessagePack arrays, no format_version in meta.
async function writeOldLayout(path: string): Promise<void> {
  const root = open({ path, maxDbs: 8 });
  const meta = root.openDB<unknown, string>({ name: 'meta', encoding: 'msgpack' });
  const catalog = root.openDB<unknown, Buffer>({ name: 'catalog', keyEncoding: 'binary', encoding: 'msgpack' });
  const rows = root.openDB<unknown, Buffer>({ name: 'rows', keyEncoding: 'binary', encoding: 'msgpack' });
  const table = { id: 1, database: 'app', name: 'users', columns: [{ name: 'id', type: 'BIGINT', length: null, nullable: false, autoIncrement: true }], primaryKey: [0] };
  await meta.put('applied_index', 3);
  await meta.put('next_table_id', 2);
  await catalog.put(Buffer.from([0, 0, 0, 1]), { table, dropped: false });
  await rows.put(Buffer.from([0, 0, 0, 1, 0x80, 0, 0, 0, 0, 0, 0, 1]), [1]);
  await root.close();
}

async function readStamp(path: string): Promise<unknown> {
  const root = open({ path, maxDbs: 8 });
  const stamp = root.openDB<unknown, string>({ name: 'meta', encoding: 'msgpack' }).get(formatVersionKey);
  await root.close();
  return stamp;
}

function openError(path: string): DataDirFormatError {
  try {
    const store = Store.open(path);
    void store.close();
  } catch (error) {
    expect(error).toBeInstanceOf(DataDirFormatError);
    return error as DataDirFormatError;
  }
  throw new Error(`Store.open(${path}) succeeded`);
}

describe('data directory format', () => {
  it('refuses a directory of the old layout, naming it and what to do, and leaves it as it was', async () => {
    const path = join(dir, 'lmdb');
    await writeOldLayout(path);
    const error = openError(path);
    expect(error.found).toBeNull();
    expect(error.message).toContain(path);
    expect(error.message).toContain('no format stamp');
    expect(error.message).toContain(`data format ${dataFormatVersion}`);
    expect(error.message).toContain('start with an empty --data-dir');
    expect(await readStamp(path)).toBeUndefined();
    expect(openError(path).found).toBeNull(); // refused again, not stamped by the first attempt
  });

  it('refuses a directory stamped with another format version', async () => {
    const path = join(dir, 'lmdb');
    const store = Store.open(path);
    await store.close();
    const root = open({ path, maxDbs: 8 });
    await root.openDB<unknown, string>({ name: 'meta', encoding: 'msgpack' }).put(formatVersionKey, dataFormatVersion + 1);
    await root.close();
    const error = openError(path);
    expect(error.found).toBe(String(dataFormatVersion + 1));
    expect(error.message).toContain(`written by data format ${dataFormatVersion + 1}`);
  });

  it('refuses a directory holding other sub-databases, even empty ones, with no stamp', async () => {
    const path = join(dir, 'lmdb');
    const root = open({ path, maxDbs: 8 });
    await root.openDB<unknown, string>({ name: 'indexes', encoding: 'msgpack' }).put('x', 1);
    await root.close();
    expect(openError(path).found).toBeNull();
  });

  it('stamps a new directory and opens it again', async () => {
    const path = join(dir, 'lmdb');
    const store = Store.open(path);
    expect(store.appliedIndex()).toBe(0n);
    await store.close();
    expect(await readStamp(path)).toBe(dataFormatVersion);
    const again = Store.open(path);
    expect(again.appliedIndex()).toBe(0n);
    await again.close();
  });

  it('opens a format 2 directory, counting its tables\' rows once and restamping it as the current format', async () => {
    const path = join(dir, 'lmdb');
    const store = Store.open(path);
    runOnStore(store, 'CREATE TABLE t (id INT PRIMARY KEY)');
    runOnStore(store, 'INSERT INTO t VALUES (1), (2), (3)');
    runOnStore(store, 'CREATE TABLE gone (id INT PRIMARY KEY)');
    await runOnStoreAsync(store, 'DROP TABLE gone');
    await store.close();
    // Format 2 had no row counts: take them away and put the old stamp back.
    const root = open({ path, maxDbs: 8 });
    const meta = root.openDB<unknown, string>({ name: 'meta', encoding: 'msgpack' });
    for (const key of [...meta.getKeys({})]) if (String(key).startsWith('row_count.')) await meta.remove(key);
    await meta.put(formatVersionKey, upgradableFormatVersion);
    await root.close();
    const upgraded = Store.open(path);
    try {
      expect(upgraded.rowCount(upgraded.table('app', 't')!.id)).toBe(3);
      runOnStore(upgraded, 'DELETE FROM t WHERE id = 1');
      expect(upgraded.rowCount(upgraded.table('app', 't')!.id)).toBe(2);
    } finally {
      await upgraded.close();
    }
    expect(await readStamp(path)).toBe(dataFormatVersion);
  });

  // Format 4 added account records; a format 3 directory has none and is otherwise the same.
  it('opens a format 3 directory, restamping it, and keeps the accounts written after', async () => {
    const path = join(dir, 'lmdb');
    await writeStamped(path, 3, ['CREATE TABLE t (id INT PRIMARY KEY)', 'INSERT INTO t VALUES (1), (2)']);
    const upgraded = Store.open(path);
    try {
      expect(upgraded.rowCount(upgraded.table('app', 't')!.id)).toBe(2);
      runOnStore(upgraded, "CREATE USER 'u'@'%' IDENTIFIED BY 'pw'");
    } finally {
      await upgraded.close();
    }
    expect(await readStamp(path)).toBe(dataFormatVersion);
    const reopened = Store.open(path);
    try {
      expect(reopened.allAccounts().map((account) => `${account.user}@${account.host}`)).toEqual(['u@%']);
    } finally {
      await reopened.close();
    }
  });

  // Format 5 added collations; a format 4 directory has none (every column utf8mb4_bin).
  it('opens a format 4 directory, restamping it, and keeps general_ci columns written after', async () => {
    const path = join(dir, 'lmdb');
    await writeStamped(path, 4, ['CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(5))', "INSERT INTO t VALUES (1, 'a')"]);
    const upgraded = Store.open(path);
    try {
      expect(upgraded.rowCount(upgraded.table('app', 't')!.id)).toBe(1);
      runOnStore(upgraded, 'CREATE TABLE u (id VARCHAR(5) COLLATE utf8mb4_general_ci PRIMARY KEY)');
      runOnStore(upgraded, "INSERT INTO u VALUES ('Ä')");
    } finally {
      await upgraded.close();
    }
    expect(await readStamp(path)).toBe(dataFormatVersion);
    const reopened = Store.open(path);
    try {
      expect(runOnStore(reopened, "SELECT id FROM u WHERE id = 'a'").result.rows).toEqual([['Ä']]);
    } finally {
      await reopened.close();
    }
  });
});
