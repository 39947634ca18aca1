// Proves the multi-voter Raft core safe and live under faults: 3 and 5 real cores, driven from one seed over
// a simulated network (loss, delay, duplication, reordering, partitions) and disks that lose unflushed writes.
//
// After every step: at most one leader per term, log matching, leader completeness, committed
// entries never change, every node applies a prefix of one sequence; after the faults heal, a
// proposal commits within a bound. A failure prints its seed; SEED=n replays it, SIM_SEEDS=n
// (from SIM_FIRST_SEED) runs more, TRACE=1 prints every event of a replay.
import { describe, expect, it } from 'vitest';
import { electionTicks } from '../../services/base/limits.js';
import { RaftCore } from '../../services/raft/core/raft-core.js';
import type { HardState, LogEntry, RaftInput, RaftMessage } from '../../services/raft/core/types.js';
import { seededRandom } from '../support/seeded-random.js';
import { sameEntry, takeSome } from './sim-choices.js';

const faultSteps = 2_000;
// After healing, a proposal must commit within this many ticks: a few election timeouts for a
// PreVote round, an election and the repair of divergent logs.
const healTicksMax = 12 * electionTicks;
const firstSeed = Number(process.env['SIM_FIRST_SEED'] ?? '1');
const seeds = process.env['SEED'] !== undefined ? [Number(process.env['SEED'])] : Array.from({ length: Number(process.env['SIM_SEEDS'] ?? '1000') }, (_, at) => firstSeed + at);
const trace = process.env['TRACE'] === '1';
// 1,000 seeds take about 60 s on a loaded 2-core machine, and a soak (SIM_SEEDS) longer:
// allow at least 120 s, and about 120 ms a seed.
const runTimeoutMs = Math.max(120_000, seeds.length * 120);

interface InFlight {
  readonly message: RaftMessage;
  readonly deliverAt: number;
}

// What survives a crash: the hard state (written before any message of the Ready leaves), the
// log as flushed, and the state machine (applied entries are committed and on disk already).
interface Disk {
  hardState: HardState;
  readonly log: LogEntry[];
  readonly applied: LogEntry[];
}

interface SimNode {
  readonly id: number;
  readonly disk: Disk;
  core: RaftCore;
  // Entries handed out to persist and not yet on disk, in order; lost on a crash.
  pending: LogEntry[];
  // Commit index up to which this incarnation's log was checked against the committed record.
  checkedCommit: bigint;
}

interface Coverage {
  elections: number;
  leaderChanges: number;
  partitions: number;
  crashes: number;
  dropped: number;
  duplicated: number;
  truncations: number;
  rejections: number;
  committed: number;
}

class Violation extends Error {}

class ClusterSimulation {
  private readonly random: () => number;
  private readonly nodes: SimNode[] = [];
  private readonly voters: number[];
  private network: InFlight[] = [];
  private readonly blocked = new Set<string>();
  private time = 0;
  private step = 0;
  private lossRate: number;
  private delayTicksMax = 3;
  private isolateLeaders = true;
  // Swarm testing: each seed draws its own mix of events, so some runs have a slow disk, some
  // a storm of crashes, some long partitions. Faults stay rare enough in most runs (a few
  // election timeouts apart) that elections finish between them.
  private readonly weights: { tick: number; deliver: number; flush: number; propose: number; partition: number; crash: number; total: number };
  private readonly isolateLeaderRate: number;
  private readonly entriesPerAppend: number;
  // Global records: the leader of each term, every entry seen per (index, term) with the term
  // before it, and the committed sequence.
  private readonly leaders = new Map<bigint, number>();
  private readonly seen = new Map<string, { readonly entry: LogEntry; readonly previousTerm: bigint | undefined }>();
  private readonly committed: LogEntry[] = [];
  private lastLeader: number | null = null;
  private nextPayload = 1;
  readonly coverage: Coverage = { elections: 0, leaderChanges: 0, partitions: 0, crashes: 0, dropped: 0, duplicated: 0, truncations: 0, rejections: 0, committed: 0 };

