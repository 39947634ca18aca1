// The Raft state machine, pure: it takes one input and returns what the driver must do
// (persist, send, apply; see Ready for the order). It never awaits, reads a clock or touches
// a file: time is counted in ticks and randomness comes from the generator in its config, so
// tests drive it step by step and a simulation runs many of them from one seed.
//
// Elections use PreVote and CheckQuorum as etcd-io/raft does: a node asks whether it would
// win before raising its term, a leader steps down when a quorum has not answered within an
// election timeout, and a node that heard from a leader within one ignores (pre)votes. A sole
// voter elects itself on its first tick: there is nobody to wait for.
//
// Membership changes go through the log one server at a time and take effect when applied
// (membership.ts). Leadership transfer is etcd's: the leader stops taking proposals, brings
// the target's log up to its own, and sends it timeoutNow; the target campaigns at once.
import { assert, assertNever } from '../../base/assert.js';
import { appendBytesMax, electionTicks, entriesPerAppendMax, heartbeatTicks } from '../../base/limits.js';
import { MemoryLog } from './log-reader.js';
import { applyChange, changeRefusal, decodeChange, encodeChange, historyFrom, membershipAt, membershipOf, roleOf, votersOf } from './membership.js';
import type { ConfigChange, Membership, MembershipRecord } from './membership.js';
import type { LogReader } from './log-reader.js';
import { Progress } from './progress.js';
import { LeaderReads } from './read-index.js';
import type { ReadRequest } from './read-index.js';
import { StoredLog } from './stored-log.js';
import type { HardState, LogEntry, RaftInput, RaftMessage, Ready, ReadState, SnapshotChunk, SnapshotSource } from './types.js';

// Why a leader will not propose a configuration change now (configChangeRefusal).
export type ConfigChangeRefusal =
  | 'not-leader'
  | 'transferring'
  // Another change is proposed and not yet applied, or this leader has not yet applied its
  // own term's first entry.
  | 'change-pending'
  | 'already-member'
  | 'not-member'
  | 'not-learner'
  | 'last-voter'
  // A learner to promote has not yet caught up (its log holds less than 90% of the commit
  // index, as etcd's server asks): as a voter it would hold up commits while it catches up.
  | 'learner-behind';

export type Role = 'follower' | 'pre-candidate' | 'candidate' | 'leader';

export interface RaftCoreConfig {
  readonly id: number;
  // The voters a new cluster starts with, when the restore brings no configuration history.
  // A node joining a cluster starts with none, itself not among them: it learns the
  // configuration from the snapshot the leader sends it first.
  readonly voters: readonly number[];
  // Returns a number in [0, 1). The driver passes a seeded generator so that a run replays.
  readonly random: () => number;
  // Entries per append; entriesPerAppendMax unless given. Tests lower it so that a short
  // backlog spans several appends, as a long one does in production.
  readonly entriesPerAppendMax?: number;
  // Appends that carry new proposals to every follower wait for a `sendAppends` step (a
  // Ready's `appendsDue` says one is due), so that a driver sends those of one turn of its loop
  // together: one append per follower and turn, not one per proposal (and one acknowledgement
  // and apply each, instead of one per proposal). A new commit index still goes out at once.
  readonly batchAppends?: boolean;
  // A planted bug, for tests only: commit the highest index a quorum holds whatever its term,
  // breaking the rule of the Raft paper's Figure 8, so that the simulations show they catch it.
  readonly unsafeCommitByCountingEarlierTerms?: boolean;
  // A planted bug, for tests only: a leader answers reads from its commit index without
  // confirming it still leads (no round, no lease), which a leader cut off answers stale.
  readonly unsafeReadWithoutQuorum?: boolean;
  // The driver's log store, read for entries the core no longer holds (stored-log.ts): then the
  // core keeps only what is not yet both on disk and applied, and the restore passes no
  // entries. Without it the core keeps its log in memory (MemoryLog), as tests drive it.
  readonly store?: LogReader;
  // Where a leader takes snapshots from for followers behind its log's first index. Without
  // it such a follower cannot catch up, so a driver without it never compacts a shared log.
  readonly snapshots?: SnapshotSource;
  // How a leader confirms a read index (read-index.ts). 'safe' (the default): a heartbeat
  // round a quorum answers. 'lease': none, trusting that no other leader can be elected while
  // this one's CheckQuorum lease holds — true only while every node's ticks run at nearly the
  // same rate (raft/DESIGN.md, "Reads"); a transfer in progress still takes a round.
  readonly readOnly?: 'safe' | 'lease';
}

// What the driver read back from disk at start.
export interface RaftRestore {
  readonly hardState: HardState;
  readonly lastIndex: bigint;
  readonly lastTerm: bigint;
  // Everything at or below this index is applied already and is never handed out again.
  readonly appliedIndex: bigint;
  // Entries read back from the log: contiguous, ending at lastIndex, starting at or before
  // appliedIndex + 1. A driver may include applied ones, so that as leader this node can
  // send them to followers behind it; the single-node driver passes only the unapplied ones.
  readonly entries: readonly LogEntry[];
  // The configurations persisted from `membershipHistory`; records past appliedIndex are
  // dropped (their entries apply again). Absent: the configuration is `voters` at index 0.
  readonly membership?: readonly MembershipRecord[] | undefined;
}

export interface FollowerStatus {
  readonly id: number;
  readonly state: Progress['state'];
  readonly match: bigint;
  readonly next: bigint;
  readonly inflight: number;
  // In the snapshot state: the snapshot's index and the chunk the follower wants next.
  readonly snapshot: { readonly index: bigint; readonly nextChunk: number } | null;
}

export interface RaftStatus {
  readonly id: number;
  readonly role: Role;
  readonly term: bigint;
  readonly votedFor: number | null;
  readonly leaderId: number | null;
  readonly commitIndex: bigint;
  readonly appliedIndex: bigint;
  readonly persistedIndex: bigint;
  readonly lastIndex: bigint;
  readonly followers: readonly FollowerStatus[];
  readonly membership: Membership;
  // As leader, the voter leadership is being handed to.
  readonly transferringTo: number | null;
}

// The outputs of one step, gathered as the step goes.
interface Output {
  entriesToPersist: LogEntry[];
  messagesToSend: RaftMessage[];
  entriesToApply: readonly LogEntry[];
  proposedIndex: bigint | null;
  snapshotChunk: SnapshotChunk | null;
  membershipHistory: readonly MembershipRecord[] | null;
  readStates: ReadState[];
  appendsDue: boolean;
}

