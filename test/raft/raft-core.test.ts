// Proves the pure single-voter Raft core: it elects itself on the first tick, refuses proposals
// until leader, commits only persisted entries of its term in order exactly once, and replays after restore.
import { describe, expect, it } from 'vitest';
import { RaftCore } from '../../services/raft/core/raft-core.js';
import { membershipOf } from '../../services/raft/core/membership.js';
import type { RaftRestore } from '../../services/raft/core/raft-core.js';
import type { LogEntry, Ready } from '../../services/raft/core/types.js';
import { seededRandom } from '../support/seeded-random.js';

const fresh: RaftRestore = { hardState: { term: 0n, votedFor: null }, lastIndex: 0n, lastTerm: 0n, appliedIndex: 0n, entries: [] };
const nothing: Ready = { hardState: null, entriesToPersist: [], messagesToSend: [], entriesToApply: [], proposedIndex: null, snapshotChunk: null, membershipHistory: null, readStates: [], appendsDue: false };
const random = seededRandom(1);
const single = { id: 1, voters: [1], random };

function bytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text));
}

function indexes(entries: readonly LogEntry[]): bigint[] {
  return entries.map((entry) => entry.index);
}

// A leader in term 1 whose noop (index 1) is persisted and applied.
function leader(): RaftCore {
  const core = new RaftCore(single, fresh);
  core.step({ kind: 'tick' });
  core.step({ kind: 'persisted', index: 1n, term: 1n });
  return core;
}

describe('RaftCore (single voter)', () => {
  it('campaigns on the first tick: term + 1, a vote for itself to persist, and a noop entry', () => {
    const core = new RaftCore(single, fresh);
    expect(core.state).toEqual({ role: 'follower', term: 0n, commitIndex: 0n, lastIndex: 0n });
    const ready = core.step({ kind: 'tick' });
    expect(ready).toEqual({
      hardState: { term: 1n, votedFor: 1 },
      entriesToPersist: [{ index: 1n, term: 1n, kind: 'noop', data: new Uint8Array(0) }],
      messagesToSend: [],
      entriesToApply: [],
      proposedIndex: null,
      snapshotChunk: null,
      membershipHistory: null,
      readStates: [],
      appendsDue: false,
    });
    expect(core.state).toEqual({ role: 'leader', term: 1n, commitIndex: 0n, lastIndex: 1n });
    // A leader's tick does nothing more: no second campaign.
    expect(core.step({ kind: 'tick' })).toEqual(nothing);
    expect(core.state.term).toBe(1n);
  });

  it('refuses a proposal before it is leader (proposedIndex null, nothing to persist)', () => {
    const core = new RaftCore(single, fresh);
    expect(core.step({ kind: 'propose', data: bytes('early') })).toEqual(nothing);
    expect(core.state.lastIndex).toBe(0n);
  });

  it('gives proposals consecutive indexes of its term once leader, before the noop commits too', () => {
    const core = new RaftCore(single, fresh);
    core.step({ kind: 'tick' });
    const ready = core.step({ kind: 'propose', data: bytes('a') });
    expect(ready).toEqual({ hardState: null, entriesToPersist: [{ index: 2n, term: 1n, kind: 'batch', data: bytes('a') }], messagesToSend: [], entriesToApply: [], proposedIndex: 2n, snapshotChunk: null, membershipHistory: null, readStates: [], appendsDue: false });
    expect(core.step({ kind: 'propose', data: bytes('b') }).proposedIndex).toBe(3n);
    expect(core.state.commitIndex).toBe(0n);
  });

  it('commits entries only once persisted, handing each out for apply in order exactly once', () => {
    const core = new RaftCore(single, fresh);
    core.step({ kind: 'tick' });
    for (const text of ['a', 'b', 'c', 'd']) core.step({ kind: 'propose', data: bytes(text) });
    expect(core.state.commitIndex).toBe(0n);
    const first = core.step({ kind: 'persisted', index: 2n, term: 1n });
    expect(indexes(first.entriesToApply)).toEqual([1n, 2n]);
    expect(first.entriesToApply[1]?.data).toEqual(bytes('a'));
    expect(first.hardState).toBeNull();
    expect(first.entriesToPersist).toEqual([]);
    expect(core.state.commitIndex).toBe(2n);
    const second = core.step({ kind: 'persisted', index: 5n, term: 1n });
    expect(indexes(second.entriesToApply)).toEqual([3n, 4n, 5n]);
    expect(second.entriesToApply.map((entry) => Buffer.from(entry.data).toString())).toEqual(['b', 'c', 'd']);
    expect(core.state.commitIndex).toBe(5n);
  });

  it('ignores a persisted report for an index already acknowledged', () => {
    const core = leader();
    core.step({ kind: 'propose', data: bytes('a') });
    core.step({ kind: 'propose', data: bytes('b') });
    expect(indexes(core.step({ kind: 'persisted', index: 3n, term: 1n }).entriesToApply)).toEqual([2n, 3n]);
    expect(core.step({ kind: 'persisted', index: 3n, term: 1n })).toEqual(nothing);
    expect(core.step({ kind: 'persisted', index: 2n, term: 1n })).toEqual(nothing);
    expect(core.state.commitIndex).toBe(3n);
  });

  it('ignores a persisted report whose term is not the term of the entry at that index', () => {
    const core = leader();
    core.step({ kind: 'propose', data: bytes('a') });
    expect(core.step({ kind: 'persisted', index: 2n, term: 0n })).toEqual(nothing);
    expect(core.step({ kind: 'persisted', index: 2n, term: 2n })).toEqual(nothing);
    expect(core.state.commitIndex).toBe(1n);
    // The right term still commits it afterwards.
    expect(indexes(core.step({ kind: 'persisted', index: 2n, term: 1n }).entriesToApply)).toEqual([2n]);
  });

  it('refuses a persisted report past its last index (assert)', () => {
    const core = leader();
    expect(() => core.step({ kind: 'persisted', index: 5n, term: 1n })).toThrow();
  });

  it('restores with unapplied entries and replays them only after the new term noop commits', () => {
    const unapplied: LogEntry[] = [
      { index: 4n, term: 2n, kind: 'batch', data: bytes('four') },
      { index: 5n, term: 3n, kind: 'noop', data: new Uint8Array(0) },
      { index: 6n, term: 3n, kind: 'batch', data: bytes('six') },
    ];
    const core = new RaftCore(single, { hardState: { term: 3n, votedFor: 1 }, lastIndex: 6n, lastTerm: 3n, appliedIndex: 3n, entries: unapplied });
    expect(core.state).toEqual({ role: 'follower', term: 3n, commitIndex: 3n, lastIndex: 6n });
    const campaign = core.step({ kind: 'tick' });
    expect(campaign.hardState).toEqual({ term: 4n, votedFor: 1 });
    expect(campaign.entriesToPersist).toEqual([{ index: 7n, term: 4n, kind: 'noop', data: new Uint8Array(0) }]);
    expect(campaign.entriesToApply).toEqual([]);
    // Reports about the restored entries (already on disk, older terms) commit nothing.
    expect(core.step({ kind: 'persisted', index: 6n, term: 3n })).toEqual(nothing);
    expect(core.state.commitIndex).toBe(3n);
    const replay = core.step({ kind: 'persisted', index: 7n, term: 4n });
    expect(replay.entriesToApply).toEqual([...unapplied, { index: 7n, term: 4n, kind: 'noop', data: new Uint8Array(0) }]);
    expect(core.state.commitIndex).toBe(7n);
    expect(core.step({ kind: 'propose', data: bytes('new') }).proposedIndex).toBe(8n);
  });

  it('restores a fully applied log and starts the next term after it', () => {
    const core = new RaftCore(single, { hardState: { term: 5n, votedFor: 1 }, lastIndex: 9n, lastTerm: 5n, appliedIndex: 9n, entries: [] });
    const campaign = core.step({ kind: 'tick' });
    expect(campaign.hardState).toEqual({ term: 6n, votedFor: 1 });
    expect(indexes(campaign.entriesToPersist)).toEqual([10n]);
    expect(indexes(core.step({ kind: 'persisted', index: 10n, term: 6n }).entriesToApply)).toEqual([10n]);
  });

  it('refuses a restore whose entries leave a gap or stop short of the last index (assert)', () => {
    const entry = (index: bigint): LogEntry => ({ index, term: 1n, kind: 'batch', data: new Uint8Array(0) });
    const restore = (entries: LogEntry[], lastIndex: bigint): RaftRestore => ({ hardState: { term: 1n, votedFor: 1 }, lastIndex, lastTerm: 1n, appliedIndex: 2n, entries });
    expect(() => new RaftCore(single, restore([entry(4n)], 4n))).toThrow();
    expect(() => new RaftCore(single, restore([entry(3n)], 4n))).toThrow();
    expect(() => new RaftCore(single, restore([], 1n))).toThrow();
  });

  it('never campaigns when outside the configuration (a removed node restarted)', () => {
    const core = new RaftCore({ id: 4, voters: [1, 2, 3], random }, fresh);
    for (let tick = 0; tick < 100; tick++) expect(core.step({ kind: 'tick' })).toEqual(nothing);
    expect(core.step({ kind: 'campaign' })).toEqual(nothing);
  });
});

