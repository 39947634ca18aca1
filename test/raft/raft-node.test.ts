// Proves the driver answers each proposal for its own entry: a write whose leader is deposed
// before it commits fails with OUTCOME_UNKNOWN (and the write path is told), one that commits
// resolves. Three real drivers over simulated disks and network, stepped by the test.
import { describe, expect, it } from 'vitest';
import { TideError } from '../../services/base/errors.js';
import type { LogEntry } from '../../services/raft/core/types.js';
import { RaftNode } from '../../services/raft/node/raft-node.js';
import { membershipOf } from '../../services/raft/core/membership.js';
import type { Membership } from '../../services/raft/core/membership.js';
import { seededRandom } from '../support/seeded-random.js';
import { SimDisk } from '../sim/sim-disk.js';
import { SimNetwork } from '../sim/sim-network.js';

interface TestNode {
  readonly id: number;
  driver: RaftNode;
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
  for (const id of voters) nodes.push(await openNode(network, id, new SimDisk(seededRandom(id)), []));
  const run = async (ticks: number): Promise<void> => {
    for (let tick = 0; tick < ticks; tick++) {
      network.time++;
      for (const node of nodes) node.tick();
      await quiesce();
    }
  };
  return { nodes, network, run };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

// Completes `disk`'s operations until `work` settles (the simulated disk holds each one).
async function pumpDisk<T>(disk: SimDisk, work: Promise<T>): Promise<T> {
  let done = false;
  const settled = work.finally(() => (done = true));
  while (!done) {
    if (disk.pendingOperations > 0) disk.completeNext();
    await settle();
  }
  return settled;
}

// Opens a driver over `disk` (completing the disk's operations until it is open); `applied` is
// its state machine, kept across reopens.
async function openNode(network: SimNetwork, id: number, disk: SimDisk, applied: LogEntry[], seen: Membership[] = []): Promise<TestNode> {
    const leadershipChanges = { count: 0 };
    let tickNode: (() => void) | null = null;
    const opening = RaftNode.open({
      dir: '/raft',
      id,
      voters,
      transport: network.connect(id),
      appliedIndex: BigInt(applied.length),
      onMembership: (membership) => seen.push(membership),
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
    const driver = await pumpDisk(disk, opening);
    return { id, driver, disk, applied, leadershipChanges, tick: () => tickNode?.() };
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

describe('RaftNode membership and leadership', () => {
  it('removes a member through the log, refuses with stable codes, persists the configuration for a restart, and hands leadership over', async () => {
    const { nodes, network, run } = await startCluster();
    await run(40);
    const leader = leaderOf(nodes)!;
    const others = nodes.filter((node) => node !== leader);
    const code = (act: () => unknown): string => {
      try {
        act();
        return 'accepted';
      } catch (error) {
        return (error as TideError).code;
      }
    };
    expect(code(() => leader.driver.changeMembership({ kind: 'addLearner', id: others[0]!.id, peer: '', http: '' }))).toBe('MEMBER_EXISTS');
    expect(code(() => leader.driver.changeMembership({ kind: 'promote', id: 9 }))).toBe('MEMBER_NOT_FOUND');
    expect(code(() => others[0]!.driver.changeMembership({ kind: 'remove', id: leader.id }))).toBe('NOT_LEADER');
    expect(code(() => leader.driver.requestLeadershipTransfer(9))).toBe('MEMBER_NOT_FOUND');

    const removed = others[1]!;
    const removal = leader.driver.changeMembership({ kind: 'remove', id: removed.id });
    expect(code(() => leader.driver.changeMembership({ kind: 'addLearner', id: 4, peer: '127.0.0.1:4204', http: 'http://127.0.0.1:4004' }))).toBe('MEMBERSHIP_CHANGE_PENDING');
    await run(5);
    await removal.applied;
    const remaining = membershipOf(voters.filter((id) => id !== removed.id));
    expect(leader.driver.membership).toEqual(remaining);

    // A restart takes the persisted configuration, not the voters it is started with.
    const kept = others[0]!;
    await pumpDisk(kept.disk, kept.driver.close());
    const seen: Membership[] = [];
    const reopened = await openNode(network, kept.id, kept.disk, kept.applied, seen);
    kept.driver = reopened.driver;
    kept.tick = reopened.tick;
    expect(reopened.driver.membership).toEqual(remaining);
    expect(seen).toEqual([remaining]);

    // Two voters left: leadership goes to the other one, which then takes proposals.
    leader.driver.requestLeadershipTransfer(kept.id);
    expect(code(() => leader.driver.propose(new TextEncoder().encode('during')))).toBe('LEADER_TRANSFERRING');
    await run(10);
    expect(kept.driver.status.role).toBe('leader');
    expect(leader.driver.status.role).toBe('follower');
    const after = kept.driver.propose(new TextEncoder().encode('after'));
    await run(5);
    await after.applied;
  });
});
