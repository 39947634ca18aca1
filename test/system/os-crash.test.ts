// Durability through an OS crash, with real processes: LMDB commits without syncing, so a kill
// -9 (which keeps the page cache) is not enough. While clients insert, the nodes are killed and
// each one's LMDB file is put back as an OS crash could leave it: as it was at the last
// checkpoint's sync (the test-only copy TIDE_TEST_COPY_LMDB_AT_SYNC makes), or that with every
// page written since scrambled (test/support/os-crash-file.ts). After the restart every
// acknowledged insert is present exactly once, and the state equals a replica's at the same
// applied index: for a single node, the state its own Raft log replays to on a fresh store; in
// a three-node cluster that lost power whole, every node's, compared with each other's.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LogStore } from '../../services/raft/node/log-store.js';
import { checkpointFileName, copyAtSyncFileName, dataFileName, decodeCheckpoint } from '../../services/storage/lmdb-checkpoint.js';
import { Store } from '../../services/storage/store.js';
import { osCrashFile, pagesWrittenSince } from '../support/os-crash-file.js';
import { stateChecksum } from '../support/state-checksum.js';
import { ClusterProcesses } from './cluster-processes.js';
import { NodeProcess, sleep, temporaryDir } from './node-process.js';

// Inherited by the node processes this file starts (NodeProcess passes its environment on).
process.env['TIDE_TEST_COPY_LMDB_AT_SYNC'] = '1';
const checkpointArgs = ['--lmdb-checkpoint-interval-ms', '400'];
const clients = 6;

// Inserts through `target()` from several clients until stopped; an insert answered 200 is
// acknowledged. A table without a primary key, so that an entry applied twice would show.
function insertWhile(target: () => NodeProcess, acknowledged: Set<number>, next: { id: number }): { stop: () => Promise<void> } {
  let running = true;
  const writers = Array.from({ length: clients }, async () => {
    while (running) {
      const id = next.id++;
      try {
        const response = await target().sql('INSERT INTO events (id, body) VALUES (?, ?)', [id, `row ${id}`]);
        if (response.status === 200) acknowledged.add(id);
      } catch {
        if (running) await sleep(20); // a node killed under it: not acknowledged
      }
    }
  });
  return {
    stop: async () => {
      running = false;
      await Promise.allSettled(writers);
    },
  };
}

// Puts the killed node's LMDB file back as an OS crash could have left it; returns the applied
// index of its checkpoint record and how many pages were written after the sync.
function crashLmdb(dataDir: string, crash: 'at-sync' | number): { checkpointed: bigint; pagesWritten: number } {
  const dir = join(dataDir, 'lmdb');
  const atSync = readFileSync(join(dir, copyAtSyncFileName));
  const atCrash = readFileSync(join(dir, dataFileName));
  writeFileSync(join(dir, dataFileName), crash === 'at-sync' ? atSync : osCrashFile(atSync, atCrash, crash));
  const record = join(dir, checkpointFileName);
  return { checkpointed: decodeCheckpoint(record, readFileSync(record)).appliedIndex, pagesWritten: pagesWrittenSince(atSync, atCrash).length };
}

async function expectAcknowledgedOnce(node: NodeProcess, acknowledged: ReadonlySet<number>): Promise<void> {
  const select = await node.sql('SELECT id, body FROM events ORDER BY id');
  expect(select.status).toBe(200);
  const rows = select.body.results![0]!.rows as [number, string][];
  const ids = rows.map(([id]) => id);
  expect(new Set(ids).size).toBe(ids.length);
  expect([...acknowledged].filter((id) => !ids.includes(id))).toEqual([]);
  for (const [id, body] of rows) expect(body).toBe(`row ${id}`);
}

function checksumOf(lmdbDir: string, options: { changelog?: boolean } = {}): { appliedIndex: bigint; checksum: string } {
  const store = Store.open(lmdbDir);
  try {
    return stateChecksum(store, options);
  } finally {
    void store.close();
  }
}

