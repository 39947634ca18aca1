// Proves the simulated disk behaves as the simulation relies on, under the real log store:
// writes complete only when the simulation says, a crash loses what is not durable and may
// tear the last write, and short writes and ENOSPC reach the store, which stops on them.
import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../services/raft/core/types.js';
import { LogStore, LogWriteError } from '../../services/raft/node/log-store.js';
import { seededRandom } from '../support/seeded-random.js';
import { SimDisk } from './sim-disk.js';

const entry = (index: bigint, term = 1n): LogEntry => ({ index, term, kind: 'batch', data: new TextEncoder().encode(`entry ${index}`) });

// Runs `work` while completing the disk's operations one by one, as the simulation does.
async function completing<T>(disk: SimDisk, work: Promise<T>): Promise<T> {
  let done = false;
  const settled = work.finally(() => (done = true));
  settled.catch(() => undefined);
  while (!done) {
    await new Promise((resolve) => setImmediate(resolve));
    disk.completeNext();
  }
  return settled;
}

async function openStore(disk: SimDisk): Promise<LogStore> {
  return (await completing(disk, LogStore.open('/raft', 0n, { disk: disk.view(), preallocateBytes: 4096 }))).log;
}

describe('SimDisk under the log store', () => {
  it('holds a write back until the simulation completes it, and keeps it through a crash once it is durable', async () => {
    const disk = new SimDisk(seededRandom(1));
    const log = await openStore(disk);
    let appended = false;
    const append = log.append([entry(1n)]).then(() => (appended = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(appended).toBe(false);
    expect(disk.pendingOperations).toBe(1);
    disk.completeNext();
    await append;
    disk.crash();
    const reopened = await openStore(disk);
    expect(reopened.lastIndex).toBe(1n);
  });

  it('loses a write still on its way at a crash, or tears it, and the store reopens at the last durable entry', async () => {
    for (const tearRate of [0, 1]) {
      const disk = new SimDisk(seededRandom(2));
      const log = await openStore(disk);
      await completing(disk, log.append([entry(1n), entry(2n)]));
      // One record: a torn prefix of it cannot hold a whole one.
      log.append([entry(3n)]).catch(() => undefined); // never completes: the machine stops
      await new Promise((resolve) => setImmediate(resolve));
      expect(disk.pendingOperations).toBe(1);
      disk.faults = { shortWriteRate: 0, noSpaceRate: 0, tearRate, landRate: 0 };
      disk.crash();
      expect(disk.stats.tornWrites).toBe(tearRate);
      disk.faults = { shortWriteRate: 0, noSpaceRate: 0, tearRate: 0, landRate: 0 };
      const reopened = await openStore(disk);
      expect(reopened.lastIndex).toBe(2n);
      expect(reopened.entries(1n, 3n, Number.MAX_SAFE_INTEGER).map((read) => [read.index, Buffer.from(read.data).toString()])).toEqual([[1n, 'entry 1'], [2n, 'entry 2']]);
    }
  });

  it('makes a short write and a full disk fatal to the store: the append fails and so does every later one', async () => {
    for (const faults of [{ shortWriteRate: 1, noSpaceRate: 0 }, { shortWriteRate: 0, noSpaceRate: 1 }]) {
      const disk = new SimDisk(seededRandom(3));
      const log = await openStore(disk);
      disk.faults = { ...faults, tearRate: 0, landRate: 0 };
      await expect(completing(disk, log.append([entry(1n)]))).rejects.toBeInstanceOf(LogWriteError);
      expect(disk.stats.shortWrites + disk.stats.noSpace).toBe(1);
      disk.faults = { shortWriteRate: 0, noSpaceRate: 0, tearRate: 0, landRate: 0 };
      await expect(log.append([entry(1n)])).rejects.toBeInstanceOf(LogWriteError);
      expect(log.lastIndex).toBe(0n);
    }
  });

  it('refuses any use of the disk by an incarnation from before a crash', async () => {
    const disk = new SimDisk(seededRandom(4));
    const view = disk.view();
    disk.crash();
    expect(() => view.list('/raft')).toThrow(/crashed incarnation/);
  });
});
