// A full disk loses nothing acknowledged: a node whose data directory sits on a small tmpfs
// takes inserts until the disk is full and the node stops itself (fail-stop); its files, moved
// to a disk with room, restart with every acknowledged row. Needs root to mount the tmpfs; it
// is skipped, saying why, where mounting is not allowed.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NodeProcess, freePort, temporaryDir } from './node-process.js';

const scratch = temporaryDir('full-disk');
const mountPoint = join(scratch.path, 'small');
const mountError = tryMount();

function tryMount(): string | null {
  try {
    mkdirSync(mountPoint);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mountPoint], { stdio: 'pipe' });
    return null;
  } catch (error) {
    return (error as Error).message.split('\n')[0] ?? 'mount failed';
  }
}

if (mountError !== null) console.warn(`full-disk test skipped: cannot mount a tmpfs (${mountError})`);

describe.skipIf(mountError !== null)('a full disk', () => {
  afterAll(() => {
    try {
      execFileSync('umount', [mountPoint], { stdio: 'pipe' });
    } catch {
      // already unmounted
    }
    scratch.remove();
  });

  it('stops the node without losing an acknowledged row', async () => {
    const dataDir = join(mountPoint, 'data');
    let node = new NodeProcess(dataDir, await freePort());
    await node.start();
    expect((await node.sql('CREATE TABLE blobs (id INT PRIMARY KEY, body TEXT)')).status).toBe(200);
    const body = 'x'.repeat(16 * 1024);
    const acknowledged: number[] = [];
    let refused = 0;
    for (let id = 1; id <= 2_000; id++) {
      try {
        const response = await node.sql('INSERT INTO blobs VALUES (?, ?)', [id, body]);
        if (response.status === 200) acknowledged.push(id);
        else refused++;
      } catch {
        break; // the node stopped: the connection is gone
      }
    }
    // 3 MiB cannot hold 2,000 rows of 16 KiB: the disk filled before the loop ended.
    expect(acknowledged.length).toBeGreaterThan(10);
    expect(acknowledged.length).toBeLessThan(2_000);
    expect(refused).toBe(0);
    await node.kill();

    const roomy = join(scratch.path, 'roomy');
    cpSync(dataDir, roomy, { recursive: true });
    node = new NodeProcess(roomy, await freePort());
    await node.start();
    try {
      const select = await node.sql('SELECT id FROM blobs ORDER BY id');
      const ids = (select.body.results![0]!.rows as [number][]).map(([id]) => id);
      expect(ids.slice(0, acknowledged.length)).toEqual(acknowledged);
      expect(ids.length).toBeLessThanOrEqual(acknowledged.length + 1); // at most the one in flight
      expect((await node.sql('INSERT INTO blobs VALUES (?, ?)', [5_000, 'after'])).status).toBe(200);
    } finally {
      await node.stop();
    }
  });
});
