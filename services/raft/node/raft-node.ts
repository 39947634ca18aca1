// The driver around the pure Raft core: it owns the clock, the log files, the transport to the
// other voters and the apply callback, and carries out each Ready in the order core/types.ts
// gives: the hard state durably first, then the entries to the log writer (group commit, which
// may finish after the send), the messages, and the committed entries to apply, in order. A
// single voter has no transport and sends nothing; its write path is the group commit alone.
import { assert } from '../../base/assert.js';
import { TideError } from '../../base/errors.js';
import { electionTicks } from '../../base/limits.js';
import { RaftCore } from '../core/raft-core.js';
import type { ConfigChangeRefusal, RaftCoreConfig, RaftStatus, Role } from '../core/raft-core.js';
import { membershipOf, roleOf } from '../core/membership.js';
import type { ConfigChange, Membership, MembershipRecord } from '../core/membership.js';
import type { ErrorCode } from '../../base/errors.js';
import type { LogReader } from '../core/log-reader.js';
import { join } from 'node:path';
import type { LogEntry, RaftInput, RaftMessage, Ready, SnapshotChunk } from '../core/types.js';
import type { RaftTransport } from '../transport/raft-transport.js';
import { nodeLogDisk } from './log-disk.js';
import type { LogDisk } from './log-disk.js';
import { LogStore } from './log-store.js';
import { LogWriter } from './log-writer.js';
import { outcomeUnknown, ProposalWaiters } from './proposal-waiters.js';
import { ReadWaiters } from './read-waiters.js';
import { SnapshotSender } from './snapshot-sender.js';
import type { OpenStateSnapshot } from './snapshot-sender.js';
import { SnapshotStaging } from './snapshot-staging.js';
import { intervalTicker } from './ticker.js';
import type { Ticker } from './ticker.js';