// As follower: the snapshot being received from a leader, and whether the driver is storing
// its chunk `nextChunk` now (answered once stored).
interface ReceivingSnapshot {
  readonly leader: number;
  readonly index: bigint;
  readonly term: bigint;
  readonly membership: Membership;
  nextChunk: number;
  storing: boolean;
}

export class RaftCore {
  private role: Role = 'follower';
  private term: bigint;
  private votedFor: number | null;
  private leaderId: number | null = null;
  private readonly raftLog: MemoryLog | StoredLog;
  // The log is on this node's disk through this index (the driver said so).
  private persistedIndex: bigint;
  // The highest last index this log ever had: a persisted report may name an index since cut.
  private lastIndexMax: bigint;
  private commitIndex: bigint;
  private appliedIndex: bigint;
  // Ticks since the last election-timer reset: a leader heard (follower), a campaign started,
  // or, for a leader, since CheckQuorum last looked.
  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private electionTimeout: number;
  // Votes received in the (pre-)campaign in progress: true granted, false rejected.
  private readonly votes = new Map<number, boolean>();
  // As leader: the progress of every other voter.
  private readonly progress = new Map<number, Progress>();
  // As follower: the highest index known to match the current leader's log (set by its
  // appends; a term has one leader), and the highest index acknowledged to it.
  private leaderMatchIndex = 0n;
  private acknowledgedIndex = 0n;
  private receivingSnapshot: ReceivingSnapshot | null = null;
  // The snapshot whose last chunk the driver is storing, which replaces the state machine's
  // state and this log. Until it is reported stored, nothing is applied, no append is taken
  // and no campaign started: each would act on a log and state about to be replaced. A change
  // of term does not end it, unlike receivingSnapshot: the driver installs it regardless.
  private installingSnapshot: { readonly index: bigint; readonly term: bigint } | null = null;
  // The configurations in effect from each record's index on, oldest first (membership.ts);
  // empty on a node that joins, until a snapshot brings it one.
  private membershipHistory: MembershipRecord[];
  private membership: Membership = { members: [] };
  // The membership's voters and everyone else, kept with it (commit and ticks read them).
  private voterIds: readonly number[] = [];
  private peerIds: readonly number[] = [];
  // As leader: the index of the last configuration change proposed (or, from election, this
  // term's first entry); another is proposed only once this one is applied.
  private pendingConfigIndex = 0n;
  // As leader: the voter being handed leadership; proposals are refused meanwhile.
  private transferee: number | null = null;
  // Under batchAppends: the proposals' broadcast is deferred to the next sendAppends step.
  private broadcastDue = false;
  // As leader: the index of this term's first entry. Reads wait until it is committed.
  private termFirstIndex = 0n;
  // As leader: the reads being confirmed (read-index.ts).
  private readonly leaderReads = new LeaderReads();
  // As follower: the reads asked of leader `forwardedReadsLeader` and not yet answered;
  // refused when this node stops following it (the answer may never come).
  private readonly forwardedReads = new Set<bigint>();
  private forwardedReadsLeader: number | null = null;
  private out: Output = emptyOutput();

  constructor(private readonly config: RaftCoreConfig, restore: RaftRestore) {
    assert(new Set(config.voters).size === config.voters.length, 'voters must be distinct');
    assert((config.entriesPerAppendMax ?? entriesPerAppendMax) >= 1);
    assert(restore.appliedIndex <= restore.lastIndex);
    this.term = restore.hardState.term;
    this.votedFor = restore.hardState.votedFor;
    const first = restore.entries[0];
    if (config.store !== undefined) {
      assert(first === undefined, 'a core reading its store is restored from it, not from entries');
      assert(config.store.lastIndex === restore.lastIndex);
      this.raftLog = new StoredLog(config.store, restore.lastTerm);
    } else {
      const baseIndex = first === undefined ? restore.lastIndex : first.index - 1n;
      assert(baseIndex <= restore.appliedIndex, 'restored entries must reach back to the applied index');
      this.raftLog = new MemoryLog(baseIndex, first === undefined ? restore.lastTerm : undefined, restore.entries);
    }
    assert(this.raftLog.lastIndex === restore.lastIndex, 'restored entries must reach the last index');
    assert(this.raftLog.lastTerm === restore.lastTerm, 'restored entries must end at the last term');
    // What was restored is on disk already.
    this.persistedIndex = restore.lastIndex;
    this.lastIndexMax = restore.lastIndex;
    this.appliedIndex = restore.appliedIndex;
    this.commitIndex = restore.appliedIndex;
    this.electionTimeout = this.randomElectionTimeout();
    const history = restore.membership ?? (config.voters.length === 0 ? [] : [{ index: 0n, membership: membershipOf(config.voters) }]);
    // None at or before the applied index: a joining node that crashed after persisting the
    // configuration of a snapshot it had not installed yet. It knows none, as before.
    this.membershipHistory = history.filter((record) => record.index <= restore.appliedIndex);
    this.setMembership(this.membershipHistory.at(-1)?.membership ?? { members: [] });
  }

  get state(): { readonly role: Role; readonly term: bigint; readonly commitIndex: bigint; readonly lastIndex: bigint } {
    return { role: this.role, term: this.term, commitIndex: this.commitIndex, lastIndex: this.raftLog.lastIndex };
  }

  get status(): RaftStatus {
    const followers = [...this.progress.entries()].map(([id, progress]) => ({
      id,
      state: progress.state,
      match: progress.match,
      next: progress.next,
      inflight: progress.inflightCount,
      snapshot: progress.pendingSnapshot === null ? null : { index: progress.pendingSnapshot.index, nextChunk: progress.pendingSnapshot.nextChunk },
    }));
    return {
      id: this.config.id,
      role: this.role,
      term: this.term,
      votedFor: this.votedFor,
      leaderId: this.leaderId,
      commitIndex: this.commitIndex,
      appliedIndex: this.appliedIndex,
      persistedIndex: this.persistedIndex,
      lastIndex: this.raftLog.lastIndex,
      followers,
      membership: this.membership,
      transferringTo: this.transferee,
    };
  }

  // The log as the core holds it, for tests and status; never to be mutated.
  get log(): LogReader {
    return this.raftLog;
  }

  // Forgets the in-memory log through `index`, which must be applied; its term stays known, so
  // appends go on after it, and a follower that needs an entry before it is sent a snapshot.
  // For a core without a store (tests, simulations): with one, the driver compacts the store.
  compactThrough(index: bigint): void {
    assert(index <= this.appliedIndex, 'compaction past the applied index');
    assert(this.raftLog instanceof MemoryLog, 'a core reading its store is compacted through the store');
    this.raftLog.compactThrough(index);
  }

