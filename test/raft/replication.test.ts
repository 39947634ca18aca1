// Proves the leader's flow control and the in-memory log: appends in flight to a follower stop at appendsInFlightMax
// and resume as acknowledgements come; one append's entries stay within the byte and entry bounds; MemoryLog keeps its contract.
import { describe, expect, it } from 'vitest';
import { appendBytesMax, appendsInFlightMax } from '../../services/base/limits.js';
import { MemoryLog } from '../../services/raft/core/log-reader.js';
import { RaftCore } from '../../services/raft/core/raft-core.js';
import type { LogEntry, RaftMessage, Ready } from '../../services/raft/core/types.js';
import { seededRandom } from '../support/seeded-random.js';

const fresh = { hardState: { term: 0n, votedFor: null }, lastIndex: 0n, lastTerm: 0n, appliedIndex: 0n, entries: [] };

type Append = Extract<RaftMessage, { kind: 'append' }>;

function appendsTo(ready: Ready, to: number): Append[] {
  return ready.messagesToSend.filter((message): message is Append => message.kind === 'append' && message.to === to);
}

// Node 1 leads a cluster of three in term 1 and node 2 has acknowledged the noop, so node 2's
// progress is in replicate; node 3 never answers.
function leaderWithReplicatingFollower(entriesPerAppendMax?: number): RaftCore {
  const config = { id: 1, voters: [1, 2, 3], random: seededRandom(1) };
  const core = new RaftCore(entriesPerAppendMax === undefined ? config : { ...config, entriesPerAppendMax }, fresh);
  core.step({ kind: 'campaign' });
  core.step({ kind: 'message', message: { kind: 'preVoteResponse', from: 2, to: 1, term: 1n, reject: false } });
  core.step({ kind: 'message', message: { kind: 'voteResponse', from: 2, to: 1, term: 1n, reject: false } });
  expect(core.status.role).toBe('leader');
  core.step({ kind: 'persisted', index: 1n, term: 1n });
  core.step({ kind: 'message', message: { kind: 'appendResponse', from: 2, to: 1, term: 1n, reject: false, index: 1n } });
  expect(core.status.followers.find((follower) => follower.id === 2)?.state).toBe('replicate');
  return core;
}

describe('leader flow control', () => {
  it(`streams at most ${appendsInFlightMax} appends to a replicating follower, then one more per acknowledgement`, () => {
    const core = leaderWithReplicatingFollower(1);
    let sent = 0;
    for (let at = 0; at < appendsInFlightMax + 10; at++) sent += appendsTo(core.step({ kind: 'propose', data: new Uint8Array([at]) }), 2).length;
    expect(sent).toBe(appendsInFlightMax);
    expect(core.status.followers.find((follower) => follower.id === 2)?.inflight).toBe(appendsInFlightMax);
    // Acknowledging the first two appends (indexes 2 and 3) frees two slots: two more go out.
    const ack = core.step({ kind: 'message', message: { kind: 'appendResponse', from: 2, to: 1, term: 1n, reject: false, index: 3n } });
    expect(appendsTo(ack, 2).map((append) => append.prevIndex)).toEqual([BigInt(appendsInFlightMax) + 1n, BigInt(appendsInFlightMax) + 2n]);
  });

  it('a probing follower gets one append until it answers or a heartbeat answer comes', () => {
    const core = leaderWithReplicatingFollower();
    // Node 3 never answered: it is in probe with its first append out.
    expect(appendsTo(core.step({ kind: 'propose', data: new Uint8Array([1]) }), 3)).toEqual([]);
    const heard = core.step({ kind: 'message', message: { kind: 'heartbeatResponse', from: 3, to: 1, term: 1n, round: 0n } });
    expect(appendsTo(heard, 3)).toHaveLength(1);
    expect(appendsTo(core.step({ kind: 'propose', data: new Uint8Array([2]) }), 3)).toEqual([]);
  });

  it('batches a backlog into appends within the byte bound, a single larger entry going alone', () => {
    const core = leaderWithReplicatingFollower();
    const quarter = new Uint8Array(appendBytesMax / 4);
    // Take node 2 back to probe at index 1 so the backlog goes out in one burst on its answer.
    core.step({ kind: 'message', message: { kind: 'appendResponse', from: 2, to: 1, term: 1n, reject: true, index: 5n, hintIndex: 1n, hintTerm: 1n } });
    for (let at = 0; at < 10; at++) core.step({ kind: 'propose', data: quarter });
    core.step({ kind: 'propose', data: new Uint8Array(appendBytesMax * 2) });
    const burst = appendsTo(core.step({ kind: 'message', message: { kind: 'appendResponse', from: 2, to: 1, term: 1n, reject: false, index: 1n } }), 2);
    expect(burst.map((append) => append.entries.length)).toEqual([4, 4, 2, 1]);
    for (const append of burst.slice(0, 3)) expect(append.entries.reduce((sum, entry) => sum + entry.data.length, 0)).toBeLessThanOrEqual(appendBytesMax);
  });
});

describe('MemoryLog', () => {
  const entry = (index: bigint, term: bigint, bytes = 1): LogEntry => ({ index, term, kind: 'batch', data: new Uint8Array(bytes) });

  it('answers term() from the base to the last index and nothing outside', () => {
    const log = new MemoryLog(4n, 2n, [entry(5n, 2n), entry(6n, 3n)]);
    expect([log.firstIndex, log.lastIndex]).toEqual([5n, 6n]);
    expect([3n, 4n, 5n, 6n, 7n].map((index) => log.term(index))).toEqual([undefined, 2n, 2n, 3n, undefined]);
    expect(new MemoryLog(4n, undefined, [entry(5n, 2n)]).term(4n)).toBeUndefined();
  });

  it('returns at least one entry, then as many as fit the byte bound', () => {
    const log = new MemoryLog(0n, 0n, [entry(1n, 1n, 10), entry(2n, 1n, 10), entry(3n, 1n, 10)]);
    expect(log.entries(1n, 4n, 5).map((held) => held.index)).toEqual([1n]);
    expect(log.entries(1n, 4n, 20).map((held) => held.index)).toEqual([1n, 2n]);
    expect(log.entries(2n, 4n, 1_000).map((held) => held.index)).toEqual([2n, 3n]);
    expect(log.entries(3n, 3n, 1_000)).toEqual([]);
    expect(() => log.entries(0n, 2n, 1_000)).toThrow();
    expect(() => log.entries(1n, 5n, 1_000)).toThrow();
  });

  it('replaces a suffix on append, refuses a gap, and keeps the term of what it compacts', () => {
    const log = new MemoryLog(0n, 0n, [entry(1n, 1n), entry(2n, 1n), entry(3n, 1n)]);
    log.append([entry(2n, 2n)]);
    expect([log.lastIndex, log.term(2n)]).toEqual([2n, 2n]);
    expect(() => log.append([entry(4n, 2n)])).toThrow();
    log.compactThrough(1n);
    expect([log.firstIndex, log.term(1n), log.term(2n)]).toEqual([2n, 1n, 2n]);
    expect(() => log.append([entry(1n, 3n)])).toThrow();
  });
});