  constructor(readonly seed: number, readonly size: number) {
    this.random = seededRandom(seed);
    this.lossRate = this.random() * 0.1;
    const draw = (low: number, high: number): number => low + this.random() * (high - low);
    const weights = { tick: draw(0.2, 0.4), deliver: draw(0.2, 0.5), flush: draw(0.03, 0.3), propose: draw(0.02, 0.15), partition: draw(0.002, 0.025), crash: draw(0.004, 0.04) };
    this.weights = { ...weights, total: Object.values(weights).reduce((sum, weight) => sum + weight, 0) };
    this.isolateLeaderRate = draw(0.3, 0.9);
    this.entriesPerAppend = this.pick([1, 1, 2, 1_024]);
    this.voters = Array.from({ length: size }, (_, at) => at + 1);
    for (const id of this.voters) {
      const disk: Disk = { hardState: { term: 0n, votedFor: null }, log: [], applied: [] };
      const node: SimNode = { id, disk, core: undefined as unknown as RaftCore, pending: [], checkedCommit: 0n };
      this.nodes.push(node);
      this.restart(node);
    }
  }

  // Faults of every kind, then heal and require progress.
  run(): void {
    for (this.step = 0; this.step < faultSteps; this.step++) this.faultStep();
    this.heal();
  }

  private faultStep(): void {
    let roll = this.random() * this.weights.total;
    if ((roll -= this.weights.tick) < 0) this.tickAll();
    else if ((roll -= this.weights.deliver) < 0) this.deliverSome();
    else if ((roll -= this.weights.flush) < 0) this.flush(this.pick(this.nodes), false);
    else if ((roll -= this.weights.propose) < 0) this.propose();
    else if ((roll -= this.weights.partition) < 0) this.changePartition();
    else this.crash(this.pick(this.nodes));
  }

  private heal(): void {
    this.blocked.clear();
    this.isolateLeaders = false;
    this.lossRate = 0;
    this.delayTicksMax = 1;
    this.log('heal');
    // One proposal per leader's term: a proposal to a leader that then lost its term may never
    // commit (its index may stay past the new leader's log), so each new leader gets its own.
    const proposals: { index: bigint; payload: string }[] = [];
    let proposedInTerm: bigint | null = null;
    for (let tick = 0; tick < healTicksMax; tick++, this.step++) {
      this.tickAll();
      for (let round = 0; round < 100; round++) {
        for (const node of this.nodes) this.flush(node, true);
        if (!this.deliverDue()) break;
      }
      for (const proposal of proposals) {
        const committed = this.committed[Number(proposal.index) - 1];
        if (committed !== undefined && new TextDecoder().decode(committed.data) === proposal.payload) return;
      }
      const leader = this.currentLeader();
      if (leader === null || leader.core.status.term === proposedInTerm) continue;
      const payload = String(this.nextPayload++);
      const index = this.stepNode(leader, { kind: 'propose', data: new TextEncoder().encode(payload) });
      if (index === null) continue;
      proposals.push({ index, payload });
      proposedInTerm = leader.core.status.term;
    }
    throw new Violation(`no proposal committed within ${healTicksMax} ticks after the faults healed`);
  }

  // ---- events

  private tickAll(): void {
    this.time++;
    for (const node of this.nodes) this.stepNode(node, { kind: 'tick' });
    if (trace) this.log(`status ${this.nodes.map((node) => { const status = node.core.status; return `${node.id}:${status.role}/${status.term}/lead=${status.leaderId}/commit=${status.commitIndex}/last=${status.lastIndex}`; }).join(' ')}`);
  }

  // Delivers some of the messages that are due, in random order: messages overtake one another,
  // yet none waits much past its delay (a backlog that only grows would turn every message
  // into one from long ago, which no network does for long).
  private deliverSome(): void {
    const due = this.network.filter((flight) => flight.deliverAt <= this.time);
    if (due.length === 0) return;
    const chosen = takeSome(due, this.random);
    const delivered = new Set(chosen);
    this.network = this.network.filter((flight) => !delivered.has(flight));
    for (const flight of chosen) {
      if (this.random() < 0.02) {
        this.network.push({ message: flight.message, deliverAt: this.time + Math.floor(this.random() * 5) });
        this.coverage.duplicated++;
      }
      this.deliver(flight.message);
    }
  }

