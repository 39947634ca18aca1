// Deterministic simulation of the Raft core with its disk and state machine, driven by one seed:
// proposals, partial and torn log flushes, delayed applies, crashes (losing memory, the log's
// unflushed tail, and possibly LMDB's newest commit) and restarts, checking after every step
// that nothing acknowledged is lost, applied twice, or changed once committed. SEED=n replays one.
import { describe, expect, it } from 'vitest';
import { RaftCore } from '../../services/raft/core/raft-core.js';
import type { HardState, LogEntry, Ready } from '../../services/raft/core/types.js';
import { seededRandom } from '../support/seeded-random.js';

const stepsPerRun = 400;
const seeds = process.env['SEED'] !== undefined ? [Number(process.env['SEED'])] : Array.from({ length: 100 }, (_, at) => at + 1);

// What survives a crash.
interface Disk {
  readonly log: LogEntry[];
  hardState: HardState;
  // The state machine: what LMDB holds, entry by entry, and its commits (apply calls), the
  // newest of which an OS crash may undo (LMDB's meta page is synced by the next commit).
  applied: LogEntry[];
  lastCommitSize: number;
}

class Simulation {
  private readonly random: () => number;
  private readonly disk: Disk = { log: [], hardState: { term: 0n, votedFor: null }, applied: [], lastCommitSize: 0 };
  private core!: RaftCore;
  private unpersisted: LogEntry[] = [];
  private committed: LogEntry[] = [];
  // Proposals of this incarnation whose client still waits, by index.
  private waiting = new Map<bigint, number>();
  readonly acknowledged = new Set<number>();
  private nextPayload = 1;
  private highestTerm = 0n;

  constructor(readonly seed: number) {
    this.random = seededRandom(seed);
    this.restart();
  }

  run(steps: number): void {
    for (let step = 0; step < steps; step++) {
      const roll = this.random();
      if (roll < 0.35) this.propose();
      else if (roll < 0.6) this.flush();
      else if (roll < 0.8) this.apply();
      else if (roll < 0.83) this.crash();
      else if (roll < 0.86) this.tornFlushAndCrash();
      else this.handle(this.core.step({ kind: 'tick' }));
      this.checkInvariants(step);
    }
    this.stabilize();
  }

  // Persist and apply everything outstanding: every acknowledged payload must now be applied once.
  stabilize(): void {
    for (let round = 0; round < 10_000 && (this.unpersisted.length > 0 || this.committed.length > 0); round++) {
      if (this.unpersisted.length > 0) this.flush(this.unpersisted.length);
      this.apply();
    }
    expect(this.unpersisted).toEqual([]);
    expect(this.committed).toEqual([]);
  }

  appliedPayloads(): number[] {
    return this.disk.applied.filter((entry) => entry.kind === 'batch').map((entry) => payloadOf(entry));
  }

  loggedPayloads(): number[] {
    return this.disk.log.filter((entry) => entry.kind === 'batch').map((entry) => payloadOf(entry));
  }

  private propose(): void {
    const payload = this.nextPayload++;
    const ready = this.core.step({ kind: 'propose', data: payloadBytes(payload) });
    if (ready.proposedIndex !== null) this.waiting.set(ready.proposedIndex, payload);
    this.handle(ready);
  }

  // The disk finishes writing the first `count` queued entries, then the core hears of it.
  private flush(count = 1 + Math.floor(this.random() * Math.max(1, this.unpersisted.length))): void {
    const group = this.unpersisted.splice(0, Math.min(count, this.unpersisted.length));
    if (group.length === 0) return;
    this.writeToLog(group);
    const last = group.at(-1)!;
    this.handle(this.core.step({ kind: 'persisted', index: last.index, term: last.term }));
  }

  // A crash in the middle of a flush: part of the group reached the disk, unacknowledged.
  private tornFlushAndCrash(): void {
    const written = Math.floor(this.random() * (this.unpersisted.length + 1));
    this.writeToLog(this.unpersisted.slice(0, written));
    this.crash();
  }

  private writeToLog(entries: readonly LogEntry[]): void {
    for (const entry of entries) {
      expect(entry.index).toBe(BigInt(this.disk.log.length + 1));
      this.disk.log.push(entry);
    }
  }

