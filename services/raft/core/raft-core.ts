// The Raft state machine, pure: it takes one input and returns what the driver must do
// (persist, then apply). It never awaits, reads a clock or touches a file, so tests drive it
// step by step and a simulation can run many of them with one seed.
//
// This core runs a cluster of one voter: it elects itself, appends, and commits what a
// majority (itself) has persisted. Commit is computed from match indexes over the voter set
// exactly as with more voters; replication and elections among peers arrive with the
// multi-node issue, which adds messages to RaftInput and Ready.
import { assert, assertNever } from '../../base/assert.js';
import type { HardState, LogEntry, RaftInput, Ready } from './types.js';

export type Role = 'follower' | 'candidate' | 'leader';

export interface RaftCoreConfig {
  readonly id: number;
  readonly voters: readonly number[];
}

// What the driver read back from disk at start.
export interface RaftRestore {
  readonly hardState: HardState;
  readonly lastIndex: bigint;
  readonly lastTerm: bigint;
  // Everything at or below this index is applied already and is never handed out again.
  readonly appliedIndex: bigint;
  // The entries in (appliedIndex, lastIndex], read back from the log for replay.
  readonly unappliedEntries: readonly LogEntry[];
}

export class RaftCore {
  private role: Role = 'follower';
  private term: bigint;
  private votedFor: number | null;
  private lastIndex: bigint;
  private lastTerm: bigint;
  private commitIndex = 0n;
  private appliedIndex: bigint;
  // Persisted index per voter; a leader's own entry counts only once it is on disk.
  private readonly matchIndex = new Map<number, bigint>();
  // Entries past appliedIndex, kept until handed out for apply.
  private readonly unapplied: LogEntry[] = [];

  constructor(private readonly config: RaftCoreConfig, restore: RaftRestore) {
    assert(config.voters.length === 1 && config.voters[0] === config.id, 'only a single-voter cluster is supported yet');
    assert(restore.appliedIndex <= restore.lastIndex);
    this.term = restore.hardState.term;
    this.votedFor = restore.hardState.votedFor;
    this.lastIndex = restore.lastIndex;
    this.lastTerm = restore.lastTerm;
    this.appliedIndex = restore.appliedIndex;
    this.commitIndex = restore.appliedIndex;
    let expected = restore.appliedIndex + 1n;
    for (const entry of restore.unappliedEntries) {
      assert(entry.index === expected++, 'unapplied entries must be contiguous');
      this.unapplied.push(entry);
    }
    assert(expected === restore.lastIndex + 1n, 'unapplied entries must reach the last index');
    // What was restored is on disk already.
    this.matchIndex.set(config.id, restore.lastIndex);
  }

  get state(): { readonly role: Role; readonly term: bigint; readonly commitIndex: bigint; readonly lastIndex: bigint } {
    return { role: this.role, term: this.term, commitIndex: this.commitIndex, lastIndex: this.lastIndex };
  }

  step(input: RaftInput): Ready {
    switch (input.kind) {
      case 'tick':
        return this.role === 'leader' ? emptyReady : this.campaign();
      case 'propose':
        return this.propose(input.data);
      case 'persisted':
        return this.persisted(input.index, input.term);
      default:
        return assertNever(input);
    }
  }

  // With one voter, its own vote is a majority: the new term starts with a noop entry, whose
  // commit also commits every earlier entry (Raft commits earlier terms' entries only that way).
  private campaign(): Ready {
    this.term += 1n;
    this.votedFor = this.config.id;
    this.role = 'leader';
    const noop = this.append('noop', new Uint8Array(0));
    return { hardState: { term: this.term, votedFor: this.votedFor }, entriesToPersist: [noop], entriesToApply: [], proposedIndex: null };
  }

  private propose(data: Uint8Array): Ready {
    if (this.role !== 'leader') return emptyReady;
    const entry = this.append('batch', data);
    return { hardState: null, entriesToPersist: [entry], entriesToApply: [], proposedIndex: entry.index };
  }

  private append(kind: LogEntry['kind'], data: Uint8Array): LogEntry {
    const entry: LogEntry = { index: this.lastIndex + 1n, term: this.term, kind, data };
    this.lastIndex = entry.index;
    this.lastTerm = entry.term;
    this.unapplied.push(entry);
    return entry;
  }

  private persisted(index: bigint, term: bigint): Ready {
    assert(index <= this.lastIndex);
    const previous = this.matchIndex.get(this.config.id) ?? 0n;
    // An acknowledgement from an older term may name entries since replaced; ignore it.
    if (term !== this.lastTermAt(index) || index <= previous) return emptyReady;
    this.matchIndex.set(this.config.id, index);
    return this.maybeCommit() ? this.takeCommitted() : emptyReady;
  }

  // Commits the highest index a majority has persisted, if it belongs to the current term.
  private maybeCommit(): boolean {
    const matches = this.config.voters.map((voter) => this.matchIndex.get(voter) ?? 0n).sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
    const majority = matches[Math.floor(this.config.voters.length / 2)];
    assert(majority !== undefined);
    if (majority <= this.commitIndex || this.lastTermAt(majority) !== this.term) return false;
    this.commitIndex = majority;
    return true;
  }

  private takeCommitted(): Ready {
    const count = Number(this.commitIndex - this.appliedIndex);
    const entriesToApply = this.unapplied.splice(0, count);
    assert(entriesToApply.length === count);
    this.appliedIndex = this.commitIndex;
    return { hardState: null, entriesToPersist: [], entriesToApply, proposedIndex: null };
  }

  private lastTermAt(index: bigint): bigint | undefined {
    if (index === this.lastIndex) return this.lastTerm;
    return this.unapplied.find((entry) => entry.index === index)?.term;
  }
}

const emptyReady: Ready = { hardState: null, entriesToPersist: [], entriesToApply: [], proposedIndex: null };
