// The LMDB state an unclean stop falls back to. LMDB commits without syncing (the Raft log is
// the only per-commit flush), so after an OS crash its file may hold a meta page that points at
// pages that never reached the disk. At each checkpoint the store syncs the file and keeps a
// copy of both meta pages as of that sync here, while a read transaction it holds keeps every
// page of that tree from being reused; after any unclean stop those meta pages are put back
// before LMDB opens, which makes the database exactly the checkpoint's tree, whole on disk, and
// the Raft log (kept back to the checkpoint's applied index) replays the rest.
// storage/DESIGN.md, *Durability: checkpoints*, says why this is sound.
//
// The record file, replaced atomically (write, fsync, rename, fsync the directory):
//   [magic "TDCK"][format u8 = 1][page size u32 LE][applied index u64 LE][crc32 u32 LE of the
//   meta pages][meta pages: 2 × page size bytes, as in the data file at offset 0]
// Its presence means "running since the last clean stop": a clean close syncs the data file
// and then removes it.
import { closeSync, copyFileSync, existsSync, fdatasyncSync, fsyncSync, openSync, readFileSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

export const dataFileName = 'data.mdb';
export const checkpointFileName = 'tidedb-checkpoint';
const magic = Buffer.from('TDCK', 'latin1');
const recordFormat = 1;
const headerBytes = 4 + 1 + 4 + 8 + 4;

export interface CheckpointRecord {
  readonly pageSize: number;
  // The applied index of the state the meta pages describe.
  readonly appliedIndex: bigint;
  // Both meta pages (pages 0 and 1) as the sync left them.
  readonly metaPages: Buffer;
}

// A checkpoint record that is unreadable. The rename makes a torn record impossible, so this
// is damage on the disk: the node stops rather than open an LMDB file it cannot vouch for.
export class CheckpointRecordError extends Error {
  constructor(path: string, why: string) {
    super(`the LMDB checkpoint record ${path} is damaged (${why}); the LMDB file beside it cannot be trusted after the unclean stop it records. Restore the node from a replica (an empty --data-dir joined to the cluster) or from a backup.`);
    this.name = 'CheckpointRecordError';
  }
}

export function encodeCheckpoint(record: CheckpointRecord): Buffer {
  const header = Buffer.alloc(headerBytes);
  magic.copy(header, 0);
  header.writeUInt8(recordFormat, 4);
  header.writeUInt32LE(record.pageSize, 5);
  header.writeBigUInt64LE(record.appliedIndex, 9);
  header.writeUInt32LE(crc32(record.metaPages), 17);
  return Buffer.concat([header, record.metaPages]);
}

export function decodeCheckpoint(path: string, bytes: Buffer): CheckpointRecord {
  if (bytes.length < headerBytes || !bytes.subarray(0, 4).equals(magic)) throw new CheckpointRecordError(path, 'no checkpoint header');
  if (bytes.readUInt8(4) !== recordFormat) throw new CheckpointRecordError(path, `record format ${bytes.readUInt8(4)}`);
  const pageSize = bytes.readUInt32LE(5);
  const metaPages = bytes.subarray(headerBytes);
  if (metaPages.length !== 2 * pageSize) throw new CheckpointRecordError(path, `${metaPages.length} bytes of meta pages for a page size of ${pageSize}`);
  if (crc32(metaPages) !== bytes.readUInt32LE(17)) throw new CheckpointRecordError(path, 'checksum mismatch');
  return { pageSize, appliedIndex: bytes.readBigUInt64LE(9), metaPages: Buffer.from(metaPages) };
}

// Both meta pages as the data file holds them now. The caller holds LMDB's write lock, so no
// commit rewrites one meanwhile.
export function readMetaPages(dir: string, pageSize: number): Buffer {
  const pages = Buffer.alloc(2 * pageSize);
  const fd = openSync(join(dir, dataFileName), 'r');
  try {
    const read = readSync(fd, pages, 0, pages.length, 0);
    if (read !== pages.length) throw new Error(`read ${read} of ${pages.length} bytes of LMDB's meta pages`);
  } finally {
    closeSync(fd);
  }
  return pages;
}

// Makes every commit written to the data file so far durable (LMDB writes its pages with
// pwrite, not through a writable map, so they are in the page cache, which fdatasync of any
// descriptor of the file flushes). Runs on libuv's thread pool, off the event loop.
export async function syncDataFile(dir: string): Promise<void> {
  const file = await openFile(join(dir, dataFileName), 'r');
  try {
    await file.datasync();
  } finally {
    await file.close();
  }
}

// The same, blocking: at open and close only.
export function syncDataFileNow(dir: string): void {
  const fd = openSync(join(dir, dataFileName), 'r');
  try {
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export async function writeCheckpoint(dir: string, record: CheckpointRecord): Promise<void> {
  const path = join(dir, checkpointFileName);
  const temporary = `${path}.tmp`;
  const file = await openFile(temporary, 'w');
  try {
    await file.writeFile(encodeCheckpoint(record));
    await file.sync();
  } finally {
    await file.close();
  }
  renameSync(temporary, path);
  await syncDirectory(dir);
}

export function writeCheckpointNow(dir: string, record: CheckpointRecord): void {
  const path = join(dir, checkpointFileName);
  const temporary = `${path}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    const bytes = encodeCheckpoint(record);
    writeSync(fd, bytes, 0, bytes.length, 0);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  syncDirectoryNow(dir);
}

// Before LMDB opens: after an unclean stop (a checkpoint record is present), writes the
// record's meta pages over the data file's and syncs them. Returns the record, or null after a
// clean stop or in a new directory.
export function restoreCheckpoint(dir: string): CheckpointRecord | null {
  const path = join(dir, checkpointFileName);
  if (!existsSync(path)) return null;
  const record = decodeCheckpoint(path, readFileSync(path));
  const fd = openSync(join(dir, dataFileName), 'r+');
  try {
    const written = writeSync(fd, record.metaPages, 0, record.metaPages.length, 0);
    if (written !== record.metaPages.length) throw new Error(`wrote ${written} of ${record.metaPages.length} bytes of LMDB's meta pages`);
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return record;
}

// After a clean close has synced the data file: nothing to fall back to.
export function removeCheckpoint(dir: string): void {
  const path = join(dir, checkpointFileName);
  if (!existsSync(path)) return;
  unlinkSync(path);
  syncDirectoryNow(dir);
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await openFile(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function syncDirectoryNow(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

// Test-only: when TIDE_TEST_COPY_LMDB_AT_SYNC is "1" (never set in production), each checkpoint
// copies the data file just after its sync to `data.mdb.at-last-sync` (through a temporary name,
// so a kill mid-copy leaves the previous copy whole). A crash test puts it back to stand for
// what an OS crash leaves: the synced content, with some of the later writes or none.
export const copyAtSyncFileName = `${dataFileName}.at-last-sync`;
export function copyDataFileAtSyncForTests(dir: string): void {
  if (process.env['TIDE_TEST_COPY_LMDB_AT_SYNC'] !== '1') return;
  const target = join(dir, copyAtSyncFileName);
  copyFileSync(join(dir, dataFileName), `${target}.tmp`);
  renameSync(`${target}.tmp`, target);
}