  private apply(): void {
    if (this.committed.length === 0) return;
    const batch = this.committed.splice(0, this.committed.length);
    expect(batch[0]!.index).toBe(BigInt(this.disk.applied.length + 1));
    this.disk.applied.push(...batch);
    this.disk.lastCommitSize = batch.length;
    for (const entry of batch) {
      const payload = this.waiting.get(entry.index);
      if (payload !== undefined) {
        expect(payloadOf(entry)).toBe(payload);
        this.acknowledged.add(payload);
        this.waiting.delete(entry.index);
      }
    }
  }

  private crash(): void {
    // The OS may lose LMDB's newest commit; the log still holds those entries.
    if (this.disk.lastCommitSize > 0 && this.random() < 0.5) this.disk.applied.splice(-this.disk.lastCommitSize);
    this.disk.lastCommitSize = 0;
    this.restart();
  }

  private restart(): void {
    this.unpersisted = [];
    this.committed = [];
    this.waiting = new Map();
    const last = this.disk.log.at(-1);
    const appliedIndex = BigInt(this.disk.applied.length);
    this.core = new RaftCore(
      // Its own generator: the core's draws must not shift the simulation's.
      { id: 1, voters: [1], random: seededRandom(this.seed) },
      {
        hardState: this.disk.hardState,
        lastIndex: last?.index ?? 0n,
        lastTerm: last?.term ?? 0n,
        appliedIndex,
        entries: this.disk.log.filter((entry) => entry.index > appliedIndex),
      },
    );
    this.handle(this.core.step({ kind: 'tick' }));
  }

  private handle(ready: Ready): void {
    if (ready.hardState !== null) {
      expect(ready.hardState.term).toBeGreaterThan(this.highestTerm); // one election per term
      this.highestTerm = ready.hardState.term;
      this.disk.hardState = ready.hardState;
    }
    this.unpersisted.push(...ready.entriesToPersist);
    this.committed.push(...ready.entriesToApply);
  }

  // Plain checks, with an expect only on failure: this runs after every one of many steps.
  private checkInvariants(step: number): void {
    const fail = (what: string): never => {
      throw new Error(`seed ${this.seed}, step ${step}: ${what}`);
    };
    // What the state machine holds is exactly a prefix of the log: committed entries never change.
    if (this.disk.applied.length > this.disk.log.length) fail('applied past the log');
    this.disk.applied.forEach((entry, at) => {
      if (entry !== this.disk.log[at]) fail(`applied entry ${at + 1} differs from the log`);
    });
    // Nothing acknowledged is missing from the log, which replay applies after any crash.
    const logged = new Set(this.loggedPayloads());
    for (const payload of this.acknowledged) if (!logged.has(payload)) fail(`acknowledged payload ${payload} is not in the log`);
    // Nothing is applied twice.
    const applied = this.appliedPayloads();
    if (new Set(applied).size !== applied.length) fail('a payload was applied twice');
  }
}

function payloadBytes(payload: number): Uint8Array {
  return new TextEncoder().encode(String(payload));
}

function payloadOf(entry: LogEntry): number {
  return Number(new TextDecoder().decode(entry.data));
}

describe('a single voter under crashes, torn flushes and delayed applies', () => {
  it(`keeps every acknowledged entry, once and in order (${seeds.length} seeds × ${stepsPerRun} steps)`, () => {
    let acknowledgedTotal = 0;
    for (const seed of seeds) {
      const simulation = new Simulation(seed);
      try {
        simulation.run(stepsPerRun);
        const applied = simulation.appliedPayloads();
        expect(applied).toEqual(simulation.loggedPayloads());
        for (const payload of simulation.acknowledged) expect(applied).toContain(payload);
        acknowledgedTotal += simulation.acknowledged.size;
      } catch (error) {
        throw new Error(`simulation failed; replay with SEED=${seed}: ${(error as Error).message}`);
      }
    }
    // The runs must actually acknowledge writes, or they prove nothing.
    expect(acknowledgedTotal).toBeGreaterThan(seeds.length * 10);
  });
});
