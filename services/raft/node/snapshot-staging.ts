// The follower's side of a snapshot transfer: chunks are kept in files, one per chunk, until
// the last arrives and the whole snapshot is installed from them, read back one at a time, so
// a snapshot of any size costs a chunk of memory. They need not be durable: a node that
// restarts mid-transfer has forgotten it and asks the leader for chunk 0 again.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assert } from '../../base/assert.js';

export class SnapshotStaging {
  private stored = 0;

  constructor(private readonly dir: string) {}

  // Chunk 0 starts over; any other must follow the last stored.
  store(chunk: number, data: Uint8Array): void {
    if (chunk === 0) this.clear();
    assert(chunk === this.stored, `snapshot chunk ${chunk} after ${this.stored} stored`);
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(this.chunkPath(chunk), data);
    this.stored++;
  }

  // The stored chunks in order, each read when reached.
  *chunks(): Generator<Uint8Array> {
    for (let chunk = 0; chunk < this.stored; chunk++) yield readFileSync(this.chunkPath(chunk));
  }

  clear(): void {
    rmSync(this.dir, { recursive: true, force: true });
    this.stored = 0;
  }

  private chunkPath(chunk: number): string {
    return join(this.dir, `${chunk.toString().padStart(10, '0')}.chunk`);
  }
}
