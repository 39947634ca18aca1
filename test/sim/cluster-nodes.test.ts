// Proves the Raft driver, its log store and the core safe and live together: 3 and 5 real nodes
// over simulated disks (lost, torn and short writes, full disks), a simulated network (loss,
// delay, duplication, reordering, symmetric and one-way partitions), crashes and restarts, all
// from one seed (node-cluster.ts says what is checked after every step). A failure prints its
// seed and the command that replays it; SIM_SEEDS=n (from SIM_FIRST_SEED) runs more, TRACE=1
// prints a replay's events, and `npm run sim:soak -- --seconds N` runs seeds for N seconds.
// Nodes compact their logs and catch up by snapshot (the segment size is lowered below); nodes
// join, are promoted and removed, and leadership is handed over (sim-membership.ts).
import { describe, expect, it, vi } from 'vitest';
import { emptyCoverage, NodeClusterSimulation, Violation } from './node-cluster.js';
import type { Coverage, Mutation } from './node-cluster.js';

// Small segments, so that they roll every few dozen entries and compaction drops them: nodes
// behind then need snapshots (node-cluster.ts). Only the log store reads this limit.
vi.mock('../../services/base/limits.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../services/base/limits.js')>()),
  logSegmentBytesMax: 1024,
}));

const faultSteps = Number(process.env['SIM_STEPS'] ?? '1000');
const firstSeed = Number(process.env['SIM_FIRST_SEED'] ?? '1');
const soakSeconds = Number(process.env['SIM_SOAK_SECONDS'] ?? '0');
const replaySeed = process.env['SEED'] ?? process.env['SIM_SEED'];
const seedCount = replaySeed !== undefined ? 1 : Number(process.env['SIM_SEEDS'] ?? '1000');
const trace = process.env['TRACE'] === '1';

// 3 nodes on odd seeds, 5 on even ones.
const sizeOf = (seed: number): number => (seed % 2 === 1 ? 3 : 5);

async function runSeed(seed: number, mutation: Mutation = 'none'): Promise<Coverage> {
  const simulation = new NodeClusterSimulation({ seed, size: sizeOf(seed), faultSteps, mutation, trace });
  try {
    await simulation.run();
  } catch (error) {
    throw new Error(`seed ${seed} (${sizeOf(seed)} nodes): ${(error as Error).message}\nreplay: SIM_SEED=${seed}${process.env['SIM_STEPS'] === undefined ? '' : ` SIM_STEPS=${faultSteps}`} npx vitest run test/sim/cluster-nodes.test.ts -t 'keeps'`, { cause: error });
  }
  return simulation.finishCoverage();
}

function add(total: Coverage, coverage: Coverage): void {
  for (const key of Object.keys(total) as (keyof Coverage)[]) total[key] += coverage[key];
}

