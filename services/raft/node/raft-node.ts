// The driver around the pure Raft core: it owns the clock, the log files, the transport to the
// other voters and the apply callback, and carries out each Ready in the order core/types.ts
// gives: the hard state durably first, then the entries to the log writer (group commit, which
// may finish after the send), the messages, and the committed entries to apply, in order. A
// single voter has no transport and sends nothing; its write path is the group commit alone.
import { assert } from '../../base/assert.js';
import { TideError } from '../../base/errors.js';
import { RaftCore } from '../core/raft-core.js';
import type { RaftCoreConfig, RaftStatus, Role } from '../core/raft-core.js';
import type { LogReader } from '../core/log-reader.js';
import { join } from 'node:path';
import type { LogEntry, RaftInput, RaftMessage, Ready, SnapshotChunk } from '../core/types.js';
import type { RaftTransport } from '../transport/raft-transport.js';
import { nodeLogDisk } from './log-disk.js';
import type { LogDisk } from './log-disk.js';
import { LogStore } from './log-store.js';
import { LogWriter } from './log-writer.js';
import { outcomeUnknown, ProposalWaiters } from './proposal-waiters.js';
import { SnapshotSender } from './snapshot-sender.js';
import type { OpenStateSnapshot } from './snapshot-sender.js';
import { SnapshotStaging } from './snapshot-staging.js';
import { intervalTicker } from './ticker.js';
import type { Ticker } from './ticker.js';

export interface RaftNodeOptions {
  readonly dir: string;
  readonly id: number;
  // Every voter of the cluster, this node among them; just this node when not given.
  readonly voters?: readonly number[] | undefined;
  // The network to the other voters; required with more than one voter. The node closes it.
  readonly transport?: RaftTransport | undefined;
  // The highest index whose effect the state machine already holds; replay starts after it.
  readonly appliedIndex: bigint;
  // The term of the entry at appliedIndex, when the state machine knows it: the log's term for
  // the index before its first, when it starts right after the applied index.
  readonly appliedTerm?: bigint | undefined;
  // Applies committed entries; calls are made one at a time, in order, each after the previous
  // one settled. A failure is fatal (the state machine would otherwise diverge from the log).
  readonly apply: (entries: readonly LogEntry[]) => Promise<void>;
  // Called when the node cannot go on (the log cannot be written); the process must stop.
  readonly onFatal: (error: unknown) => void;
  // Called when this node's term or role changed, after every waiter failed with
  // OUTCOME_UNKNOWN: the write path drops what it built on its pending proposals.
  readonly onLeadershipChange?: (() => void) | undefined;
  // The clock (real time unless given), the randomness that spreads election timeouts, and the
  // file system under the log: a simulation passes its own, so that one seed replays a run.
  readonly ticker?: Ticker | undefined;
  readonly random?: (() => number) | undefined;
  readonly disk?: LogDisk | undefined;
  // The log's preallocation step (log-store.ts); a simulation keeps its files small.
  readonly logPreallocateBytes?: number | undefined;
  // The log's segment size (log-store.ts); a system test lowers it so that compaction drops
  // segments soon.
  readonly logSegmentBytesMax?: number | undefined;
  // Core settings tests lower or plant bugs with (raft-core.ts).
  readonly core?: Pick<RaftCoreConfig, 'entriesPerAppendMax' | 'unsafeCommitByCountingEarlierTerms'> | undefined;
  // Sees every Ready before the node carries it out; the simulation checks them.
  readonly observe?: ((ready: Ready) => void) | undefined;
  // The state machine's snapshots: with them a leader sends a follower behind its log's first
  // index a snapshot, and a follower installs one. Without them a node with peers must keep
  // its whole log, or a follower behind could never catch up.
  readonly snapshots?: StateSnapshots | undefined;
}

export interface StateSnapshots {
  // A snapshot of the applied state as of now (one read transaction).
  open(): OpenStateSnapshot;
  // Throws when a chunk arrived damaged (its checksum): it is dropped, and sent again.
  check(chunk: Uint8Array): void;
  // Replaces the state with the snapshot's, from its chunks in order; durable once resolved.
  install(chunks: Iterable<Uint8Array>): Promise<void>;
}

export interface SnapshotCounts {
  // Snapshots this node opened for followers, and installed from a leader, since it started.
  readonly sent: number;
  readonly installed: number;
}

export interface RaftNodeStatus {
  readonly role: Role;
  readonly term: bigint;
  readonly commitIndex: bigint;
  readonly lastIndex: bigint;
  readonly appliedIndex: bigint;
}

export class RaftNode {
  private readonly writer: LogWriter;
  private applying: Promise<void> = Promise.resolve();
  private readonly proposals = new ProposalWaiters();
  // Waiters for an index to be applied, whatever entry it holds (replay, reads of pending state).
  private readonly applyWaiters = new Map<bigint, { resolve: () => void; reject: (error: unknown) => void }[]>();
  private appliedIndexValue: bigint;
  private stopTicker: (() => void) | null = null;
  private stopped = false;
  // The term and role the waiters were registered under.
  private term: bigint;
  private role: Role;
  // As leader, the index of this term's first entry; null otherwise.
  private termStartIndex: bigint | null = null;
  private readonly staging: SnapshotStaging;
  private snapshotsInstalled = 0;

