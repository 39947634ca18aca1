// The few file operations the log store performs, behind an interface so that a simulation can
// run the real store over a disk that loses unsynced writes on a crash, tears the last one,
// writes short and fills up (test/sim/sim-disk.ts). `nodeLogDisk` is the real one, over
// node:fs. Directory operations and reads are synchronous, as the store has always made them
// (they are rare, or served from the page cache); writes and syncs are asynchronous, so the
// group commit's flush overlaps the event loop's other work.
import { constants as fsConstants, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';

// An open file. `write` is one write call: it may write fewer bytes than asked (a full disk)
// and says how many; the signature is FileHandle's, which implements it.
export interface LogFile {
  write(bytes: Buffer, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  // Makes every write done through this file durable.
  datasync(): Promise<void>;
  close(): Promise<void>;
}

export interface LogDisk {
  makeDirectory(dir: string): void;
  // The names (not paths) in `dir`.
  list(dir: string): string[];
  // Creates `path` empty, or empties it; the directory entry is durable only after syncDirectory.
  create(path: string): void;
  // `syncWrites`: each write returns only once it is durable (O_DSYNC); otherwise writes are
  // durable after datasync.
  open(path: string, syncWrites: boolean): Promise<LogFile>;
  // The whole file, or null when it does not exist.
  readAll(path: string): Buffer | null;
  // Reads into `bytes` from `position`; returns how many bytes were read.
  read(path: string, bytes: Buffer, position: number): number;
  sizeBytes(path: string): number;
  // Writes `bytes` as the whole content of `path` and syncs it before returning.
  writeSynced(path: string, bytes: Buffer): void;
  rename(from: string, to: string): void;
  unlink(path: string): void;
  // A new, renamed or deleted file's directory entry is durable only once its directory is synced.
  syncDirectory(dir: string): void;
}

// O_DSYNC: a write returns only once its data (and the size needed to read it back) is on
// disk, like write + fdatasync but in one call. One call means one trip through the thread
// pool, so a group's flush overlaps whatever the event loop does meanwhile (the LMDB apply).
const syncWritesFlags = fsConstants.O_RDWR | fsConstants.O_DSYNC;

export const nodeLogDisk: LogDisk = {
  makeDirectory: (dir) => void mkdirSync(dir, { recursive: true }),
  list: (dir) => readdirSync(dir),
  create: (path) => closeSync(openSync(path, 'w')),
  open: (path, syncWrites) => openFile(path, syncWrites ? syncWritesFlags : 'r+'),
  readAll: (path) => (existsSync(path) ? readFileSync(path) : null),
  read: (path, bytes, position) => {
    const fd = openSync(path, 'r');
    try {
      return readSync(fd, bytes, 0, bytes.length, position);
    } finally {
      closeSync(fd);
    }
  },
  sizeBytes: (path) => statSync(path).size,
  writeSynced: (path, bytes) => {
    const fd = openSync(path, 'w');
    try {
      writeSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  },
  rename: (from, to) => renameSync(from, to),
  unlink: (path) => unlinkSync(path),
  syncDirectory: (dir) => {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  },
};