  // Why this node would not propose `change` now, or null if it would. The driver asks first,
  // to answer its caller with the reason; a refused proposeConfigChange appends nothing.
  configChangeRefusal(change: ConfigChange): ConfigChangeRefusal | null {
    if (this.role !== 'leader') return 'not-leader';
    if (this.transferee !== null) return 'transferring';
    if (this.pendingConfigIndex > this.appliedIndex) return 'change-pending';
    const refusal = changeRefusal(this.membership, change);
    if (refusal !== null) return refusal;
    if (change.kind === 'promote') {
      const match = this.progress.get(change.id)?.match ?? 0n;
      if (match === 0n || match * 10n < this.commitIndex * 9n) return 'learner-behind';
    }
    return null;
  }

  step(input: RaftInput): Ready {
    const before = { term: this.term, votedFor: this.votedFor };
    this.out = emptyOutput();
    switch (input.kind) {
      case 'tick':
        this.tick();
        break;
      case 'campaign':
        if (this.role !== 'leader' && this.installingSnapshot === null && this.isVoter()) this.campaign();
        break;
      case 'propose':
        this.propose(input.data);
        break;
      case 'proposeConfigChange':
        this.proposeConfigChange(input.change);
        break;
      case 'transferLeader':
        this.transferLeader(input.to);
        break;
      case 'readIndex':
        this.readIndex(input.id);
        break;
      case 'persisted':
        this.persisted(input.index, input.term);
        break;
      case 'snapshotStored':
        this.snapshotStored(input.index, input.term, input.chunk);
        break;
      case 'sendAppends':
        this.sendDueAppends();
        break;
      case 'message':
        this.receive(input.message);
        break;
      default:
        assertNever(input);
    }
    this.releaseCommitted();
    this.settleReads();
    const hardState = this.term !== before.term || this.votedFor !== before.votedFor ? { term: this.term, votedFor: this.votedFor } : null;
    const ready: Ready = { hardState, ...this.out };
    this.out = emptyOutput();
    return ready;
  }

  // ---- time

  private tick(): void {
    if (this.role === 'leader') {
      this.tickLeader();
      return;
    }
    this.electionElapsed++;
    // A learner, a removed node or one still joining never campaigns.
    if (this.installingSnapshot !== null || !this.isVoter()) return;
    if (this.voters().length === 1 || this.electionElapsed >= this.electionTimeout) this.campaign();
  }

