// Proves the driver answers each proposal for its own entry: a write whose leader is deposed
// before it commits fails with OUTCOME_UNKNOWN (and the write path is told), one that commits
// resolves. Three real drivers over simulated disks and network, stepped by the test.
import { describe, expect, it } from 'vitest';
import { TideError } from '../../services/base/errors.js';
import type { LogEntry } from '../../services/raft/core/types.js';
import { RaftNode } from '../../services/raft/node/raft-node.js';
import { seededRandom } from '../support/seeded-random.js';
import { SimDisk } from '../sim/sim-disk.js';
import { SimNetwork } from '../sim/sim-network.js';

interface TestNode {
  readonly id: number;
  readonly driver: RaftNode;
  readonly disk: SimDisk;
  readonly applied: LogEntry[];
  // How many times the driver said its term or role changed.
  readonly leadershipChanges: { count: number };
  tick: () => void;
}

const voters = [1, 2, 3];

async function startCluster(): Promise<{ nodes: TestNode[]; network: SimNetwork; run(ticks: number): Promise<void> }> {
  const network = new SimNetwork(seededRandom(7));
  const nodes: TestNode[] = [];
  const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  const quiesce = async (): Promise<void> => {
    for (let round = 0; round < 100; round++) {
      await settle();
      let busy = false;
      for (const node of nodes) {
        while (node.disk.pendingOperations > 0) {
          node.disk.completeNext();
          busy = true;
          await settle();
        }
      }
      if (network.deliverDue()) busy = true;
      if (!busy) return;
    }
  };
  for (const id of voters) {
    const disk = new SimDisk(seededRandom(id));
    const applied: LogEntry[] = [];
    const leadershipChanges = { count: 0 };
    let tickNode: (() => void) | null = null;
    const opening = RaftNode.open({
      dir: '/raft',
      id,
      voters,
      transport: network.connect(id),
      appliedIndex: 0n,
      apply: (entries) => {
        applied.push(...entries);
        return Promise.resolve();
      },
      onFatal: (error) => {
        throw error;
      },
      onLeadershipChange: () => leadershipChanges.count++,
      ticker: (tick) => {
        tickNode = tick;
        return () => undefined;
      },
      random: seededRandom(100 + id),
      disk: disk.view(),
      logPreallocateBytes: 4096,
    });
    while (disk.pendingOperations === 0) await settle();
    while (disk.pendingOperations > 0) {
      disk.completeNext();
      await settle();
    }
    const driver = await opening;
    nodes.push({ id, driver, disk, applied, leadershipChanges, tick: () => tickNode?.() });
  }
  const run = async (ticks: number): Promise<void> => {
    for (let tick = 0; tick < ticks; tick++) {
      network.time++;
      for (const node of nodes) node.tick();
      await quiesce();
    }
  };
  return { nodes, network, run };
}

const leaderOf = (nodes: readonly TestNode[]): TestNode | undefined => nodes.find((node) => node.driver.status.role === 'leader');

describe('RaftNode with peers', () => {
  it('answers a committed proposal, and fails one whose leader was deposed with OUTCOME_UNKNOWN', async () => {
    const { nodes, network, run } = await startCluster();
    await run(40);
    const leader = leaderOf(nodes)!;
    expect(leader).toBeDefined();
    const committed = leader.driver.propose(new TextEncoder().encode('kept'));
    await run(3);
    await committed.applied;
    expect(nodes.every((node) => node.applied.some((entry) => entry.index === committed.index))).toBe(true);

    // Cut the leader off with a proposal of its own in flight; the others elect a new leader,
    // whose term reaches the old one once the partition heals.
    network.isolate([leader.id], voters);
    const changesBefore = leader.leadershipChanges.count;
    const stranded = leader.driver.propose(new TextEncoder().encode('stranded'));
    const outcome = stranded.applied.then(() => 'applied', (error: unknown) => (error as TideError).code);
    await run(60);
    network.heal();
    await run(20);
    expect(await outcome).toBe('OUTCOME_UNKNOWN');
    expect(leader.leadershipChanges.count).toBeGreaterThan(changesBefore);
    const newLeader = leaderOf(nodes)!;
    expect(newLeader.id).not.toBe(leader.id);
    // The stranded entry never applied anywhere: its index holds the new leader's entry.
    for (const node of nodes) expect(node.applied.map((entry) => new TextDecoder().decode(entry.data))).not.toContain('stranded');
    expect(leader.applied.find((entry) => entry.index === stranded.index)?.term).toBe(newLeader.driver.status.term);
  });
});