  private constructor(
    private readonly core: RaftCore,
    private readonly log: LogStore,
    private readonly options: RaftNodeOptions,
    private readonly sender: SnapshotSender | null,
  ) {
    this.staging = new SnapshotStaging(options.disk ?? nodeLogDisk, join(options.dir, 'snapshot-staging'));
    // A transfer a restart cut short starts over from chunk 0.
    this.staging.clear();
    this.appliedIndexValue = options.appliedIndex;
    this.writer = new LogWriter(log, (index, term) => this.step({ kind: 'persisted', index, term }), options.onFatal);
    ({ term: this.term, role: this.role } = core.state);
  }

  static async open(options: RaftNodeOptions): Promise<RaftNode> {
    const voters = options.voters ?? [options.id];
    assert(voters.length === 1 || options.transport !== undefined, 'a node with peers needs a transport');
    const { log } = await LogStore.open(options.dir, options.appliedIndex, { appliedTerm: options.appliedTerm, disk: options.disk, preallocateBytes: options.logPreallocateBytes, segmentBytesMax: options.logSegmentBytesMax });
    // The core reads what it does not hold (the unapplied tail to replay, entries a follower
    // behind needs) from the store.
    const snapshots = options.snapshots;
    const sender = snapshots === undefined ? null : new SnapshotSender(() => snapshots.open());
    const core = new RaftCore(
      // Randomness only spreads election timeouts, which a sole voter does not wait for.
      { ...options.core, id: options.id, voters, random: options.random ?? Math.random, store: log, ...(sender === null ? {} : { snapshots: sender }) },
      { hardState: log.readHardState(), lastIndex: log.lastIndex, lastTerm: log.lastTerm, appliedIndex: options.appliedIndex, entries: [] },
    );
    const node = new RaftNode(core, log, options, sender);
    options.transport?.onMessage((message) => node.receive(message));
    node.step({ kind: 'tick' }); // a single voter elects itself at once; replay of the unapplied tail follows its first commit
    node.stopTicker = (options.ticker ?? intervalTicker)(() => node.step({ kind: 'tick' }));
    return node;
  }

  get status(): RaftNodeStatus {
    const { role, term, commitIndex, lastIndex } = this.core.state;
    return { role, term, commitIndex, lastIndex, appliedIndex: this.appliedIndexValue };
  }

  // Everything the core knows of the cluster (leader, each follower's progress), for
  // /v1/cluster; the applied index is the state machine's.
  get detail(): RaftStatus {
    return { ...this.core.status, appliedIndex: this.appliedIndexValue };
  }

  // Resolves once this leader has applied its own term's first entry, and with it every entry
  // committed before it: only then does its applied state hold all that is committed, so a
  // write planned on it cannot contradict one the previous leader acknowledged. Rejects with
  // NOT_LEADER on a node that is not the leader, OUTCOME_UNKNOWN if it stops being it first.
  leaderReady(): Promise<void> {
    const { role } = this.core.state;
    if (role !== 'leader' || this.termStartIndex === null) return Promise.reject(new TideError('NOT_LEADER', 'this node is not the leader'));
    return this.waitApplied(this.termStartIndex);
  }

  get snapshotCounts(): SnapshotCounts {
    return { sent: this.sender?.openedCount ?? 0, installed: this.snapshotsInstalled };
  }

  // The log as the core holds it, for status and tests; never to be mutated.
  get raftLog(): LogReader {
    return this.core.log;
  }

  // Appends `data` as a new entry; `applied` resolves once that entry (its index and term) is
  // applied here, and fails with OUTCOME_UNKNOWN if this node's term or role changes first.
  propose(data: Uint8Array): { index: bigint; applied: Promise<void> } {
    if (this.stopped) throw new TideError('SHUTTING_DOWN', 'the node is shutting down');
    const ready = this.core.step({ kind: 'propose', data });
    if (ready.proposedIndex === null) throw new TideError('NOT_LEADER', 'this node is not the leader');
    const index = ready.proposedIndex;
    const applied = this.proposals.wait(index, this.core.state.term);
    this.handle(ready);
    return { index, applied };
  }

