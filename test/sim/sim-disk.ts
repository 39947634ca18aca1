// A simulated disk under the real log store (services/raft/node/log-disk.ts), driven by the
// simulation: writes and syncs wait in a queue until the simulation completes them, so no real
// I/O or timer decides the order of events. From a seeded random source it can write short,
// fail with ENOSPC, and on a crash lose every write not yet durable and tear the last one
// (a prefix of its bytes lands). Writes through a file opened with syncWrites (O_DSYNC) are
// durable when they complete; others once the file is synced. Directory operations (create,
// rename, unlink) are durable at once: the store syncs the directory after each anyway, and
// this disk does not model the window in between.
import type { LogDisk, LogFile } from '../../services/raft/node/log-disk.js';

export interface SimDiskFaults {
  // Chances, per completed write, of a short write and of ENOSPC.
  readonly shortWriteRate: number;
  readonly noSpaceRate: number;
  // Chance, per crash, that the last write not yet durable lands partly (torn) or wholly.
  readonly tearRate: number;
  readonly landRate: number;
}

export const noDiskFaults: SimDiskFaults = { shortWriteRate: 0, noSpaceRate: 0, tearRate: 0, landRate: 0 };

export interface SimDiskStats {
  writes: number;
  shortWrites: number;
  noSpace: number;
  tornWrites: number;
  lostWrites: number;
}

interface SimFile {
  current: Buffer;
  // null: the file does not survive a crash.
  durable: Buffer | null;
}

interface PendingWrite {
  readonly path: string;
  readonly bytes: Buffer;
  readonly position: number;
}

type Operation =
  | { readonly kind: 'write'; readonly write: PendingWrite; readonly syncWrites: boolean; readonly resolve: (bytesWritten: number) => void; readonly reject: (error: unknown) => void }
  | { readonly kind: 'sync'; readonly path: string; readonly resolve: () => void };

export class SimDisk {
  private readonly files = new Map<string, SimFile>();
  private queue: Operation[] = [];
  // Completed writes not yet durable (files opened without syncWrites), oldest first.
  private unsynced: PendingWrite[] = [];
  // Bumped by each crash: handles of an earlier incarnation go dead.
  private epoch = 0;
  faults: SimDiskFaults = noDiskFaults;
  // Planted bugs (node-cluster.ts's mutations): false makes writeSynced, or writes through a
  // file opened with syncWrites, return before their data is durable.
  syncedWritesDurable = true;
  syncWritesDurable = true;
  readonly stats: SimDiskStats = { writes: 0, shortWrites: 0, noSpace: 0, tornWrites: 0, lostWrites: 0 };

  constructor(private readonly random: () => number) {}

  // The file system as one incarnation of a node sees it: once the disk crashes, every call
  // through it throws, so a dead incarnation can never touch its successor's files.
  view(): LogDisk {
    return new SimDiskView(this, this.epoch);
  }

  get pendingOperations(): number {
    return this.queue.length;
  }

  // Completes the oldest queued operation, with the faults drawn for it.
  completeNext(): void {
    const operation = this.queue.shift();
    if (operation === undefined) return;
    if (operation.kind === 'sync') {
      const file = this.file(operation.path);
      file.durable = Buffer.from(file.current);
      this.unsynced = this.unsynced.filter((write) => write.path !== operation.path);
      operation.resolve();
      return;
    }
    const { write, syncWrites } = operation;
    this.stats.writes++;
    const roll = this.random();
    if (roll < this.faults.noSpaceRate) {
      this.stats.noSpace++;
      operation.reject(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
      return;
    }
    let length = write.bytes.length;
    if (roll < this.faults.noSpaceRate + this.faults.shortWriteRate && length > 1) {
      length = Math.floor(this.random() * length);
      this.stats.shortWrites++;
    }
    const landed = { path: write.path, bytes: write.bytes.subarray(0, length), position: write.position };
    const file = this.file(write.path);
    file.current = writeInto(file.current, landed);
    if (syncWrites && this.syncWritesDurable) file.durable = writeInto(file.durable ?? Buffer.alloc(0), landed);
    else this.unsynced.push(landed);
    operation.resolve(length);
  }

  // The machine stops: queued operations never complete, and every file goes back to what is
  // durable, except that the last write not yet durable may land partly (torn) or wholly.
  crash(): void {
    const inFlight = this.queue.find((operation) => operation.kind === 'write');
    const last = inFlight?.kind === 'write' ? inFlight.write : this.unsynced.at(-1);
    this.stats.lostWrites += this.unsynced.length + this.queue.filter((operation) => operation.kind === 'write').length;
    this.queue = [];
    this.unsynced = [];
    this.epoch++;
    for (const [path, file] of this.files) {
      if (file.durable === null) this.files.delete(path);
      else file.current = Buffer.from(file.durable);
    }
    if (last === undefined || !this.files.has(last.path)) return;
    const roll = this.random();
    let landed: PendingWrite | null = null;
    if (roll < this.faults.tearRate && last.bytes.length > 1) {
      landed = { ...last, bytes: last.bytes.subarray(0, 1 + Math.floor(this.random() * (last.bytes.length - 1))) };
      this.stats.tornWrites++;
    } else if (roll < this.faults.tearRate + this.faults.landRate) {
      landed = last;
    }
    if (landed === null) return;
    const file = this.file(landed.path);
    file.durable = writeInto(file.durable ?? Buffer.alloc(0), landed);
    file.current = Buffer.from(file.durable);
  }

  // ---- what SimDiskView calls, for the live incarnation only

  checkEpoch(epoch: number): void {
    if (epoch !== this.epoch) throw new Error('a crashed incarnation touched the disk');
  }

  enqueue(operation: Operation): void {
    this.queue.push(operation);
  }

  file(path: string): SimFile {
    const file = this.files.get(path);
    if (file === undefined) throw Object.assign(new Error(`ENOENT: no such file, ${path}`), { code: 'ENOENT' });
    return file;
  }

  has(path: string): boolean {
    return this.files.has(path);
  }

  set(path: string, file: SimFile): void {
    this.files.set(path, file);
  }

  remove(path: string): void {
    this.file(path);
    this.files.delete(path);
  }

  paths(): string[] {
    return [...this.files.keys()];
  }
}

class SimDiskView implements LogDisk {
  constructor(
    private readonly disk: SimDisk,
    private readonly epoch: number,
  ) {}