describe('a single node through OS crashes', () => {
  const dir = temporaryDir('os-crash');
  const replicaDir = temporaryDir('os-crash-replica');
  afterAll(() => {
    dir.remove();
    replicaDir.remove();
  });

  it('loses no acknowledged insert, and ends with the state its log replays to', async () => {
    const node = new NodeProcess(dir.path, 27_101, checkpointArgs);
    await node.start();
    try {
      expect((await node.sql('CREATE TABLE events (id BIGINT NOT NULL, body TEXT)')).status).toBe(200);
      const acknowledged = new Set<number>();
      const next = { id: 1 };
      let rolledBack = 0;
      let scrambled = 0;
      for (const crash of ['at-sync', 11, 12] as const) {
        const inserts = insertWhile(() => node, acknowledged, next);
        await sleep(1_200);
        const applied = BigInt((await node.status()).raft.applied_index);
        await node.kill();
        await inserts.stop();
        const { checkpointed, pagesWritten } = crashLmdb(dir.path, crash);
        // Commits after the checkpoint were lost with the file: the log must bring them back.
        // (A checkpoint may land between the status read and the kill: counted, not asserted.)
        if (checkpointed < applied) rolledBack++;
        scrambled += pagesWritten;
        await node.start();
        await expectAcknowledgedOnce(node, acknowledged);
      }
      expect(rolledBack).toBeGreaterThan(0);
      expect(scrambled).toBeGreaterThan(0);
      expect(acknowledged.size).toBeGreaterThan(clients * 3);
    } finally {
      await node.stop();
    }
    expect(existsSync(join(dir.path, 'lmdb', checkpointFileName))).toBe(false); // stopped cleanly
    const state = checksumOf(join(dir.path, 'lmdb'));
    const { log } = await LogStore.open(join(dir.path, 'raft'), 0n);
    expect(log.firstIndex).toBe(1n);
    const replica = Store.open(join(replicaDir.path, 'lmdb'));
    for (let index = 1n; index <= state.appliedIndex; index += 100n) {
      const end = index + 100n > state.appliedIndex ? state.appliedIndex + 1n : index + 100n;
      await replica.apply(log.entries(index, end, Number.MAX_SAFE_INTEGER));
    }
    await log.close();
    expect(stateChecksum(replica)).toEqual(state);
    await replica.close();
  }, 60_000);
});

describe('a three-node cluster through a whole-cluster power loss', () => {
  it('loses no acknowledged insert, and every node ends with the same state', async () => {
    // Segments of 16 KiB compacted every 100 ms with no margin: each log is kept back exactly
    // to its node's last checkpoint, which is all the replay has.
    const cluster = await ClusterProcesses.start(3, { firstPort: 26_301, extraArgs: [...checkpointArgs, '--raft-segment-bytes', '16384', '--raft-keep-entries', '0', '--raft-compaction-interval-ms', '100'] });
    try {
      let leader = await cluster.leader();
      expect((await leader.sql('CREATE TABLE events (id BIGINT NOT NULL, body TEXT)')).status).toBe(200);
      const acknowledged = new Set<number>();
      const next = { id: 1 };
      let rolledBack = 0;
      let scrambled = 0;
      for (const crashes of [['at-sync', 21, 22], [23, 'at-sync', 24]] as const) {
        const inserts = insertWhile(() => leader, acknowledged, next);
        await sleep(1_500);
        const applied = await Promise.all(cluster.nodes.map(async (node) => BigInt((await node.status()).raft.applied_index)));
        await Promise.all(cluster.nodes.map((node) => node.kill()));
        await inserts.stop();
        for (const [at, node] of cluster.nodes.entries()) {
          const { checkpointed, pagesWritten } = crashLmdb(node.dataDir, crashes[at]!);
          if (checkpointed < applied[at]!) rolledBack++;
          scrambled += pagesWritten;
        }
        await Promise.all(cluster.nodes.map((node) => node.start()));
        leader = await cluster.leader();
        for (const node of cluster.nodes) await expectAcknowledgedOnce(node, acknowledged);
      }
      expect(rolledBack).toBeGreaterThan(0);
      expect(scrambled).toBeGreaterThan(0);
      expect(acknowledged.size).toBeGreaterThan(clients * 2);
      const applied = await cluster.converged();
      // Killed together at one applied index; a kill keeps the page cache, so each LMDB file is
      // whole at its newest commit and is read as it is, without going back to its checkpoint.
      await Promise.all(cluster.nodes.map((node) => node.kill()));
      const states = cluster.nodes.map((node) => {
        rmSync(join(node.dataDir, 'lmdb', checkpointFileName));
        // Without the changelog: a node that was sent a snapshot has none for what it covered.
        return checksumOf(join(node.dataDir, 'lmdb'), { changelog: false });
      });
      expect(states[0]!.appliedIndex).toBe(applied);
      for (const state of states) expect(state).toEqual(states[0]);
    } finally {
      await cluster.stop();
    }
  }, 90_000);
});