describe('a cluster of real Raft drivers and log stores over simulated disks and network', () => {
  it(`keeps Raft's safety properties through faults and makes progress once healed (${replaySeed !== undefined ? `seed ${replaySeed}` : soakSeconds > 0 ? `seeds for ${soakSeconds} s` : `${seedCount} seeds`}, ${faultSteps} fault steps each)`, async () => {
    const total = emptyCoverage();
    const startedMs = Date.now();
    let seeds = 0;
    for (let seed = replaySeed !== undefined ? Number(replaySeed) : firstSeed; ; seed++) {
      add(total, await runSeed(seed));
      seeds++;
      if (soakSeconds > 0 ? Date.now() - startedMs >= soakSeconds * 1000 : seeds >= seedCount) break;
    }
    console.log(`node cluster simulation: ${seeds} seeds from ${replaySeed ?? firstSeed} in ${((Date.now() - startedMs) / 1000).toFixed(1)} s, coverage ${JSON.stringify(total)}`);
    // A run too small or too tame to exercise the nodes proves nothing: demand faults and
    // progress (about half of what the first 1,000 seeds gave when this was written).
    if (seeds >= 50) {
      const perSeed = (count: number): number => count / seeds;
      expect(perSeed(total.elections)).toBeGreaterThan(2);
      expect(perSeed(total.leaderChanges)).toBeGreaterThan(0.9);
      expect(perSeed(total.partitions)).toBeGreaterThan(5);
      expect(perSeed(total.oneWayPartitions)).toBeGreaterThan(1.8);
      expect(perSeed(total.crashes)).toBeGreaterThan(6);
      expect(perSeed(total.tornWrites)).toBeGreaterThan(0.6);
      expect(perSeed(total.shortWriteStops)).toBeGreaterThan(0.15);
      expect(perSeed(total.noSpaceStops)).toBeGreaterThan(0.15);
      expect(perSeed(total.dropped)).toBeGreaterThan(120);
      expect(perSeed(total.duplicated)).toBeGreaterThan(10);
      expect(perSeed(total.truncations)).toBeGreaterThan(0.6);
      expect(perSeed(total.committed)).toBeGreaterThan(25);
      expect(perSeed(total.acknowledged)).toBeGreaterThan(18);
      expect(perSeed(total.outcomeUnknown)).toBeGreaterThan(4);
      // Snapshots: opened for followers behind a compacted log, and installed (2.4 and 0.5 per
      // seed when compaction joined the mix).
      expect(perSeed(total.snapshotsSent)).toBeGreaterThan(1.2);
      expect(perSeed(total.snapshotsInstalled)).toBeGreaterThan(0.25);
      // Configuration changes committed and leadership handed over (per seed over the first
      // 1,000 when they joined the mix: learners added 0.86, promotions 0.05, removals 0.44,
      // transfers asked 1.5 and done 0.34; promotions are rare because a learner must catch up
      // and the leader must have no change pending, both of which faults delay).
      expect(perSeed(total.learnersAdded)).toBeGreaterThan(0.45);
      expect(perSeed(total.promotions)).toBeGreaterThan(0.025);
      expect(perSeed(total.removals)).toBeGreaterThan(0.25);
      expect(perSeed(total.transfersAsked)).toBeGreaterThan(0.8);
      expect(perSeed(total.transfersDone)).toBeGreaterThan(0.2);
    }
  }, Math.max(240_000, soakSeconds * 1000 + 60_000));

  // The checks must fail when a rule is broken: each planted bug must be caught within the
  // first seeds, by a check (a Violation), not by the run falling over some other way. The
  // Figure 8 bug needs a rare sequence (an earlier term's entry counted onto a quorum, then a
  // leader elected without it): 2 of the first 300 seeds find it, the first at seed 45. A read
  // answered without a quorum round goes stale only when a deposed leader is asked before it
  // hears of its successor, after the successor acknowledged a write: pauses do it (the run's
  // pauseHeavy mix holds a paused leader until a write is acknowledged), first at seed 24.
  const mutations: readonly (readonly [Mutation, number])[] = [
    ['hard-state-not-durable', 20],
    ['log-writes-not-durable', 20],
    ['commit-earlier-term-by-counting', 100],
    ['read-without-quorum', 100],
  ];
  for (const [mutation, seedsMax] of mutations) {
    it(`catches a planted bug: ${mutation}`, async () => {
      const caught: string[] = [];
      for (let seed = 1; seed <= seedsMax && caught.length === 0; seed++) {
        // Without configuration changes, so the seeds that catch each bug stay those recorded.
        // Reads only for the read bug, so that the other seeds stay those recorded too.
        const simulation = new NodeClusterSimulation({ seed, size: sizeOf(seed), faultSteps, mutation, membershipChanges: mutation === 'read-without-quorum', reads: mutation === 'read-without-quorum', pauseHeavy: true });
        try {
          await simulation.run();
        } catch (error) {
          expect(error).toBeInstanceOf(Violation);
          caught.push(`seed ${seed}: ${(error as Error).message}`);
        }
      }
      console.log(`${mutation}: ${caught[0] ?? 'not caught'}`);
      expect(caught).toHaveLength(1);
    }, 120_000);
  }
});