  private deliverDue(): boolean {
    const due = this.network.filter((flight) => flight.deliverAt <= this.time);
    if (due.length === 0) return false;
    this.network = this.network.filter((flight) => flight.deliverAt > this.time);
    for (const flight of due) this.deliver(flight.message);
    return true;
  }

  private deliver(message: RaftMessage): void {
    if (this.blocked.has(`${message.from}>${message.to}`) || this.random() < this.lossRate) {
      this.coverage.dropped++;
      return;
    }
    if (message.kind === 'appendResponse' && message.reject) this.coverage.rejections++;
    this.stepNode(this.nodes[message.to - 1]!, { kind: 'message', message });
  }

  // The disk finishes writing some of the queued entries (all of them with `all`).
  private flush(node: SimNode, all: boolean): void {
    if (node.pending.length === 0) return;
    const count = all ? node.pending.length : 1 + Math.floor(this.random() * node.pending.length);
    const group = node.pending.splice(0, count);
    this.writeToDisk(node, group);
    const last = group.at(-1)!;
    this.stepNode(node, { kind: 'persisted', index: last.index, term: last.term });
  }

  private writeToDisk(node: SimNode, entries: readonly LogEntry[]): void {
    for (const entry of entries) {
      if (entry.index <= BigInt(node.disk.log.length)) node.disk.log.length = Number(entry.index) - 1;
      this.check(entry.index === BigInt(node.disk.log.length + 1), `node ${node.id} wrote entry ${entry.index} after ${node.disk.log.length}`);
      this.check(entry.index > BigInt(node.disk.applied.length), `node ${node.id} overwrote applied entry ${entry.index}`);
      node.disk.log.push(entry);
    }
  }

  private propose(): void {
    const leader = this.random() < 0.85 ? this.currentLeader() : this.pick(this.nodes);
    if (leader === null) return;
    const count = 1 + Math.floor(this.random() * 3);
    for (let at = 0; at < count; at++) this.stepNode(leader, { kind: 'propose', data: new TextEncoder().encode(String(this.nextPayload++)) });
  }

  private isolate(id: number): void {
    this.blocked.clear();
    this.coverage.partitions++;
    for (const other of this.voters) if (other !== id) this.blocked.add(`${id}>${other}`).add(`${other}>${id}`);
    this.log(`partition: ${id} | rest (new leader)`);
  }

  private changePartition(): void {
    this.blocked.clear();
    const roll = this.random();
    if (roll < 0.3) {
      this.log('partition: none');
      return;
    }
    this.coverage.partitions++;
    if (roll < 0.7) {
      // Symmetric: a random side, cut both ways from the rest.
      const side = this.voters.filter(() => this.random() < 0.5);
      if (side.length === 0 || side.length === this.size) side.splice(0, side.length, this.pick(this.voters));
      for (const a of side) for (const b of this.voters) if (!side.includes(b)) this.blocked.add(`${a}>${b}`).add(`${b}>${a}`);
      this.log(`partition: ${side.join(',')} | rest`);
    } else {
      // One-way: some links carry messages in one direction only.
      for (let links = 1 + Math.floor(this.random() * this.size); links > 0; links--) {
        const from = this.pick(this.voters);
        const to = this.pick(this.voters);
        if (from !== to) this.blocked.add(`${from}>${to}`);
      }
      this.log(`partition: one-way ${[...this.blocked].join(' ')}`);
    }
  }

  // The node loses its memory and the writes still queued, except a prefix that may have
  // reached the disk unreported (a torn group), then starts again from its disk.
  private crash(node: SimNode): void {
    this.coverage.crashes++;
    const written = Math.floor(this.random() * (node.pending.length + 1));
    this.writeToDisk(node, node.pending.slice(0, written));
    this.log(`crash ${node.id} (wrote ${written} of ${node.pending.length} pending)`);
    this.restart(node);
  }