export interface RaftNodeOptions {
  readonly dir: string;
  readonly id: number;
  // Every voter of the cluster, this node among them; just this node when not given. Only
  // for a node that has no configuration persisted yet (see `members`, `join`).
  readonly voters?: readonly number[] | undefined;
  // The same with each member's addresses, which the configuration carries (membership.ts);
  // wins over `voters`.
  readonly members?: Membership | undefined;
  // A node joining a running cluster: with no configuration persisted, it starts knowing
  // none, as a non-voter that waits for the leader to add it and send it a snapshot.
  readonly join?: boolean | undefined;
  // Told the configuration at open and whenever another takes effect, before any message of
  // that step is sent: the transport learns new peers' addresses, forwarding its leader's.
  readonly onMembership?: ((membership: Membership) => void) | undefined;
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
  readonly core?: Pick<RaftCoreConfig, 'entriesPerAppendMax' | 'batchAppends' | 'unsafeCommitByCountingEarlierTerms' | 'unsafeReadWithoutQuorum' | 'readOnly'> | undefined;
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
  // A read not answered within two election timeouts has lost its leader: the next one is
  // elected within that.
  private readonly reads: ReadWaiters;
  // Waiters for an index to be applied, whatever entry it holds (replay, reads of pending state).
  private readonly applyWaiters = new Map<bigint, { resolve: () => void; reject: (error: unknown) => void }[]>();
  private appliedIndexValue: bigint;
  private stopTicker: (() => void) | null = null;
  private stopped = false;
  // A sendAppends step is waiting for the end of this turn of the loop (sendDueAppends).
  private appendsScheduled = false;
  // The term and role the waiters were registered under.
  private term: bigint;
  private role: Role;
  // As leader, the index of this term's first entry; null otherwise.
  private termStartIndex: bigint | null = null;
  private readonly staging: SnapshotStaging;
  private snapshotsInstalled = 0;
  // transferLeadership callers waiting for this node to stop leading.
  private leadershipLost: (() => void)[] = [];

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
    this.reads = new ReadWaiters(2 * electionTicks, options.random ?? Math.random);
    this.writer = new LogWriter(log, (index, term) => this.step({ kind: 'persisted', index, term }), options.onFatal);
    ({ term: this.term, role: this.role } = core.state);
  }

  static async open(options: RaftNodeOptions): Promise<RaftNode> {
    const voters = options.voters ?? [options.id];
    assert(voters.length === 1 || options.transport !== undefined, 'a node with peers needs a transport');
    assert(options.join !== true || options.transport !== undefined, 'a joining node needs a transport');
    const { log } = await LogStore.open(options.dir, options.appliedIndex, { appliedTerm: options.appliedTerm, disk: options.disk, preallocateBytes: options.logPreallocateBytes, segmentBytesMax: options.logSegmentBytesMax });
    // The core reads what it does not hold (the unapplied tail to replay, entries a follower
    // behind needs) from the store.
    const snapshots = options.snapshots;
    const sender = snapshots === undefined ? null : new SnapshotSender(() => snapshots.open());
    // The persisted configuration wins over the flags: it is what the cluster decided since.
    const bootstrap: MembershipRecord[] = options.join === true ? [] : [{ index: 0n, membership: options.members ?? membershipOf(voters) }];
    const membership = log.readMembership() ?? bootstrap;
    const core = new RaftCore(
      // Randomness only spreads election timeouts, which a sole voter does not wait for.
      // Appends go out once per turn of the loop (sendDueAppends), carrying every proposal of it.
      { batchAppends: options.transport !== undefined, ...options.core, id: options.id, voters, random: options.random ?? Math.random, store: log, ...(sender === null ? {} : { snapshots: sender }) },
      { hardState: log.readHardState(), lastIndex: log.lastIndex, lastTerm: log.lastTerm, appliedIndex: options.appliedIndex, entries: [], membership },
    );
    options.onMembership?.(core.status.membership);
    const node = new RaftNode(core, log, options, sender);
    options.transport?.onMessage((message) => node.receive(message));
    node.step({ kind: 'tick' }); // a single voter elects itself at once; replay of the unapplied tail follows its first commit
    node.stopTicker = (options.ticker ?? intervalTicker)(() => {
      node.reads.tick();
      node.step({ kind: 'tick' });
    });
    return node;
  }

  get status(): RaftNodeStatus {
    const { role, term, commitIndex, lastIndex } = this.core.state;
    return { role, term, commitIndex, lastIndex, appliedIndex: this.appliedIndexValue };
  }

  get membership(): Membership {
    return this.core.status.membership;
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
    if (ready.proposedIndex === null) {
      // Refused, yet a step all the same: whatever else it gives (entries to apply, read
      // states) is carried out like any other Ready's.
      this.handle(ready);
      if (this.core.status.transferringTo !== null) throw new TideError('LEADER_TRANSFERRING', 'this leader is handing over leadership');
      throw new TideError('NOT_LEADER', 'this node is not the leader');
    }
    const index = ready.proposedIndex;
    const applied = this.proposals.wait(index, this.core.state.term);
    this.handle(ready);
    return { index, applied };
  }

  // A linearizable read's index (ReadIndex, core/read-index.ts), resolved once this node has
  // applied through it: a read of the state machine then sees every write acknowledged before
  // the call, on a follower as on the leader. Fails with NOT_LEADER (retriable) when no leader
  // confirms it.
  async readIndex(): Promise<bigint> {
    if (this.stopped) throw new TideError('SHUTTING_DOWN', 'the node is shutting down');
    const { id, index } = this.reads.ask();
    this.step({ kind: 'readIndex', id });
    const readIndex = await index;
    await this.reads.waitApplied(readIndex, this.appliedIndexValue);
    return readIndex;
  }

  // Proposes a configuration change (as leader); `applied` resolves once it is applied here,
  // when it has taken effect on this node. Refused with a stable code when it cannot go now.
  changeMembership(change: ConfigChange): { index: bigint; applied: Promise<void> } {
    if (this.stopped) throw new TideError('SHUTTING_DOWN', 'the node is shutting down');
    if (this.options.transport === undefined) throw new TideError('CLUSTER_REQUIRED', 'this node runs alone, without peer links (--peers)');
    const refusal = this.core.configChangeRefusal(change);
    if (refusal !== null) throw refusalError(refusal, change);
    const ready = this.core.step({ kind: 'proposeConfigChange', change });
    assert(ready.proposedIndex !== null, 'a change the core allowed was not proposed');
    const index = ready.proposedIndex;
    const applied = this.proposals.wait(index, this.core.state.term);
    this.handle(ready);
    return { index, applied };
  }

  // Hands leadership to voter `to` (the core's transferLeader). Resolves once this node is no
  // longer the leader, or after `waitMs` whatever happened (the core gives the transfer up
  // after an election timeout; the caller reads the status).
  async transferLeadership(to: number, waitMs: number): Promise<void> {
    if (to === this.options.id && this.core.state.role === 'leader') return;
    const stepped = new Promise<void>((resolve) => this.leadershipLost.push(resolve));
    this.requestLeadershipTransfer(to);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
    await Promise.race([stepped, timeout]);
    clearTimeout(timer);
  }

  // Starts handing leadership to voter `to` without waiting (transferLeadership waits).
  requestLeadershipTransfer(to: number): void {
    const status = this.core.status;
    if (status.role !== 'leader') throw new TideError('NOT_LEADER', 'this node is not the leader');
    const role = roleOf(status.membership, to);
    if (role === null) throw new TideError('MEMBER_NOT_FOUND', `node ${to} is not a member`);
    if (role !== 'voter') throw new TideError('MEMBER_NOT_VOTER', `node ${to} is a learner, which cannot lead`);
    this.step({ kind: 'transferLeader', to });
  }

  // The voter whose log is furthest along (the leader's view), other than this node: the one
  // a leader shutting down hands over to. Null on a follower or a sole voter.
  mostCaughtUpVoter(): number | null {
    const status = this.core.status;
    if (status.role !== 'leader') return null;
    let best: { id: number; match: bigint } | null = null;
    for (const follower of status.followers) {
      if (roleOf(status.membership, follower.id) !== 'voter') continue;
      if (best === null || follower.match > best.match) best = { id: follower.id, match: follower.match };
    }
    return best?.id ?? null;
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

  // The highest index the state machine has applied through this node (a snapshot's once its
  // install is done).
  appliedIndex(): bigint {
    return this.appliedIndexValue;
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
    this.reads.failAll(new TideError('SHUTTING_DOWN', 'the node is shutting down'));
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
    // 1b. The configurations, durably before the state machine applies past the newest one,
    // and before the messages, which may go to peers only it names.
    if (ready.membershipHistory !== null) {
      this.log.saveMembership(ready.membershipHistory);
      this.options.onMembership?.(ready.membershipHistory.at(-1)!.membership);
    }
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
    // 6. Read states: each read then waits for the applies handed out above.
    if (ready.readStates.length > 0) this.reads.answered(ready.readStates);
    // 7. Appends the core holds back until the rest of this turn has been stepped.
    if (ready.appendsDue) this.sendDueAppends();
    this.noticeLeadershipChange();
  }

  // Steps the core to send its held-back appends once this turn's I/O callbacks (every request
  // that proposes in it) have run: at 256 writers a turn's proposals then reach each follower
  // as one append, and come back as one acknowledgement and one apply.
  private sendDueAppends(): void {
    if (this.appendsScheduled) return;
    this.appendsScheduled = true;
    setImmediate(() => {
      this.appendsScheduled = false;
      if (!this.stopped) this.step({ kind: 'sendAppends' });
    });
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
    if (role !== 'leader') for (const resolve of this.leadershipLost.splice(0)) resolve();
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
          this.reads.appliedThrough(chunk.index);
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
    this.reads.appliedThrough(this.appliedIndexValue);
    if (this.applyWaiters.size === 0) return;
    for (const entry of entries) {
      const waiters = this.applyWaiters.get(entry.index);
      if (waiters === undefined) continue;
      this.applyWaiters.delete(entry.index);
      for (const waiter of waiters) waiter.resolve();
    }
  }
}

const refusalCodes: Record<ConfigChangeRefusal, ErrorCode> = {
  'not-leader': 'NOT_LEADER',
  transferring: 'LEADER_TRANSFERRING',
  'change-pending': 'MEMBERSHIP_CHANGE_PENDING',
  'already-member': 'MEMBER_EXISTS',
  'not-member': 'MEMBER_NOT_FOUND',
  'not-learner': 'MEMBER_NOT_LEARNER',
  'last-voter': 'MEMBER_LAST_VOTER',
  'learner-behind': 'LEARNER_BEHIND',
};

function refusalError(refusal: ConfigChangeRefusal, change: ConfigChange): TideError {
  return new TideError(refusalCodes[refusal], `cannot ${change.kind} node ${change.id}: ${refusal.replaceAll('-', ' ')}`);
}