  private tickLeader(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= electionTicks) {
      this.electionElapsed = 0;
      // CheckQuorum: a leader cut off from a quorum steps down rather than take proposals it
      // can never commit, and so stops holding its followers' lease.
      if (!this.quorumActive()) {
        this.becomeFollower(this.term, null);
        return;
      }
      for (const progress of this.progress.values()) progress.recentActive = false;
      // A transfer not done within an election timeout is given up: proposals resume.
      this.transferee = null;
    }
    if (this.heartbeatElapsed >= heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.broadcastHeartbeat();
    }
  }

  private broadcastHeartbeat(): void {
    const round = this.leaderReads.round;
    for (const [to, progress] of this.progress) {
      const commit = progress.match < this.commitIndex ? progress.match : this.commitIndex;
      this.send({ kind: 'heartbeat', from: this.config.id, to, term: this.term, commit, round });
    }
  }

  private quorumActive(): boolean {
    let active = 0;
    for (const id of this.voters()) if (id === this.config.id || this.progress.get(id)?.recentActive === true) active++;
    return active >= this.quorum();
  }

  // ---- elections

  // PreVote first: the term is raised only once a quorum said it would vote.
  private campaign(): void {
    this.role = 'pre-candidate';
    this.leaderId = null;
    this.resetElectionTimer();
    this.votes.clear();
    this.votes.set(this.config.id, true);
    if (this.tally() === 'won') {
      this.startElection();
      return;
    }
    this.requestVotes('preVote', this.term + 1n);
  }

  // `transfer`: asked for by the leader's timeoutNow, so voters take it despite their lease.
  private startElection(transfer = false): void {
    this.role = 'candidate';
    this.term += 1n;
    this.votedFor = this.config.id;
    this.leaderId = null;
    this.resetElectionTimer();
    this.votes.clear();
    this.votes.set(this.config.id, true);
    this.resetFollowerView();
    if (this.tally() === 'won') {
      this.becomeLeader();
      return;
    }
    this.requestVotes('vote', this.term, transfer);
  }

  private requestVotes(kind: 'preVote' | 'vote', term: bigint, transfer = false): void {
    const lastIndex = this.raftLog.lastIndex;
    const lastTerm = this.lastTerm();
    for (const to of this.voters()) {
      if (to === this.config.id) continue;
      if (kind === 'vote') this.send({ kind, from: this.config.id, to, term, lastIndex, lastTerm, transfer });
      else this.send({ kind, from: this.config.id, to, term, lastIndex, lastTerm });
    }
  }

  // Only the votes of voters in this node's configuration count.
  private tally(): 'won' | 'lost' | 'pending' {
    let granted = 0;
    let rejected = 0;
    for (const [id, vote] of this.votes) {
      if (!this.voterIds.includes(id)) continue;
      if (vote) granted++;
      else rejected++;
    }
    if (granted >= this.quorum()) return 'won';
    if (rejected >= this.quorum()) return 'lost';
    return 'pending';
  }

  private becomeFollower(term: bigint, leaderId: number | null): void {
    if (term !== this.term) {
      assert(term > this.term);
      this.term = term;
      this.votedFor = null;
      this.resetFollowerView();
    }
    this.role = 'follower';
    this.leaderId = leaderId;
    this.resetElectionTimer();
    this.votes.clear();
    this.clearProgress();
    this.transferee = null;
  }

  // Forgets the followers' progress, closing the snapshots still going out to them.
  private clearProgress(): void {
    for (const [id, progress] of this.progress) if (progress.state === 'snapshot') this.config.snapshots?.close(id);
    this.progress.clear();
  }

  // A new term means a new leader, whose log nothing here has been checked against yet.
  private resetFollowerView(): void {
    this.leaderMatchIndex = 0n;
    this.acknowledgedIndex = 0n;
    this.receivingSnapshot = null;
  }

  // The new term starts with a noop entry: committing it commits every earlier entry, since
  // Raft commits only entries of the current term by counting.
  private becomeLeader(): void {
    this.role = 'leader';
    this.leaderId = this.config.id;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.votes.clear();
    this.clearProgress();
    this.transferee = null;
    for (const id of this.peers()) this.progress.set(id, new Progress(this.raftLog.lastIndex + 1n, this.joinedLater(id)));
    // No configuration change until this term's first entry is applied: every change an
    // earlier leader may have left in the log is applied by then, and this leader has
    // committed in its own term (the thesis's single-server change bug needs that).
    this.pendingConfigIndex = this.appendLocal('noop', new Uint8Array(0)).index;
    this.termFirstIndex = this.pendingConfigIndex;
    this.broadcastAppend(true);
  }

  private resetElectionTimer(): void {
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.electionTimeout = this.randomElectionTimeout();
  }

  private randomElectionTimeout(): number {
    const draw = this.config.random();
    assert(draw >= 0 && draw < 1);
    return electionTicks + Math.floor(draw * electionTicks);
  }

  // ---- proposals and the local disk

  private propose(data: Uint8Array): void {
    // While transferring, the target must be able to catch up with a log that stops growing.
    if (this.role !== 'leader' || this.transferee !== null) return;
    this.out.proposedIndex = this.appendLocal('batch', data).index;
    this.broadcastAppendOrDefer();
  }

  private proposeConfigChange(change: ConfigChange): void {
    if (this.configChangeRefusal(change) !== null) return;
    const entry = this.appendLocal('config', encodeChange(change));
    this.pendingConfigIndex = entry.index;
    this.out.proposedIndex = entry.index;
    this.broadcastAppendOrDefer();
  }

  // ---- leadership transfer (etcd's MsgTransferLeader)

  // Hands leadership to voter `to`: no more proposals here, the target's log is brought up to
  // this one's, then it is told to campaign at once. Given up after an election timeout, or
  // when the target leaves the configuration. A new request for another target replaces one
  // in progress.
  private transferLeader(to: number): void {
    if (this.role !== 'leader' || to === this.config.id || roleOf(this.membership, to) !== 'voter') return;
    if (this.transferee === to) return;
    this.transferee = to;
    // The transfer has one election timeout from now (CheckQuorum's clock ends it).
    this.electionElapsed = 0;
    const progress = this.progress.get(to)!;
    if (progress.match === this.raftLog.lastIndex) this.sendTimeoutNow(to);
    else this.sendAppend(to, progress, true);
  }

  private sendTimeoutNow(to: number): void {
    this.send({ kind: 'timeoutNow', from: this.config.id, to, term: this.term });
  }

  private appendLocal(kind: LogEntry['kind'], data: Uint8Array): LogEntry {
    const entry: LogEntry = { index: this.raftLog.lastIndex + 1n, term: this.term, kind, data };
    this.appendToLog([entry]);
    return entry;
  }

  private appendToLog(entries: readonly LogEntry[]): void {
    const first = entries[0]!;
    assert(first.index > this.commitIndex, 'a committed entry cannot be replaced');
    if (first.index <= this.persistedIndex) this.persistedIndex = first.index - 1n;
    this.raftLog.append(entries);
    if (this.raftLog.lastIndex > this.lastIndexMax) this.lastIndexMax = this.raftLog.lastIndex;
    const pending = this.out.entriesToPersist;
    while (pending.length > 0 && pending.at(-1)!.index >= first.index) pending.pop();
    pending.push(...entries);
  }

  private persisted(index: bigint, term: bigint): void {
    assert(index <= this.lastIndexMax, 'persisted past anything this log held');
    // A report from before a cut of the log names entries since replaced; ignore it.
    if (index <= this.persistedIndex || this.raftLog.term(index) !== term) return;
    this.persistedIndex = index;
    if (this.role === 'leader') {
      if (this.maybeCommit()) this.broadcastAppend(true);
    } else {
      this.maybeAcknowledge(false);
    }
  }

  // Hands out committed entries that are on this node's disk, in order, once each.
  private releaseCommitted(): void {
    if (this.installingSnapshot !== null) return;
    const through = this.commitIndex < this.persistedIndex ? this.commitIndex : this.persistedIndex;
    if (through <= this.appliedIndex) return;
    this.out.entriesToApply = this.raftLog.entries(this.appliedIndex + 1n, through + 1n, Number.MAX_SAFE_INTEGER);
    this.appliedIndex = through;
    for (const entry of this.out.entriesToApply) if (entry.kind === 'config') this.applyConfigEntry(entry);
    // What is applied is on disk too (only persisted entries are handed out): a core reading
    // its store forgets it, and reads it back from the store if a follower needs it. In memory,
    // a sole voter, which never sends its log to anyone, keeps only what is not applied yet; with
    // peers the log stays until the caller compacts it (compactThrough).
    if (this.raftLog instanceof StoredLog) this.raftLog.forgetThrough(this.appliedIndex);
    else if (this.peers().length === 0) this.raftLog.compactThrough(this.appliedIndex);
  }

  // ---- configuration

  // A config entry takes effect as it is handed out to apply (etcd's ApplyConfChange).
  private applyConfigEntry(entry: LogEntry): void {
    assert(this.membershipHistory.length > 0, 'a config entry applied before any configuration is known');
    this.adoptMembership({ index: entry.index, membership: applyChange(this.membership, decodeChange(entry.data)) });
  }

  private adoptMembership(record: MembershipRecord): void {
    this.membershipHistory = historyFrom([...this.membershipHistory, record], this.raftLog.firstIndex - 1n);
    this.setMembership(record.membership);
    this.out.membershipHistory = this.membershipHistory;
    if (this.role !== 'leader') return;
    if (roleOf(this.membership, this.config.id) !== 'voter') {
      // A leader removed (or, hypothetically, demoted) steps down; the commit that applied
      // its removal has gone out to the others, who elect a leader among themselves.
      this.becomeFollower(this.term, null);
      return;
    }
    for (const [id, progress] of [...this.progress]) {
      if (roleOf(this.membership, id) !== null) continue;
      if (progress.state === 'snapshot') this.config.snapshots?.close(id);
      this.progress.delete(id);
    }
    for (const id of this.peers()) {
      if (this.progress.has(id)) continue;
      // A new member is probed at once: it may need a snapshot before anything else.
      const progress = new Progress(this.raftLog.lastIndex + 1n, this.joinedLater(id));
      this.progress.set(id, progress);
      this.sendAppend(id, progress, true);
    }
    if (this.transferee !== null && roleOf(this.membership, this.transferee) !== 'voter') this.transferee = null;
    // The quorum may be smaller now (a voter removed): commit what it allows.
    if (this.maybeCommit()) this.broadcastAppend(true);
    else this.broadcastAppend(false);
  }

  // ---- messages

  private receive(message: RaftMessage): void {
    assert(message.to === this.config.id, 'a message for another node');
    // Messages from outside the configuration are taken: a node joining hears from a leader
    // before it knows the configuration, and a voter may learn of its promotion last. A
    // leader ignores answers from nodes it has no progress for, and votes count only from
    // voters (tally).
    if (message.from === this.config.id) return;
    if (message.term > this.term) {
      const transferVote = message.kind === 'vote' && message.transfer;
      if ((message.kind === 'preVote' || message.kind === 'vote') && !transferVote) {
        // Leader stickiness: a node that heard from a leader within the election timeout
        // ignores campaigns; a node that merely missed a few heartbeats cannot depose it.
        if (this.leaderId !== null && this.electionElapsed < electionTicks) return;
      }
      // A PreVote does not change anybody's term; nor does a granted PreVote response, which
      // carries the term the pre-candidate asked about.
      const keepsTerm = message.kind === 'preVote' || (message.kind === 'preVoteResponse' && !message.reject);
      if (!keepsTerm) this.becomeFollower(message.term, fromLeader(message) ? message.from : null);
    } else if (message.term < this.term) {
      this.receiveStale(message);
      return;
    }
    switch (message.kind) {
      case 'preVote':
      case 'vote':
        this.receiveVoteRequest(message);
        return;
      case 'preVoteResponse':
        if (this.role === 'pre-candidate' && message.term === this.term + 1n) this.receiveVote(message.from, !message.reject);
        return;
      case 'voteResponse':
        if (this.role === 'candidate') this.receiveVote(message.from, !message.reject);
        return;
      case 'append':
        this.followLeader(message.from);
        this.receiveAppend(message);
        return;
      case 'heartbeat':
        this.followLeader(message.from);
        this.receiveHeartbeat(message);
        return;
      case 'appendResponse':
        if (this.role === 'leader') this.receiveAppendResponse(message);
        return;
      case 'heartbeatResponse':
        if (this.role === 'leader') this.receiveHeartbeatResponse(message.from, message.round);
        return;
      case 'snapshot':
        this.followLeader(message.from);
        this.receiveSnapshot(message);
        return;
      case 'snapshotResponse':
        if (this.role === 'leader') this.receiveSnapshotResponse(message);
        return;
      case 'timeoutNow':
        // From this term's leader, handing over: campaign now, skipping PreVote (the leader
        // itself asks for this election) and the election timer.
        if (this.role === 'follower' && this.isVoter() && this.installingSnapshot === null) this.startElection(true);
        return;
      case 'readIndex':
        if (this.role === 'leader' && roleOf(this.membership, message.from) !== null) this.leaderRead({ from: message.from, id: message.id });
        else this.refuseRead({ from: message.from, id: message.id });
        return;
      case 'readIndexResponse':
        if (message.from !== this.forwardedReadsLeader || !this.forwardedReads.delete(message.id)) return;
        this.out.readStates.push({ id: message.id, index: message.reject ? null : message.index });
        return;
      default:
        assertNever(message);
    }
  }

  // A message of an older term. A leader of an older term, cut off while this node's term
  // rose, would otherwise never learn of it (its votes are ignored while others hold a
  // lease): answer it with our term. Answer an old PreVote too, so its sender catches up.
  private receiveStale(message: RaftMessage): void {
    const reply = { from: this.config.id, to: message.from, term: this.term };
    if (fromLeader(message)) this.send({ kind: 'heartbeatResponse', ...reply, round: 0n });
    else if (message.kind === 'preVote') this.send({ kind: 'preVoteResponse', ...reply, reject: true });
    // A read asked of a leader of an older term: refused with our term, which its sender adopts.
    else if (message.kind === 'readIndex') this.send({ kind: 'readIndexResponse', ...reply, id: message.id, index: 0n, reject: true });
  }

  private receiveVoteRequest(message: Extract<RaftMessage, { kind: 'preVote' | 'vote' }>): void {
    const canVote =
      this.votedFor === message.from ||
      (this.votedFor === null && this.leaderId === null) ||
      (message.kind === 'preVote' && message.term > this.term);
    const lastTerm = this.lastTerm();
    const upToDate = message.lastTerm > lastTerm || (message.lastTerm === lastTerm && message.lastIndex >= this.raftLog.lastIndex);
    const kind = message.kind === 'preVote' ? 'preVoteResponse' : 'voteResponse';
    if (canVote && upToDate) {
      if (message.kind === 'vote') {
        this.votedFor = message.from;
        this.electionElapsed = 0;
      }
      this.send({ kind, from: this.config.id, to: message.from, term: message.term, reject: false });
      return;
    }
    this.send({ kind, from: this.config.id, to: message.from, term: this.term, reject: true });
  }

  private receiveVote(from: number, granted: boolean): void {
    this.votes.set(from, granted);
    const outcome = this.tally();
    if (outcome === 'won') {
      if (this.role === 'pre-candidate') this.startElection();
      else this.becomeLeader();
    } else if (outcome === 'lost') {
      this.becomeFollower(this.term, null);
    }
  }

  // An append or heartbeat of the current term comes from its one leader.
  private followLeader(from: number): void {
    assert(this.role !== 'leader', 'two leaders in one term');
    if (this.role !== 'follower') this.becomeFollower(this.term, from);
    assert(this.leaderId === null || this.leaderId === from, 'two leaders in one term');
    this.leaderId = from;
    this.electionElapsed = 0;
  }

  private receiveAppend(message: Extract<RaftMessage, { kind: 'append' }>): void {
    // Not answered: the leader sends again once the snapshot is in and acknowledged.
    if (this.installingSnapshot !== null) return;
    // Everything through the commit index matches any leader's log (a leader holds every
    // committed entry), so an append from below it needs no check up to it.
    const committedAhead = message.prevIndex < this.commitIndex;
    if (!committedAhead && !this.matchesAt(message.prevIndex, message.prevTerm)) {
      const hint = this.conflictHint(message.prevIndex, message.prevTerm);
      this.send({ kind: 'appendResponse', from: this.config.id, to: message.from, term: this.term, reject: true, index: message.prevIndex, ...hint });
      return;
    }
    // Skip what this log holds already (a duplicate or reordered append must not cut entries
    // a later one added); replace from the first entry whose term differs.
    let skipped = 0;
    for (const entry of message.entries) {
      if (entry.index > this.commitIndex && this.raftLog.term(entry.index) !== entry.term) break;
      skipped++;
    }
    const fresh = message.entries.slice(skipped);
    if (fresh.length > 0) {
      assert(fresh[0]!.index > this.leaderMatchIndex, 'the leader replaced an entry it had matched');
      this.appendToLog(fresh);
    }
    const appendEnd = message.prevIndex + BigInt(message.entries.length);
    const lastNewIndex = committedAhead && appendEnd < this.commitIndex ? this.commitIndex : appendEnd;
    if (lastNewIndex > this.leaderMatchIndex) this.leaderMatchIndex = lastNewIndex;
    const commit = message.commit < lastNewIndex ? message.commit : lastNewIndex;
    if (commit > this.commitIndex) this.commitIndex = commit;
    // Answer now what is on disk already (a probe must be answered even when it brings nothing
    // new); the rest is acknowledged once `persisted` reports it.
    if (this.persistedIndex >= lastNewIndex) this.maybeAcknowledge(true);
  }

  // Acknowledges to the leader what its log and this disk have in common, when that grew (or
  // always, when `force`): the leader counts it toward commit, so it must be on disk here.
  private maybeAcknowledge(force: boolean): void {
    if (this.role !== 'follower' || this.leaderId === null) return;
    const index = this.leaderMatchIndex < this.persistedIndex ? this.leaderMatchIndex : this.persistedIndex;
    if (!force && index <= this.acknowledgedIndex) return;
    if (index > this.acknowledgedIndex) this.acknowledgedIndex = index;
    this.send({ kind: 'appendResponse', from: this.config.id, to: this.leaderId, term: this.term, reject: false, index });
  }

  private matchesAt(index: bigint, term: bigint): boolean {
    const held = this.raftLog.term(index);
    // At the commit index the logs match whatever the term; its term may be unknown here
    // (a restored log starts after the applied index).
    if (held === undefined) return index === this.commitIndex && index <= this.raftLog.lastIndex;
    return held === term;
  }

  // The last index at or below `index` (and this log's end) whose term is at most `term`, the
  // term of the leader's entry at `index`. Entries here after it have terms above `term`, and
  // the leader's entries up to `index` have terms at most `term`: none of them can match, so
  // the leader may skip them all at once.
  private conflictHint(index: bigint, term: bigint): { hintIndex: bigint; hintTerm: bigint } {
    let hintIndex = index < this.raftLog.lastIndex ? index : this.raftLog.lastIndex;
    while (hintIndex > this.commitIndex && this.raftLog.term(hintIndex)! > term) hintIndex--;
    // At the commit index the term may be unknown; any term at least the leader's entry's
    // there makes the leader go on from it, and ours is one.
    return { hintIndex, hintTerm: this.raftLog.term(hintIndex) ?? this.term };
  }

  private receiveHeartbeat(message: Extract<RaftMessage, { kind: 'heartbeat' }>): void {
    // The heartbeat's commit is at most what the leader knows this follower holds; cap it at
    // what this incarnation has checked against the leader's log, since a log restored after
    // a crash was not checked yet.
    const commit = message.commit < this.leaderMatchIndex ? message.commit : this.leaderMatchIndex;
    if (commit > this.commitIndex) this.commitIndex = commit;
    this.send({ kind: 'heartbeatResponse', from: this.config.id, to: message.from, term: this.term, round: message.round });
  }

  // ---- the leader's side of replication

  private receiveAppendResponse(message: Extract<RaftMessage, { kind: 'appendResponse' }>): void {
    const progress = this.progress.get(message.from);
    if (progress === undefined) return; // not a member (any more)
    progress.recentActive = true;
    if (progress.state === 'snapshot') {
      // A rejection is older than the snapshot. An acceptance says the follower holds enough
      // already (it had the entries, or committed past the snapshot): go on from the log.
      if (message.reject) return;
      this.config.snapshots?.close(message.from);
      progress.becomeProbe();
    }
    if (message.reject) {
      const hintNext = this.lastIndexWithTermAtMost(message.hintIndex, message.hintTerm) + 1n;
      if (progress.maybeDecrease(message.index, hintNext)) {
        if (progress.state === 'replicate') progress.becomeProbe();
        this.sendAppend(message.from, progress, true);
      }
      return;
    }
    assert(message.index <= this.raftLog.lastIndex, 'a follower acknowledged past the leader log');
    const wasPaused = progress.isPaused();
    const updated = progress.maybeUpdate(message.index);
    // A probe answered at the known match also shows where the logs meet: replicate from there.
    const probeAnswered = progress.state === 'probe' && message.index === progress.match;
    if (!updated && !probeAnswered) {
      if (progress.state === 'replicate') this.sendAppends(message.from, progress);
      return;
    }
    if (progress.state === 'probe') progress.becomeReplicate();
    if (message.from === this.transferee && progress.match === this.raftLog.lastIndex) this.sendTimeoutNow(message.from);
    if (updated && this.maybeCommit()) {
      // At once, not with the turn's appends: a follower that forwarded a write answers it
      // about now, and its client's next request there should find it applied.
      this.broadcastAppend(true);
    } else {
      // A follower that was paused missed any commit broadcast meanwhile: send it one.
      if (wasPaused) this.sendAppend(message.from, progress, true);
      this.sendAppends(message.from, progress);
    }
  }

  private receiveHeartbeatResponse(from: number, round: bigint): void {
    const progress = this.progress.get(from);
    if (progress === undefined) return;
    progress.heard();
    if (round > 0n && this.voterIds.includes(from)) {
      this.leaderReads.answer(from, round);
      for (const confirmed of this.leaderReads.confirmed(this.config.id, this.voters(), this.quorum())) {
        for (const request of confirmed.requests) this.answerRead(request, confirmed.index);
      }
    }
    if (progress.state === 'snapshot') {
      if (progress.snapshotChunkOverdue()) this.sendSnapshotChunk(from, progress);
      return;
    }
    if (progress.match < this.raftLog.lastIndex) this.sendAppend(from, progress, true);
  }

  // The largest index at or below `index` whose term here is at most `term` (etcd's
  // findConflictByTerm): no entry after it can match the follower's hinted one.
  private lastIndexWithTermAtMost(index: bigint, term: bigint): bigint {
    let at = index < this.raftLog.lastIndex ? index : this.raftLog.lastIndex;
    for (; at > 0n; at--) {
      const held = this.raftLog.term(at);
      if (held === undefined || held <= term) return at;
    }
    return 0n;
  }

  // Commits the highest index a quorum has on disk, if it belongs to the current term: an
  // earlier term's entry on a quorum can still be replaced (the Raft paper's Figure 8), and
  // commits only with an entry of this term after it.
  private maybeCommit(): boolean {
    const matches = this.voters().map((id) => (id === this.config.id ? this.persistedIndex : this.progress.get(id)!.match));
    matches.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
    const quorumIndex = matches[this.quorum() - 1];
    assert(quorumIndex !== undefined);
    if (quorumIndex <= this.commitIndex) return false;
    if (this.raftLog.term(quorumIndex) !== this.term && this.config.unsafeCommitByCountingEarlierTerms !== true) return false;
    this.commitIndex = quorumIndex;
    return true;
  }

  // broadcastAppend now, or, with batchAppends, at the next sendAppends step.
  private broadcastAppendOrDefer(): void {
    if (this.config.batchAppends !== true) {
      this.broadcastAppend(false);
      return;
    }
    this.broadcastDue = true;
    this.out.appendsDue = true;
  }

  private sendDueAppends(): void {
    const due = this.broadcastDue;
    this.broadcastDue = false;
    // Leadership lost meanwhile: the new term's leader sends what is due.
    if (due && this.role === 'leader') this.broadcastAppend(false);
  }

  // Sends appends to every follower; with `sendIfEmpty`, an empty one where nothing is due,
  // to carry a new commit index (or a new leader's first probe).
  private broadcastAppend(sendIfEmpty: boolean): void {
    for (const [to, progress] of this.progress) {
      if (!this.sendAppend(to, progress, sendIfEmpty)) continue;
      this.sendAppends(to, progress);
    }
  }

  // In replicate, streams batches until the window is full or the follower has everything.
  private sendAppends(to: number, progress: Progress): void {
    if (progress.state !== 'replicate') return;
    for (let sent = 0; sent < 1_000_000 && this.sendAppend(to, progress, false); sent++);
  }

  private sendAppend(to: number, progress: Progress, sendIfEmpty: boolean): boolean {
    if (progress.isPaused()) return false;
    const prevIndex = progress.next - 1n;
    const prevTerm = this.raftLog.term(prevIndex);
    // The follower needs entries this log no longer holds: it is sent a snapshot instead. So
    // is a member added since the cluster began that has nothing yet: the log does not hold the
    // configuration it would apply its first entries to.
    const needsSnapshot = prevTerm === undefined || progress.next < this.raftLog.firstIndex || (progress.joining && prevIndex === 0n);
    if (needsSnapshot) return this.startSnapshot(to, progress);
    const hi = progress.next + BigInt(this.config.entriesPerAppendMax ?? entriesPerAppendMax);
    const end = hi < this.raftLog.lastIndex + 1n ? hi : this.raftLog.lastIndex + 1n;
    const entries = progress.next <= this.raftLog.lastIndex ? this.raftLog.entries(progress.next, end, appendBytesMax) : [];
    if (entries.length === 0 && !sendIfEmpty) return false;
    this.send({ kind: 'append', from: this.config.id, to, term: this.term, prevIndex, prevTerm, entries, commit: this.commitIndex });
    progress.sent(entries.at(-1)?.index ?? null, entries.reduce((bytes, entry) => bytes + entry.data.length, 0));
    return true;
  }

  // ---- linearizable reads (read-index.ts)

  private readIndex(id: bigint): void {
    if (this.role === 'leader') {
      this.leaderRead({ from: null, id });
      return;
    }
    if (this.role !== 'follower' || this.leaderId === null) {
      this.refuseRead({ from: null, id });
      return;
    }
    this.forwardedReads.add(id);
    this.forwardedReadsLeader = this.leaderId;
    this.send({ kind: 'readIndex', from: this.config.id, to: this.leaderId, term: this.term, id });
  }

  private leaderRead(request: ReadRequest): void {
    // Until this term's first entry commits, the commit index may lag what an earlier leader
    // acknowledged: a read index taken now could miss a write already answered.
    if (this.commitIndex < this.termFirstIndex) this.leaderReads.hold(request);
    else this.confirmReads([request]);
  }

  // Notes the commit index for `requests` and confirms this node still leads: at once when
  // nobody else could have been elected since (a sole voter; a lease), else by a round.
  private confirmReads(requests: readonly ReadRequest[]): void {
    const alone = (this.quorum() === 1 && this.isVoter()) || this.config.unsafeReadWithoutQuorum === true;
    if (alone || (this.config.readOnly === 'lease' && this.transferee === null)) {
      for (const request of requests) this.answerRead(request, this.commitIndex);
      return;
    }
    this.leaderReads.open(this.commitIndex, requests);
    this.broadcastHeartbeat();
  }

  private answerRead(request: ReadRequest, index: bigint): void {
    if (request.from === null) this.out.readStates.push({ id: request.id, index });
    else this.send({ kind: 'readIndexResponse', from: this.config.id, to: request.from, term: this.term, id: request.id, index, reject: false });
  }

  private refuseRead(request: ReadRequest): void {
    if (request.from === null) this.out.readStates.push({ id: request.id, index: null });
    else this.send({ kind: 'readIndexResponse', from: this.config.id, to: request.from, term: this.term, id: request.id, index: 0n, reject: true });
  }

  // After every step: a leader opens a round for the reads that waited for its term's first
  // commit; a node that stopped leading refuses the reads it was confirming; a follower that
  // stopped following the leader it asked refuses the reads still out with it.
  private settleReads(): void {
    if (this.role === 'leader') {
      if (this.commitIndex >= this.termFirstIndex) {
        const held = this.leaderReads.takeHeld();
        if (held.length > 0) this.confirmReads(held);
      }
    } else {
      for (const request of this.leaderReads.drain()) this.refuseRead(request);
    }
    if (this.forwardedReads.size > 0 && (this.role !== 'follower' || this.leaderId !== this.forwardedReadsLeader)) {
      for (const id of this.forwardedReads) this.out.readStates.push({ id, index: null });
      this.forwardedReads.clear();
      this.forwardedReadsLeader = null;
    }
  }

  // ---- snapshots, the leader's side

  private startSnapshot(to: number, progress: Progress): boolean {
    const source = this.config.snapshots;
    if (source === undefined) return false;
    const { index, term } = source.open(to);
    assert(index + 1n >= this.raftLog.firstIndex && index <= this.appliedIndex, 'a snapshot the log cannot go on from');
    const known = this.raftLog.term(index);
    assert(known === undefined || known === term, 'a snapshot of a term other than its log entry');
    progress.becomeSnapshot(index, term, membershipAt(this.membershipHistory, index));
    this.sendSnapshotChunk(to, progress);
    return true;
  }

  private sendSnapshotChunk(to: number, progress: Progress): void {
    const pending = progress.pendingSnapshot;
    assert(pending !== null && this.config.snapshots !== undefined);
    const { data, last } = this.config.snapshots.chunk(to, pending.nextChunk);
    pending.heartbeatsSinceSent = 0;
    this.send({ kind: 'snapshot', from: this.config.id, to, term: this.term, snapshotIndex: pending.index, snapshotTerm: pending.term, chunk: pending.nextChunk, last, data, membership: pending.membership });
  }

  private receiveSnapshotResponse(message: Extract<RaftMessage, { kind: 'snapshotResponse' }>): void {
    const progress = this.progress.get(message.from);
    if (progress === undefined) return;
    progress.recentActive = true;
    const pending = progress.pendingSnapshot;
    if (pending === null || pending.index !== message.snapshotIndex) return;
    if (message.installed) {
      this.config.snapshots?.close(message.from);
      progress.snapshotInstalled();
      if (this.maybeCommit()) {
        this.broadcastAppend(true);
        return;
      }
      if (this.sendAppend(message.from, progress, true)) this.sendAppends(message.from, progress);
      return;
    }
    // The follower says which chunk it wants: that one goes, unless it is the one in flight
    // already (a repeated answer; acting on each would double the chunks in flight). A late
    // answer may ask for an earlier chunk; the follower's answer to it asks for the right one
    // again. A lost chunk is sent again by the heartbeat answers.
    if (message.nextChunk !== pending.nextChunk) {
      pending.nextChunk = message.nextChunk;
      this.sendSnapshotChunk(message.from, progress);
    }
  }

  // ---- snapshots, the follower's side

  private receiveSnapshot(message: Extract<RaftMessage, { kind: 'snapshot' }>): void {
    // Answered once installed.
    if (this.installingSnapshot !== null) return;
    const { snapshotIndex: index, snapshotTerm: term } = message;
    const holdsIt = index <= this.commitIndex || (index <= this.persistedIndex && this.raftLog.term(index) === term);
    if (holdsIt) {
      // A stale or duplicate snapshot, or one this log holds already: a snapshot is of
      // committed state, so the log matches the leader's through it (and through the commit
      // index, as any committed entry does). Acknowledge from the log instead.
      this.receivingSnapshot = null;
      const matched = index > this.commitIndex ? index : this.commitIndex;
      if (index > this.commitIndex) this.commitIndex = index;
      if (matched > this.leaderMatchIndex) this.leaderMatchIndex = matched;
      this.maybeAcknowledge(true);
      return;
    }
    const receiving = this.receivingSnapshot;
    const same = receiving !== null && receiving.leader === message.from && receiving.index === index && receiving.term === term;
    if (same && receiving.storing) return;
    // Chunk 0 of another snapshot starts over; otherwise only the chunk wanted next is taken.
    // (A late copy of chunk 0 of this one must not: the leader, past it, would never send the
    // chunks after it again. A snapshot of the same index and term has the same chunks.)
    if (same ? message.chunk === receiving.nextChunk : message.chunk === 0) {
      this.receivingSnapshot = { leader: message.from, index, term, membership: message.membership, nextChunk: message.chunk, storing: true };
      if (message.last) {
        this.installingSnapshot = { index, term };
        // The snapshot's configuration takes effect with it; persisted before the install
        // (types.ts, Ready), kept beside the older records until the log restarts after it, so
        // a crash before the install still finds the configuration at the old applied index.
        this.adoptMembership({ index, membership: message.membership });
      }
      this.out.snapshotChunk = { leader: message.from, index, term, chunk: message.chunk, last: message.last, data: message.data };
      return;
    }
    const nextChunk = same ? receiving.nextChunk : 0;
    this.send({ kind: 'snapshotResponse', from: this.config.id, to: message.from, term: this.term, snapshotIndex: index, nextChunk, installed: false });
  }

  private snapshotStored(index: bigint, term: bigint, chunk: number): void {
    const installing = this.installingSnapshot;
    if (installing !== null && installing.index === index && installing.term === term) {
      this.installingSnapshot = null;
      this.restartLogAfter(index, term);
    }
    const receiving = this.receivingSnapshot;
    if (receiving === null || !receiving.storing || receiving.index !== index || receiving.term !== term || receiving.nextChunk !== chunk) return;
    receiving.storing = false;
    receiving.nextChunk = chunk + 1;
    const installed = installing !== null && installing.index === index && installing.term === term;
    if (installed) this.receivingSnapshot = null;
    if (this.role !== 'follower' || this.leaderId !== receiving.leader) return;
    this.send({ kind: 'snapshotResponse', from: this.config.id, to: receiving.leader, term: this.term, snapshotIndex: index, nextChunk: chunk + 1, installed });
  }

  // The state machine holds the snapshot's state now: the log restarts after it, empty, and
  // everything through it is committed, applied, on disk and known to match the leader.
  private restartLogAfter(index: bigint, term: bigint): void {
    assert(index > this.appliedIndex, 'a snapshot older than the applied state');
    this.raftLog.restartAfter(index, term);
    this.persistedIndex = index;
    if (index > this.lastIndexMax) this.lastIndexMax = index;
    this.commitIndex = index;
    this.appliedIndex = index;
    this.leaderMatchIndex = index;
    this.acknowledgedIndex = index;
  }

  // ---- helpers

  private send(message: RaftMessage): void {
    this.out.messagesToSend.push(message);
  }

  private setMembership(membership: Membership): void {
    this.membership = membership;
    this.voterIds = votersOf(membership);
    this.peerIds = membership.members.filter((member) => member.id !== this.config.id).map((member) => member.id);
  }

  // Everyone a leader replicates to: the other voters and the learners.
  private peers(): readonly number[] {
    return this.peerIds;
  }

  private voters(): readonly number[] {
    return this.voterIds;
  }

  // Whether `id` was not in the configuration the cluster began with (as far as the history
  // still tells): such a member cannot start from an empty log (sendAppend).
  private joinedLater(id: number): boolean {
    const first = this.membershipHistory[0];
    return first === undefined || first.index !== 0n || roleOf(first.membership, id) === null;
  }

  private isVoter(): boolean {
    return this.voterIds.includes(this.config.id);
  }

  private quorum(): number {
    return Math.floor(this.voters().length / 2) + 1;
  }

  private lastTerm(): bigint {
    const term = this.raftLog.term(this.raftLog.lastIndex);
    assert(term !== undefined); // a restored log knows its last term, even when empty
    return term;
  }
}

function emptyOutput(): Output {
  return { entriesToPersist: [], messagesToSend: [], entriesToApply: [], proposedIndex: null, snapshotChunk: null, membershipHistory: null, readStates: [], appendsDue: false };
}

// The messages only a leader sends, which name it.
function fromLeader(message: RaftMessage): boolean {
  return message.kind === 'append' || message.kind === 'heartbeat' || message.kind === 'snapshot';
}