  // Resolves once the entry at `index`, whichever it is, is applied here; fails with
  // OUTCOME_UNKNOWN if this node's term or role changes first (what the caller saw at that
  // index may not be what gets applied there).
  waitApplied(index: bigint): Promise<void> {
    if (index <= this.appliedIndexValue) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiters = this.applyWaiters.get(index);
      if (waiters === undefined) this.applyWaiters.set(index, [{ resolve, reject }]);
      else waiters.push({ resolve, reject });
    });
  }

  // Drops log segments whose entries are all at or below `index`; the caller guarantees their
  // effect is durable elsewhere (in LMDB).
  compactThrough(index: bigint): void {
    assert(index <= this.appliedIndexValue);
    this.log.dropThrough(index);
  }

  // Stops taking proposals and messages, lets the log writes in progress finish, and closes
  // the transport and the log.
  async close(): Promise<void> {
    this.stopped = true;
    this.stopTicker?.();
    this.sender?.closeAll();
    await this.options.transport?.close();
    await this.writer.idle();
    await this.applying;
    await this.log.close();
  }

  private receive(message: RaftMessage): void {
    if (this.stopped) return;
    if (message.kind === 'snapshot') {
      // A chunk that cannot be stored never reaches the core: dropped, it is sent again.
      if (this.options.snapshots === undefined) return;
      try {
        this.options.snapshots.check(message.data);
      } catch {
        return;
      }
    }
    this.step({ kind: 'message', message });
  }

  private step(input: RaftInput): void {
    this.handle(this.core.step(input));
  }

  private handle(ready: Ready): void {
    this.options.observe?.(ready);
    // 1. The term and vote, durably, before any message of this Ready leaves the node.
    if (ready.hardState !== null) this.log.saveHardState(ready.hardState);
    // 2. Entries to the log writer; acknowledged only once `persisted` reports them.
    if (ready.entriesToPersist.length > 0) this.writer.enqueue(ready.entriesToPersist);
    // 3. Messages.
    if (ready.messagesToSend.length > 0) {
      const transport = this.options.transport;
      assert(transport !== undefined, 'a single voter has nobody to send to');
      for (const message of ready.messagesToSend) transport.send(message);
    }
    // 4. Apply, in order, after everything handed out before.
    if (ready.entriesToApply.length > 0) this.applyCommitted(ready.entriesToApply);
    // 5. A snapshot chunk, after the applies handed out before it.
    if (ready.snapshotChunk !== null) this.storeSnapshotChunk(ready.snapshotChunk);
    this.noticeLeadershipChange();
  }

  // A new term or role leaves every waiting proposal's fate unknown: it may commit under the
  // next leader or be replaced. Waiters are failed rather than kept, since the write path
  // must not build on proposals that may never apply.
  private noticeLeadershipChange(): void {
    const { term, role } = this.core.state;
    if (term === this.term && role === this.role) return;
    this.term = term;
    this.role = role;
    // A new leader's first entry (the no-op it appends on election) is its log's last now.
    this.termStartIndex = role === 'leader' ? this.core.state.lastIndex : null;
    const why = `node ${this.options.id} is now ${role} in term ${term}`;
    this.proposals.failAll(why);
    const indexWaiters = [...this.applyWaiters.values()].flat();
    this.applyWaiters.clear();
    for (const waiter of indexWaiters) waiter.reject(outcomeUnknown(why));
    this.options.onLeadershipChange?.();
  }

  // Stores a chunk; the last installs the snapshot in the state machine (durably), then
  // replaces the log with an empty one after it, behind the log's restart marker: a crash in
  // between is resolved by the log's next open (log-store.ts, prepareRestart).
  private storeSnapshotChunk(chunk: SnapshotChunk): void {
    const snapshots = this.options.snapshots;
    assert(snapshots !== undefined);
    this.applying = this.applying
      .then(async () => {
        this.staging.store(chunk.chunk, chunk.data);
        if (chunk.last) {
          await this.writer.prepareRestart(chunk.index, chunk.term);
          await snapshots.install(this.staging.chunks());
          await this.writer.restartAfter(chunk.index, chunk.term);
          this.staging.clear();
          this.appliedIndexValue = chunk.index;
          this.snapshotsInstalled++;
          this.resolveApplyWaitersThrough(chunk.index);
        }
        if (!this.stopped) this.step({ kind: 'snapshotStored', index: chunk.index, term: chunk.term, chunk: chunk.chunk });
      })
      .catch((error: unknown) => this.options.onFatal(error));
  }

  private resolveApplyWaitersThrough(index: bigint): void {
    for (const [at, waiters] of [...this.applyWaiters]) {
      if (at > index) continue;
      this.applyWaiters.delete(at);
      for (const waiter of waiters) waiter.resolve();
    }
  }

  // Applies run one after another while the next log write proceeds: the log's flush and the
  // state machine's commit overlap, and neither waits on the other's disk.
  private applyCommitted(entries: readonly LogEntry[]): void {
    this.applying = this.applying.then(() => this.applyInOrder(entries)).catch((error: unknown) => this.options.onFatal(error));
  }

  private async applyInOrder(entries: readonly LogEntry[]): Promise<void> {
    assert(entries[0]!.index === this.appliedIndexValue + 1n);
    await this.options.apply(entries);
    this.appliedIndexValue = entries.at(-1)!.index;
    this.proposals.applied(entries);
    if (this.applyWaiters.size === 0) return;
    for (const entry of entries) {
      const waiters = this.applyWaiters.get(entry.index);
      if (waiters === undefined) continue;
      this.applyWaiters.delete(entry.index);
      for (const waiter of waiters) waiter.resolve();
    }
  }
}