  makeDirectory(): void {
    this.disk.checkEpoch(this.epoch);
  }

  list(dir: string): string[] {
    this.disk.checkEpoch(this.epoch);
    const prefix = `${dir}/`;
    return this.disk
      .paths()
      .filter((path) => path.startsWith(prefix) && !path.slice(prefix.length).includes('/'))
      .map((path) => path.slice(prefix.length));
  }

  create(path: string): void {
    this.disk.checkEpoch(this.epoch);
    this.disk.set(path, { current: Buffer.alloc(0), durable: Buffer.alloc(0) });
  }

  open(path: string, syncWrites: boolean): Promise<LogFile> {
    this.disk.checkEpoch(this.epoch);
    this.disk.file(path);
    return Promise.resolve(new SimFileHandle(this.disk, this.epoch, path, syncWrites));
  }

  readAll(path: string): Buffer | null {
    this.disk.checkEpoch(this.epoch);
    return this.disk.has(path) ? Buffer.from(this.disk.file(path).current) : null;
  }

  read(path: string, bytes: Buffer, position: number): number {
    this.disk.checkEpoch(this.epoch);
    return this.disk.file(path).current.copy(bytes, 0, position);
  }

  sizeBytes(path: string): number {
    this.disk.checkEpoch(this.epoch);
    return this.disk.file(path).current.length;
  }

  writeSynced(path: string, bytes: Buffer): void {
    this.disk.checkEpoch(this.epoch);
    this.disk.set(path, { current: Buffer.from(bytes), durable: this.disk.syncedWritesDurable ? Buffer.from(bytes) : null });
  }

  rename(from: string, to: string): void {
    this.disk.checkEpoch(this.epoch);
    const file = this.disk.file(from);
    this.disk.remove(from);
    this.disk.set(to, file);
  }

  unlink(path: string): void {
    this.disk.checkEpoch(this.epoch);
    this.disk.remove(path);
  }

  syncDirectory(): void {
    this.disk.checkEpoch(this.epoch);
  }
}

class SimFileHandle implements LogFile {
  constructor(
    private readonly disk: SimDisk,
    private readonly epoch: number,
    private readonly path: string,
    private readonly syncWrites: boolean,
  ) {}

  write(bytes: Buffer, offset: number, length: number, position: number): Promise<{ bytesWritten: number }> {
    this.disk.checkEpoch(this.epoch);
    // Copied: the caller may reuse its buffer once the call returns, as with a real write.
    const write = { path: this.path, bytes: Buffer.from(bytes.subarray(offset, offset + length)), position };
    return new Promise((resolve, reject) => {
      this.disk.enqueue({ kind: 'write', write, syncWrites: this.syncWrites, resolve: (bytesWritten) => resolve({ bytesWritten }), reject });
    });
  }

  datasync(): Promise<void> {
    this.disk.checkEpoch(this.epoch);
    return new Promise((resolve) => this.disk.enqueue({ kind: 'sync', path: this.path, resolve }));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function writeInto(target: Buffer, write: PendingWrite): Buffer {
  const end = write.position + write.bytes.length;
  const result = end > target.length ? Buffer.concat([target, Buffer.alloc(end - target.length)]) : target;
  write.bytes.copy(result, write.position);
  return result;
}