  private restart(node: SimNode): void {
    node.pending = [];
    const last = node.disk.log.at(-1);
    const appliedIndex = BigInt(node.disk.applied.length);
    node.core = new RaftCore(
      { id: node.id, voters: this.voters, random: seededRandom(Math.floor(this.random() * 2 ** 32)), entriesPerAppendMax: this.entriesPerAppend },
      { hardState: node.disk.hardState, lastIndex: last?.index ?? 0n, lastTerm: last?.term ?? 0n, appliedIndex, entries: [...node.disk.log] },
    );
    node.checkedCommit = appliedIndex;
  }

  // ---- the driver's side of one step, and the checks

  // Returns the proposed index, when the step was a proposal that was taken.
  private stepNode(node: SimNode, input: RaftInput): bigint | null {
    const wasLeader = node.core.status.role === 'leader';
    const ready = node.core.step(input);
    if (trace) this.log(`${node.id} <- ${JSON.stringify(input, (_key, value: unknown) => (typeof value === 'bigint' ? Number(value) : value instanceof Uint8Array ? new TextDecoder().decode(value) : value))}`);
    // 1. The hard state, durably, before anything is sent.
    if (ready.hardState !== null) {
      this.check(ready.hardState.term >= node.disk.hardState.term, `node ${node.id} lowered its term`);
      if (ready.hardState.term === node.disk.hardState.term && node.disk.hardState.votedFor !== null) {
        this.check(ready.hardState.votedFor === node.disk.hardState.votedFor, `node ${node.id} changed its vote in term ${ready.hardState.term}`);
      }
      node.disk.hardState = ready.hardState;
    }
    // 2. Entries to the write queue; the log-matching record sees them as the core holds them.
    const first = ready.entriesToPersist[0];
    if (first !== undefined) {
      const queuedLast = node.pending.at(-1)?.index ?? BigInt(node.disk.log.length);
      if (first.index <= queuedLast) this.coverage.truncations++;
      while (node.pending.length > 0 && node.pending.at(-1)!.index >= first.index) node.pending.pop();
      node.pending.push(...ready.entriesToPersist);
      for (const entry of ready.entriesToPersist) this.recordSeen(node, entry);
    }
    // 3. Messages, each with its own delay.
    for (const message of ready.messagesToSend) {
      this.network.push({ message, deliverAt: this.time + Math.floor(this.random() * (this.delayTicksMax + 1)) });
    }
    // 4. Apply.
    this.checkCommitted(node);
    for (const entry of ready.entriesToApply) {
      const index = Number(entry.index);
      this.check(index === node.disk.applied.length + 1, `node ${node.id} applied ${index} after ${node.disk.applied.length}`);
      this.check(this.committed[index - 1] === entry || sameEntry(this.committed[index - 1], entry), `node ${node.id} applied an entry ${index} that differs from the committed one`);
      this.check(sameEntry(node.disk.log[index - 1], entry), `node ${node.id} applied entry ${index} that is not on its disk`);
      node.disk.applied.push(entry);
    }
    this.checkLeadership(node, wasLeader);
    return ready.proposedIndex;
  }

  // Log matching: an (index, term) names one entry, always preceded by the same term.
  private recordSeen(node: SimNode, entry: LogEntry): void {
    const previousTerm = node.core.log.term(entry.index - 1n);
    const key = `${entry.index}@${entry.term}`;
    const known = this.seen.get(key);
    if (known === undefined) {
      this.seen.set(key, { entry, previousTerm });
      return;
    }
    this.check(sameEntry(known.entry, entry), `log matching: two entries ${key}`);
    this.check(known.previousTerm === previousTerm, `log matching: entry ${key} follows term ${previousTerm} on node ${node.id}, ${known.previousTerm} elsewhere`);
  }

  // Committed entries never change: whatever a node holds through its commit index is the
  // one committed sequence.
  private checkCommitted(node: SimNode): void {
    const commit = node.core.status.commitIndex;
    if (commit <= node.checkedCommit) return;
    const entries = node.core.log.entries(node.checkedCommit + 1n, commit + 1n, Number.MAX_SAFE_INTEGER);
    for (const entry of entries) {
      const index = Number(entry.index);
      const known = this.committed[index - 1];
      if (known === undefined) {
        this.check(index === this.committed.length + 1, `node ${node.id} committed ${index} past the committed sequence`);
        this.committed.push(entry);
        this.coverage.committed++;
      } else {
        this.check(sameEntry(known, entry), `committed entry ${index} changed: ${known.term} on record, ${entry.term} on node ${node.id}`);
      }
    }
    node.checkedCommit = commit;
  }