describe('RaftCore configuration at restart', () => {
  it('takes the configuration in effect at the applied index from the persisted history, dropping later records', () => {
    const history = [
      { index: 0n, membership: membershipOf([1, 2, 3]) },
      { index: 5n, membership: membershipOf([1, 2, 3], [4]) },
    ];
    const restoreAt = (appliedIndex: bigint): RaftRestore => ({ hardState: { term: 1n, votedFor: null }, lastIndex: 7n, lastTerm: 1n, appliedIndex, entries: Array.from({ length: 7 }, (_, at) => ({ index: BigInt(at + 1), term: 1n, kind: 'noop' as const, data: new Uint8Array(0) })), membership: history });
    const after = new RaftCore({ id: 4, voters: [], random }, restoreAt(7n));
    expect(after.status.membership).toEqual(membershipOf([1, 2, 3], [4]));
    const before = new RaftCore({ id: 1, voters: [1], random }, restoreAt(4n));
    // The record at 5 is past the applied index: its entry applies again on replay.
    expect(before.status.membership).toEqual(membershipOf([1, 2, 3]));
    // A joining node that persisted the configuration of a snapshot it never installed knows
    // no configuration again.
    const joining = new RaftCore({ id: 4, voters: [], random }, { ...restoreAt(0n), membership: [{ index: 5n, membership: membershipOf([1, 2, 3], [4]) }] });
    expect(joining.status.membership).toEqual({ members: [] });
    // A learner never campaigns.
    for (let tick = 0; tick < 100; tick++) expect(after.step({ kind: 'tick' }).messagesToSend).toEqual([]);
  });
});
