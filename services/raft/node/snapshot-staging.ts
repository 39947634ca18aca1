// The follower's side of a snapshot transfer: chunks are kept in files, one per chunk, until
// the last arrives and the whole snapshot is installed from them, read back one at a time, so
// a snapshot of any size costs a chunk of memory. They go through the log's disk (a simulation
// passes its own). They need not outlive the process: a node that restarts mid-transfer has
// forgotten it and answers the leader's next chunk by asking for chunk 0 again.
import { join } from 'node:path';
import { assert } from '../../base/assert.js';
import type { LogDisk } from './log-disk.js';

export class SnapshotStaging {
  private stored = 0;

  constructor(
    private readonly disk: LogDisk,
    private readonly dir: string,
  ) {}

  // Chunk 0 starts over; any other must follow the last stored.
  store(chunk: number, data: Uint8Array): void {
    if (chunk === 0) this.clear();
    assert(chunk === this.stored, `snapshot chunk ${chunk} after ${this.stored} stored`);
    this.disk.writeSynced(this.chunkPath(chunk), Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    this.stored++;
  }

  // The stored chunks in order, each read when reached.
  *chunks(): Generator<Uint8Array> {
    for (let chunk = 0; chunk < this.stored; chunk++) {
      const bytes = this.disk.readAll(this.chunkPath(chunk));
      assert(bytes !== null, `staged snapshot chunk ${chunk} vanished`);
      yield bytes;
    }
  }

  // Removes every staged chunk, this run's or an earlier one's.
  clear(): void {
    this.disk.makeDirectory(this.dir);
    for (const name of this.disk.list(this.dir)) this.disk.unlink(join(this.dir, name));
    this.stored = 0;
  }

  private chunkPath(chunk: number): string {
    return join(this.dir, `${chunk.toString().padStart(10, '0')}.chunk`);
  }
}