  // One leader per term; a new leader holds every committed entry (leader completeness).
  private checkLeadership(node: SimNode, wasLeader: boolean): void {
    const status = node.core.status;
    if (status.role !== 'leader' || wasLeader) return;
    const known = this.leaders.get(status.term);
    this.check(known === undefined || known === node.id, `two leaders in term ${status.term}: ${known} and ${node.id}`);
    this.leaders.set(status.term, node.id);
    this.coverage.elections++;
    if (this.lastLeader !== null && this.lastLeader !== node.id) this.coverage.leaderChanges++;
    this.lastLeader = node.id;
    this.log(`${node.id} leads term ${status.term}`);
    // The nemesis: sometimes cut a new leader off at once, before its first appends arrive, so
    // that terms end with entries on a minority only, the ground of the Raft paper's Figure 8.
    if (this.isolateLeaders && this.random() < this.isolateLeaderRate) this.isolate(node.id);
    for (const [at, entry] of this.committed.entries()) {
      this.check(node.core.log.term(BigInt(at + 1)) === entry.term, `leader ${node.id} of term ${status.term} lacks committed entry ${at + 1}`);
    }
  }

  private currentLeader(): SimNode | null {
    let best: SimNode | null = null;
    for (const node of this.nodes) {
      const status = node.core.status;
      if (status.role === 'leader' && (best === null || status.term > best.core.status.term)) best = node;
    }
    return best;
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  private check(condition: boolean, what: string): void {
    if (!condition) throw new Violation(`step ${this.step}, tick ${this.time}: ${what}`);
  }

  private log(line: string): void {
    if (trace) console.log(`[${this.step} t${this.time}] ${line}`);
  }
}


describe('a Raft cluster of cores under loss, delay, duplication, reordering, partitions and crashes', () => {
  it(`keeps Raft's safety properties and makes progress once healed (${seeds.length} seeds, ${faultSteps} fault steps each)`, async () => {
    const total: Coverage = { elections: 0, leaderChanges: 0, partitions: 0, crashes: 0, dropped: 0, duplicated: 0, truncations: 0, rejections: 0, committed: 0 };
    for (const seed of seeds) {
      const size = seed % 2 === 1 ? 3 : 5;
      const simulation = new ClusterSimulation(seed, size);
      try {
        simulation.run();
      } catch (error) {
        throw new Error(`seed ${seed} (${size} nodes): ${(error as Error).message}\nreplay: SEED=${seed} npx vitest run test/sim/cluster-core.test.ts`, { cause: error });
      }
      for (const key of Object.keys(total) as (keyof Coverage)[]) total[key] += simulation.coverage[key];
      // The seeds take a minute or more on a loaded machine: between them the worker answers
      // its test runner, whose calls time out after 60 s unanswered (and fail a green run).
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (seeds.length > 1 || trace) console.log(`cluster simulation coverage over ${seeds.length} seeds: ${JSON.stringify(total)}`);
    // A run too small or too tame to exercise the core proves nothing: demand faults and progress.
    if (seeds.length >= 100) {
      const perSeed = (count: number): number => count / seeds.length;
      // About half of what 1,000 seeds gave when this was written.
      expect(perSeed(total.elections)).toBeGreaterThan(4);
      expect(perSeed(total.leaderChanges)).toBeGreaterThan(2);
      expect(perSeed(total.partitions)).toBeGreaterThan(10);
      expect(perSeed(total.crashes)).toBeGreaterThan(10);
      expect(perSeed(total.dropped)).toBeGreaterThan(100);
      expect(perSeed(total.duplicated)).toBeGreaterThan(20);
      expect(perSeed(total.truncations)).toBeGreaterThan(1);
      expect(perSeed(total.rejections)).toBeGreaterThan(50);
      expect(perSeed(total.committed)).toBeGreaterThan(50);
    }
  }, runTimeoutMs);
});
