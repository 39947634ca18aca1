// A deterministic simulation of a cluster of real Raft drivers (services/raft/node/raft-node.ts)
// with real log stores over simulated disks (sim-disk.ts), a simulated network (sim-network.ts)
// and simulated time, all from one seed, in the manner of TigerBeetle's VOPR. Every disk write
// and every message waits until the simulation completes it, and after each event the promise
// continuations it released run to the end (settle), so a seed replays exactly.
//
// After every event it checks: at most one leader per term; log matching (an (index, term)
// names one entry, after one term); leader completeness (a new leader holds every committed
// entry); committed entries never change; every node applies the one committed sequence, so
// each node's applied sequence is a prefix of every other's; a node never lowers its term or
// changes its vote within one; a proposal acknowledged to its client is its own entry. Once the
// faults heal, a new proposal must be applied on every node within a bound.
//
// Nodes are paused too, as by SIGSTOP: no ticks, messages held until they resume; a resumed
// node that led may be asked a read before it hears of a newer leader.
//
// Linearizable reads (ReadIndex) are asked of any node, leader or not, stale or cut off: a read
// answered must come with an index at or past every proposal acknowledged before it was asked,
// and the node must have applied through that index when it answers.
//
// Nodes compact their logs behind what they applied, keeping a few entries, so a node that
// was down or cut off is often sent a snapshot (the applied entries); installing one must give
// a prefix of the committed sequence longer than what the node had applied.
//
// The configuration changes too (sim-membership.ts): nodes join empty and are added as
// learners, learners are promoted, members removed (the leader too), leadership handed over.
// The checks hold across them; after healing, every member of the leader's configuration
// must apply the proposal (removed nodes are no longer sent anything).
import { electionTicks } from '../../services/base/limits.js';
import type { LogEntry, RaftMessage, Ready } from '../../services/raft/core/types.js';
import { LogDamageError } from '../../services/raft/node/log-segment-reader.js';
import { RaftNode } from '../../services/raft/node/raft-node.js';
import { TideError } from '../../services/base/errors.js';
import type { RaftTransport } from '../../services/raft/transport/raft-transport.js';
import { seededRandom } from '../support/seeded-random.js';
import { sameEntry } from './sim-choices.js';
import { noDiskFaults, SimDisk } from './sim-disk.js';
import type { SimDiskFaults } from './sim-disk.js';
import { SimNetwork } from './sim-network.js';
import { checkSimChunk, decodeSimChunk, openSimSnapshot } from './sim-snapshots.js';
import { chooseMembershipEvent } from './sim-membership.js';
import type { MembershipEvent } from './sim-membership.js';
import { decodeChange } from '../../services/raft/core/membership.js';

// A bug planted on purpose, to show the checks catch what it breaks:
// - 'hard-state-not-durable': the disk acknowledges the hard state without making it durable,
//   as a driver that sends its vote before persisting it would behave across a crash;
// - 'log-writes-not-durable': the disk acknowledges log writes before they are durable, as a
//   driver that reports `persisted` early would.
// - 'commit-earlier-term-by-counting': the core commits an earlier term's entry once a quorum
//   holds it (the Raft paper's Figure 8).
// - 'read-without-quorum': a leader answers a read index without confirming it still leads.
export type Mutation = 'none' | 'hard-state-not-durable' | 'log-writes-not-durable' | 'commit-earlier-term-by-counting' | 'read-without-quorum';

export interface Coverage {
  elections: number;
  leaderChanges: number;
  partitions: number;
  oneWayPartitions: number;
  crashes: number;
  restarts: number;
  tornWrites: number;
  shortWriteStops: number;
  noSpaceStops: number;
  dropped: number;
  duplicated: number;
  truncations: number;
  committed: number;
  acknowledged: number;
  outcomeUnknown: number;
  snapshotsSent: number;
  snapshotsInstalled: number;
  // Configuration changes committed, by kind, and leadership transfers asked and done (the
  // target leading a later term).
  learnersAdded: number;
  promotions: number;
  removals: number;
  transfersAsked: number;
  transfersDone: number;
  // Linearizable reads answered, and refused (no leader confirmed them).
  readsServed: number;
  readsRefused: number;
  pauses: number;
}

export const emptyCoverage = (): Coverage => ({
  elections: 0,
  leaderChanges: 0,
  partitions: 0,
  oneWayPartitions: 0,
  crashes: 0,
  restarts: 0,
  tornWrites: 0,
  shortWriteStops: 0,
  noSpaceStops: 0,
  dropped: 0,
  duplicated: 0,
  truncations: 0,
  committed: 0,
  acknowledged: 0,
  outcomeUnknown: 0,
  snapshotsSent: 0,
  snapshotsInstalled: 0,
  learnersAdded: 0,
  promotions: 0,
  removals: 0,
  transfersAsked: 0,
  transfersDone: 0,
  readsServed: 0,
  readsRefused: 0,
  pauses: 0,
});

export class Violation extends Error {}

interface SimNode {
  readonly id: number;
  // Started empty to join the running cluster, rather than as one of its first voters.
  readonly joining: boolean;
  readonly disk: SimDisk;
  state: 'down' | 'opening' | 'up';
  driver: RaftNode | null;
  transport: RaftTransport | null;
  tick: (() => void) | null;
  // Bumped by every crash: callbacks of an earlier incarnation must not act.
  incarnation: number;
  // The state machine, durable as LMDB is once apply returns: the entries applied, in order.
  readonly applied: LogEntry[];
  // This incarnation's commit index checked against the committed record so far.
  checkedCommit: bigint;
  // The term this node was last seen leading, so that each new leadership is checked once.
  ledTerm: bigint | null;
  // The last hard state it persisted, which survives crashes.
  hardTerm: bigint;
  hardVote: number | null;
  // The last index it was told to persist (a lower first index later means a cut).
  persistLast: bigint;
  // Paused (SIGSTOP) until this network time: no ticks, no requests, messages held.
  pausedUntil: number | null;
  // With pauseHeavy, a leader paused: the acknowledged index when it stopped.
  pausedLeaderAcknowledged: bigint | null;
}

export interface SimulationOptions {
  readonly seed: number;
  readonly size: number;
  readonly faultSteps: number;
  readonly mutation?: Mutation;
  readonly trace?: boolean;
  // Configuration changes and leadership transfers in the mix (on unless false). Off, a seed
  // runs as it did before they joined the mix, so the planted-bug seeds stay where they were.
  readonly membershipChanges?: boolean;
  // Linearizable reads and pauses in the mix (on unless false), drawn apart like membership
  // changes.
  readonly reads?: boolean;
  // Pauses several times as often, and a leader paused stays paused (up to a bound) until a
  // proposal is acknowledged after it stopped: a cluster paused that much makes little
  // progress, but a deposed leader is then often asked a read (the planted read bug's run).
  readonly pauseHeavy?: boolean;
}

// After healing, a proposal must be applied on every node within this many ticks: restarts,
// a PreVote round, an election and the repair of divergent logs.
const healTicksMax = 15 * electionTicks;
// Nodes the simulation may start to join, beyond the first ones.
const joinersMax = 3;
// A node compacts its log through its applied index less this many entries: few, so that a
// node behind needs a snapshot often. (Only whole segments go: the simulation's test lowers
// the segment size so that they roll.)
const compactionKeepEntries = 4n;
const directory = '/raft';

export class NodeClusterSimulation {
  private readonly random: () => number;
  private readonly network: SimNetwork;
  private readonly nodes: SimNode[] = [];
  // The cluster's first voters; `ids` is every node started, joiners included.
  private readonly voters: number[];
  private readonly ids: number[];
  private readonly weights: Record<'tick' | 'deliver' | 'disk' | 'propose' | 'partition' | 'crash' | 'restart' | 'membership' | 'read' | 'pause', number>;
  // The highest index of a proposal acknowledged so far: a read asked now must see it.
  private acknowledgedIndexMax = 0n;
  // The last transfer asked: its target should lead a term after `term`.
  private transferAsked: { readonly to: number; readonly term: bigint } | null = null;
  private readonly diskFaults: SimDiskFaults;
  private readonly isolateLeaderRate: number;
  private readonly entriesPerAppend: number;
  private isolateLeaders = true;
  private readonly leaders = new Map<bigint, number>();
  private readonly seen = new Map<string, { readonly entry: LogEntry; readonly previousTerm: bigint | undefined }>();
  private readonly committed: LogEntry[] = [];
  // Nodes a removal was proposed for: never added again (their disks hold an old membership).
  private readonly removedIds = new Set<number>();
  private lastLeader: number | null = null;
  private nextPayload = 1;
  private step = 0;
  // A check that failed inside a callback (apply, a proposal's answer), thrown at the next settle.
  private failure: Error | null = null;
  readonly coverage: Coverage = emptyCoverage();

  constructor(private readonly options: SimulationOptions) {
    this.random = seededRandom(options.seed);
    this.network = new SimNetwork(seededRandom(Math.floor(this.random() * 2 ** 32)));
    const draw = (low: number, high: number): number => low + this.random() * (high - low);
    // Swarm testing: each seed draws its own mix of events and fault rates.
    this.weights = { tick: draw(0.15, 0.3), deliver: draw(0.2, 0.45), disk: draw(0.1, 0.3), propose: draw(0.03, 0.12), partition: draw(0.003, 0.02), crash: draw(0.005, 0.02), restart: draw(0.01, 0.05), membership: 0, read: 0, pause: 0 };
    // Drawn apart from the rest, so that every other draw of a seed is what it was before.
    if (options.membershipChanges !== false) this.weights.membership = 0.02 + seededRandom(options.seed * 7919 + 1)() * 0.03;
    if (options.reads !== false) {
      const drawApart = seededRandom(options.seed * 104_729 + 3);
      this.weights.read = 0.02 + drawApart() * 0.06;
      this.weights.pause = (options.pauseHeavy === true ? 0.01 : 0.001) + drawApart() * (options.pauseHeavy === true ? 0.02 : 0.003);
    }
    this.network.lossRate = draw(0, 0.1);
    this.network.duplicateRate = draw(0, 0.05);
    this.network.delayTicksMax = Math.floor(draw(1, 4));
    this.diskFaults = { shortWriteRate: draw(0, 0.01), noSpaceRate: draw(0, 0.01), tearRate: draw(0.3, 0.8), landRate: draw(0, 0.2) };
    this.isolateLeaderRate = draw(0.1, 0.6);
    // Short appends make a backlog span several, as a long one does in production.
    this.entriesPerAppend = [1, 2, 1_024][Math.floor(this.random() * 3)]!;
    this.voters = Array.from({ length: options.size }, (_, at) => at + 1);
    this.ids = [...this.voters];
    for (const id of this.voters) this.addNode(id, false);
  }

  private addNode(id: number, joining: boolean): SimNode {
    const disk = new SimDisk(seededRandom(Math.floor(this.random() * 2 ** 32)));
    disk.faults = this.diskFaults;
    disk.syncedWritesDurable = this.options.mutation !== 'hard-state-not-durable';
    disk.syncWritesDurable = this.options.mutation !== 'log-writes-not-durable';
    const node: SimNode = { id, joining, disk, state: 'down', driver: null, transport: null, tick: null, incarnation: 0, applied: [], checkedCommit: 0n, ledTerm: null, hardTerm: 0n, hardVote: null, persistLast: 0n, pausedUntil: null, pausedLeaderAcknowledged: null };
    this.nodes.push(node);
    return node;
  }

  async run(): Promise<void> {
    for (const node of this.nodes) this.restart(node);
    await this.settle();
    for (this.step = 0; this.step < this.options.faultSteps; this.step++) {
      this.faultStep();
      await this.settle();
    }
    await this.heal();
  }

  // ---- events

  private faultStep(): void {
    const total = Object.values(this.weights).reduce((sum, weight) => sum + weight, 0);
    let roll = this.random() * total;
    if ((roll -= this.weights.tick) < 0) this.tickAll();
    else if ((roll -= this.weights.deliver) < 0) this.coverageOfNetwork(() => this.network.deliverSome());
    else if ((roll -= this.weights.disk) < 0) this.completeDiskOperations();
    else if ((roll -= this.weights.propose) < 0) this.propose();
    else if ((roll -= this.weights.partition) < 0) this.changePartition();
    else if ((roll -= this.weights.crash) < 0) this.crash(this.pick(this.nodes.filter((node) => node.state !== 'down')));
    else if ((roll -= this.weights.membership) < 0) this.changeMembership();
    else if ((roll -= this.weights.read) < 0) this.read(this.readTarget());
    else if ((roll -= this.weights.pause) < 0) this.pause();
    else this.restart(this.pick(this.nodes.filter((node) => node.state === 'down')));
  }

  private tickAll(): void {
    this.network.time++;
    for (const node of this.nodes) {
      if (node.pausedUntil !== null && node.pausedUntil <= this.network.time && !this.keepsPaused(node)) this.resume(node);
      if (node.pausedUntil === null) node.tick?.();
    }
    for (const node of this.nodes) {
      const applied = node.driver?.status.appliedIndex ?? 0n;
      if (applied > compactionKeepEntries) node.driver!.compactThrough(applied - compactionKeepEntries);
    }
    this.trace(() => `status ${this.nodes.map((node) => (node.driver === null ? `${node.id}:${node.state}` : `${node.id}:${node.driver.status.role}/${node.driver.status.term}/c${node.driver.status.commitIndex}/a${node.driver.status.appliedIndex}`)).join(' ')}`);
  }

  private completeDiskOperations(): void {
    // A paused process runs nothing, so it is told of no completed write either.
    const busy = this.nodes.filter((node) => node.disk.pendingOperations > 0 && node.pausedUntil === null);
    if (busy.length === 0) return;
    const node = this.pick(busy)!;
    for (let count = 1 + Math.floor(this.random() * 3); count > 0; count--) node.disk.completeNext();
  }

  private propose(): void {
    const up = this.nodes.filter((node) => node.driver !== null);
    const leader = this.random() < 0.85 ? this.currentLeader() : this.pick(up);
    if (leader === null || leader === undefined || leader.pausedUntil !== null) return;
    for (let count = 1 + Math.floor(this.random() * 3); count > 0; count--) this.proposeTo(leader);
  }

  // Proposes a fresh payload; returns its index, or null when the node refused it.
  private proposeTo(node: SimNode): { index: bigint; payload: string } | null {
    const payload = String(this.nextPayload++);
    let proposal: { index: bigint; applied: Promise<void> };
    try {
      proposal = node.driver!.propose(new TextEncoder().encode(payload));
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'NOT_LEADER' || code === 'LEADER_TRANSFERRING') return null;
      throw error;
    }
    const { index } = proposal;
    this.trace(() => `${node.id} proposed ${payload} at ${index}`);
    this.watchProposal(index, payload, proposal.applied);
    return { index, payload };
  }

  // An acknowledged proposal must be its own entry (a config entry's data is its change's JSON).
  private watchProposal(index: bigint, payload: string, applied: Promise<void>): void {
    applied.then(
      () => {
        this.coverage.acknowledged++;
        if (index > this.acknowledgedIndexMax) this.acknowledgedIndexMax = index;
        const committed = this.committed[Number(index) - 1];
        this.expect(committed !== undefined && new TextDecoder().decode(committed.data) === payload, `proposal ${payload} was acknowledged, but entry ${index} holds another`);
      },
      (error: unknown) => {
        if ((error as { code?: string }).code === 'OUTCOME_UNKNOWN') this.coverage.outcomeUnknown++;
        else this.failure ??= error as Error;
      },
    )
      // A failed check is kept in `failure` and thrown at the next settle, not here.
      .catch(() => undefined);
  }

  // Stops a node (the leader, half the time) for longer than an election timeout or so.
  private pause(): void {
    const running = this.nodes.filter((node) => node.driver !== null && node.pausedUntil === null);
    const leader = this.currentLeader();
    const node = leader !== null && running.includes(leader) && this.random() < 0.5 ? leader : this.pick(running);
    if (node === undefined) return;
    node.pausedUntil = this.network.time + electionTicks + Math.floor(this.random() * 3 * electionTicks);
    node.pausedLeaderAcknowledged = this.options.pauseHeavy === true && node.driver!.status.role === 'leader' ? this.acknowledgedIndexMax : null;
    this.network.held.add(node.id);
    this.coverage.pauses++;
    this.trace(() => `pause ${node.id} until ${node.pausedUntil}`);
  }

  private keepsPaused(node: SimNode): boolean {
    const mark = node.pausedLeaderAcknowledged;
    return mark !== null && this.acknowledgedIndexMax <= mark && this.network.time < node.pausedUntil! + 10 * electionTicks;
  }

  // Mostly, a read reaches the resumed node before anything else does.
  private resume(node: SimNode): void {
    node.pausedUntil = null;
    node.pausedLeaderAcknowledged = null;
    this.network.held.delete(node.id);
    this.trace(() => `resume ${node.id}`);
    if (node.driver !== null && this.random() < 0.8) this.read(node);
  }

  // Any node that is up; half the time, when two nodes think they lead, the one of the older
  // term — deposed without knowing it yet, where a read that skips confirmation goes stale.
  private readTarget(): SimNode | undefined {
    const up = this.nodes.filter((node) => node.driver !== null && node.pausedUntil === null);
    const leaders = up.filter((node) => node.driver!.status.role === 'leader').sort((a, b) => (a.driver!.status.term < b.driver!.status.term ? -1 : 1));
    if (leaders.length > 1 && this.random() < 0.5) return leaders[0];
    return this.pick(up);
  }

  // A linearizable read on `node`, whatever its role: answered, it must see every proposal
  // acknowledged before it was asked, on a state machine applied through its index.
  private read(node: SimNode | undefined): void {
    if (node === undefined) return;
    const mustSee = this.acknowledgedIndexMax;
    const incarnation = node.incarnation;
    this.trace(() => `${node.id} asks a read (must see ${mustSee}; it is ${node.driver!.status.role}, commit ${node.driver!.status.commitIndex})`);
    node.driver!.readIndex().then(
      (index) => {
        if (node.incarnation !== incarnation) return;
        this.coverage.readsServed++;
        this.trace(() => `${node.id} read at ${index}`);
        this.expect(index >= mustSee, `node ${node.id} answered a read at index ${index}, below ${mustSee}, acknowledged before the read was asked`);
        this.expect(BigInt(node.applied.length) >= index, `node ${node.id} answered a read at index ${index} having applied ${node.applied.length}`);
      },
      (error: unknown) => {
        const code = (error as { code?: string }).code;
        if (code === 'NOT_LEADER') this.coverage.readsRefused++;
        else this.failure ??= error as Error;
      },
    )
      // A failed check is kept in `failure` and thrown at the next settle, not here.
      .catch(() => undefined);
  }

  // Asks the leader for a configuration change or a leadership transfer; a refusal (another
  // change pending, a learner behind, a transfer under way) is an answer, not a failure.
  private changeMembership(): void {
    const leader = this.currentLeader();
    if (leader === null || leader.pausedUntil !== null) return;
    const driver = leader.driver!;
    const membership = driver.membership;
    const waitingToJoin = this.nodes.filter((node) => node.joining && !this.removedIds.has(node.id) && !membership.members.some((member) => member.id === node.id)).map((node) => node.id);
    const event = chooseMembershipEvent(this.random, { membership, leader: leader.id, nextId: this.nodes.length + 1, mayStartNode: this.nodes.length < this.options.size + joinersMax, waitingToJoin });
    if (event === null) return;
    this.trace(() => `${leader.id} asked: ${JSON.stringify(event)}`);
    try {
      this.carryOut(leader, event);
    } catch (error) {
      if (!(error instanceof TideError)) throw error;
      this.trace(() => `refused: ${error.code}`);
    }
  }

  private carryOut(leader: SimNode, event: MembershipEvent): void {
    const driver = leader.driver!;
    switch (event.kind) {
      case 'join': {
        this.ids.push(event.id);
        this.restart(this.addNode(event.id, true));
        this.carryOut(leader, { kind: 'change', change: { kind: 'addLearner', id: event.id, peer: '', http: '' } });
        return;
      }
      case 'change': {
        const { index, applied } = driver.changeMembership(event.change);
        if (event.change.kind === 'remove') this.removedIds.add(event.change.id);
        this.watchProposal(index, JSON.stringify(event.change), applied);
        return;
      }
      case 'transfer':
        driver.requestLeadershipTransfer(event.to);
        this.coverage.transfersAsked++;
        this.transferAsked = { to: event.to, term: driver.status.term };
    }
  }

  private changePartition(): void {
    const roll = this.random();
    if (roll < 0.3) {
      this.network.heal();
      this.trace(() => 'partition: none');
      return;
    }
    this.coverage.partitions++;
    if (roll < 0.7) {
      const side = this.ids.filter(() => this.random() < 0.5);
      if (side.length === 0 || side.length === this.ids.length) side.splice(0, side.length, this.pick(this.ids)!);
      this.network.isolate(side, this.ids);
    } else {
      this.coverage.oneWayPartitions++;
      this.network.heal();
      for (let links = 1 + Math.floor(this.random() * this.ids.length); links > 0; links--) {
        const from = this.pick(this.ids)!;
        const to = this.pick(this.ids)!;
        if (from !== to) this.network.cutOneWay(from, to);
      }
    }
    this.trace(() => `partition: ${this.network.describePartition()}`);
  }

  // The machine stops: memory and every write not yet durable are lost (the last may tear).
  private crash(node: SimNode | undefined): void {
    if (node === undefined) return;
    this.coverage.crashes++;
    const { id } = node;
    this.stop(node);
    this.trace(() => `crash ${id}`);
  }

  private stop(node: SimNode): void {
    node.incarnation++;
    node.state = 'down';
    node.pausedUntil = null;
    node.pausedLeaderAcknowledged = null;
    this.network.held.delete(node.id);
    void node.transport?.close();
    node.transport = null;
    node.driver = null;
    node.tick = null;
    node.ledTerm = null;
    node.disk.crash();
  }

  private restart(node: SimNode | undefined): void {
    if (node === undefined) return;
    node.state = 'opening';
    const incarnation = node.incarnation;
    const transport = this.network.connect(node.id);
    node.transport = transport;
    const last = node.applied.at(-1);
    RaftNode.open({
      dir: directory,
      id: node.id,
      voters: this.voters,
      join: node.joining,
      transport,
      appliedIndex: BigInt(node.applied.length),
      appliedTerm: last?.term,
      apply: (entries) => this.apply(node, incarnation, entries),
      onFatal: (error) => this.fatal(node, incarnation, error),
      ticker: (tick) => {
        node.tick = tick;
        return () => {
          if (node.tick === tick) node.tick = null;
        };
      },
      random: seededRandom(Math.floor(this.random() * 2 ** 32)),
      disk: node.disk.view(),
      // Small steps: files stay small, and appends often need more room (where a full disk bites).
      logPreallocateBytes: 4096,
      core: {
        entriesPerAppendMax: this.entriesPerAppend,
        unsafeCommitByCountingEarlierTerms: this.options.mutation === 'commit-earlier-term-by-counting',
        unsafeReadWithoutQuorum: this.options.mutation === 'read-without-quorum',
      },
      observe: (ready) => this.observe(node, incarnation, ready),
      snapshots: {
        open: () => {
          this.coverage.snapshotsSent++;
          return openSimSnapshot(node.applied);
        },
        check: checkSimChunk,
        install: (chunks) => this.installSnapshot(node, incarnation, [...chunks].flatMap(decodeSimChunk)),
      },
    }).then(
      (driver) => {
        if (node.incarnation !== incarnation) return;
        node.driver = driver;
        node.state = 'up';
        node.checkedCommit = BigInt(node.applied.length);
        node.persistLast = driver.status.lastIndex;
        this.coverage.restarts++;
        this.trace(() => `${node.id} up: last ${driver.status.lastIndex}, applied ${node.applied.length}`);
      },
      (error: unknown) => this.fatal(node, incarnation, error),
    );
  }

  // A stop the disk explains (a short write, a full disk) is the node failing as it must: it
  // goes down and restarts later. Anything else, damage included (only a torn last write can
  // be found, and that is no damage), is a bug.
  private fatal(node: SimNode, incarnation: number, error: unknown): void {
    if (node.incarnation !== incarnation) return;
    const text = String((error as Error).message ?? error) + String((error as { cause?: unknown }).cause ?? '');
    if (error instanceof LogDamageError || !/short write|ENOSPC/.test(text)) {
      this.failure ??= new Violation(`node ${node.id} stopped: ${(error as Error).stack ?? text}`);
      return;
    }
    if (/ENOSPC/.test(text)) this.coverage.noSpaceStops++;
    else this.coverage.shortWriteStops++;
    this.trace(() => `${node.id} stopped: ${text}`);
    this.stop(node);
  }

  // ---- heal, then require progress

  private async heal(): Promise<void> {
    for (const node of this.nodes) if (node.pausedUntil !== null) this.resume(node);
    this.network.heal();
    this.network.lossRate = 0;
    this.network.duplicateRate = 0;
    this.network.delayTicksMax = 1;
    this.isolateLeaders = false;
    for (const node of this.nodes) node.disk.faults = noDiskFaults;
    this.trace(() => 'heal');
    let proposal: { index: bigint; payload: string } | null = null;
    let proposedInTerm: bigint | null = null;
    for (let tick = 0; tick < healTicksMax; tick++, this.step++) {
      for (const node of this.nodes) if (node.state === 'down') this.restart(node);
      this.tickAll();
      await this.settle();
      for (let round = 0; round < 100; round++) {
        let busy = false;
        for (const node of this.nodes) {
          while (node.disk.pendingOperations > 0) {
            node.disk.completeNext();
            busy = true;
            await this.settle();
          }
        }
        busy = this.coverageOfNetwork(() => (this.network.deliverDue() ? 1 : 0)) > 0 || busy;
        await this.settle();
        if (!busy) break;
      }
      // Every member of the leader's configuration, learners too; removed nodes hear nothing.
      const members = this.currentLeader()?.driver!.membership.members.map((member) => member.id) ?? this.ids;
      const holders = this.nodes.filter((node) => members.includes(node.id));
      if (proposal !== null && holders.every((node) => node.applied.length >= Number(proposal!.index))) {
        const applied = this.committed[Number(proposal.index) - 1];
        if (applied !== undefined && new TextDecoder().decode(applied.data) === proposal.payload) return;
      }
      // One proposal per leader's term: one made to a leader that then lost its term may never
      // commit, so each new leader gets its own.
      const leader = this.currentLeader();
      if (leader === null || leader.driver!.status.term === proposedInTerm) continue;
      // A leader handing over refuses proposals until the transfer ends: ask again later.
      const made = this.proposeTo(leader);
      if (made === null) continue;
      proposal = made;
      proposedInTerm = leader.driver!.status.term;
    }
    throw new Violation(`no proposal was applied on every node within ${healTicksMax} ticks after the faults healed`);
  }

  // ---- the checks

  // Runs every continuation the last event released (no real I/O or timer is pending, so one
  // turn of the loop runs them all), then the checks.
  private async settle(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    if (this.failure !== null) throw this.failure;
    for (const node of this.nodes) {
      if (node.driver === null) continue;
      this.checkCommitted(node);
      this.checkLeadership(node);
    }
  }

  // What each Ready asks: the hard state never goes back, and entries keep log matching.
  private observe(node: SimNode, incarnation: number, ready: Ready): void {
    if (node.incarnation !== incarnation) return;
    if (ready.hardState !== null) {
      const { term, votedFor } = ready.hardState;
      this.expect(term >= node.hardTerm, `node ${node.id} lowered its term from ${node.hardTerm} to ${term}`);
      if (term === node.hardTerm && node.hardVote !== null) this.expect(votedFor === node.hardVote, `node ${node.id} changed its vote in term ${term}`);
      node.hardTerm = term;
      node.hardVote = votedFor;
    }
    const first = ready.entriesToPersist[0];
    if (first !== undefined && node.driver !== null) {
      if (first.index <= node.persistLast) this.coverage.truncations++;
      node.persistLast = ready.entriesToPersist.at(-1)!.index;
    }
    for (const entry of ready.entriesToPersist) this.recordSeen(node, entry);
    for (const message of ready.messagesToSend) this.checkMessage(node, message);
    for (const message of ready.messagesToSend) {
      if (message.kind === 'readIndex') this.trace(() => `${node.id} asks ${message.to} for read index ${message.id}`);
      if (message.kind === 'readIndexResponse') this.trace(() => `${node.id} answers ${message.to}'s read ${message.id}: ${message.reject ? 'refused' : `index ${message.index}`}`);
      if (message.kind === 'snapshot') this.trace(() => `${node.id} sends ${message.to} snapshot ${message.snapshotIndex} chunk ${message.chunk}`);
      if (message.kind === 'snapshotResponse') this.trace(() => `${node.id} asks ${message.to} for chunk ${message.nextChunk} of snapshot ${message.snapshotIndex}${message.installed ? ' (installed)' : ''}`);
    }
    if (ready.snapshotChunk !== null) this.trace(() => `${node.id} stores chunk ${ready.snapshotChunk!.chunk}`);
  }

  private checkMessage(node: SimNode, message: RaftMessage): void {
    this.expect(message.from === node.id, `node ${node.id} sent a message from ${message.from}`);
    this.expect(message.term <= node.hardTerm || message.kind === 'preVote' || message.kind === 'preVoteResponse', `node ${node.id} sent a ${message.kind} of term ${message.term} before persisting it`);
  }

  // Log matching: an (index, term) names one entry, always after the same term.
  private recordSeen(node: SimNode, entry: LogEntry): void {
    const log = node.driver?.raftLog;
    const previousTerm = log === undefined ? undefined : log.term(entry.index - 1n);
    const key = `${entry.index}@${entry.term}`;
    const known = this.seen.get(key);
    if (known === undefined) {
      this.seen.set(key, { entry, previousTerm });
      return;
    }
    this.expect(sameEntry(known.entry, entry), `log matching: two entries ${key}`);
    if (previousTerm !== undefined && known.previousTerm !== undefined) {
      this.expect(known.previousTerm === previousTerm, `log matching: entry ${key} follows term ${previousTerm} on node ${node.id}, ${known.previousTerm} elsewhere`);
    }
  }

  // Committed entries never change: what a node holds through its commit index is the one
  // committed sequence.
  private checkCommitted(node: SimNode): void {
    const driver = node.driver!;
    const commit = driver.status.commitIndex;
    if (commit <= node.checkedCommit) return;
    // Entries compacted away were checked as they were applied.
    const first = driver.raftLog.firstIndex;
    const from = node.checkedCommit + 1n > first ? node.checkedCommit + 1n : first;
    for (const entry of driver.raftLog.entries(from, commit + 1n, Number.MAX_SAFE_INTEGER)) this.recordCommitted(node, entry);
    node.checkedCommit = commit;
  }

  private recordCommitted(node: SimNode, entry: LogEntry): void {
    const index = Number(entry.index);
    const known = this.committed[index - 1];
    if (known === undefined) {
      this.expect(index === this.committed.length + 1, `node ${node.id} committed ${index} past the committed sequence's end ${this.committed.length}`);
      this.committed.push(entry);
      this.coverage.committed++;
      if (entry.kind === 'config') this.countChange(entry);
      return;
    }
    this.expect(sameEntry(known, entry), `committed entry ${index} changed: term ${known.term} on record, ${entry.term} on node ${node.id}`);
  }

  // One leader per term; a new leader holds every committed entry (leader completeness).
  private checkLeadership(node: SimNode): void {
    const status = node.driver!.status;
    if (status.role !== 'leader' || node.ledTerm === status.term) return;
    node.ledTerm = status.term;
    const known = this.leaders.get(status.term);
    this.expect(known === undefined || known === node.id, `two leaders in term ${status.term}: ${known} and ${node.id}`);
    if (known === node.id) return;
    this.leaders.set(status.term, node.id);
    this.coverage.elections++;
    if (this.transferAsked !== null && this.transferAsked.to === node.id && status.term > this.transferAsked.term) this.coverage.transfersDone++;
    this.transferAsked = null;
    if (this.lastLeader !== null && this.lastLeader !== node.id) this.coverage.leaderChanges++;
    this.lastLeader = node.id;
    this.trace(() => `${node.id} leads term ${status.term}`);
    const log = node.driver!.raftLog;
    for (const [at, entry] of this.committed.entries()) {
      const index = BigInt(at + 1);
      if (index < log.firstIndex) continue;
      this.expect(log.term(index) === entry.term, `leader ${node.id} of term ${status.term} lacks committed entry ${index}`);
    }
    // The nemesis: sometimes cut a new leader off at once, so that terms end with entries on a
    // minority only (the ground of the Raft paper's Figure 8).
    if (this.isolateLeaders && this.random() < this.isolateLeaderRate) {
      this.coverage.partitions++;
      this.network.isolate([node.id], this.ids);
      this.trace(() => `partition: ${node.id} | rest (new leader)`);
    }
  }

  // The state machine: applies in order, only the committed sequence.
  private apply(node: SimNode, incarnation: number, entries: readonly LogEntry[]): Promise<void> {
    if (node.incarnation !== incarnation) return new Promise(() => undefined); // a dead incarnation applies nothing
    for (const entry of entries) {
      const index = Number(entry.index);
      this.expect(index === node.applied.length + 1, `node ${node.id} applied ${index} after ${node.applied.length}`);
      this.recordCommitted(node, entry);
      node.applied.push(entry);
    }
    return Promise.resolve();
  }

  // The state machine replaced by a snapshot: the committed sequence's prefix, longer than
  // what the node had applied.
  private installSnapshot(node: SimNode, incarnation: number, entries: readonly LogEntry[]): Promise<void> {
    if (node.incarnation !== incarnation) return new Promise(() => undefined);
    this.expect(entries.length > node.applied.length, `node ${node.id} installed a snapshot of ${entries.length} entries over ${node.applied.length} applied`);
    for (const [at, entry] of entries.entries()) {
      this.expect(entry.index === BigInt(at + 1), `node ${node.id} got a snapshot with entry ${entry.index} at ${at + 1}`);
      this.recordCommitted(node, entry);
    }
    node.applied.length = 0;
    for (const entry of entries) node.applied.push(entry);
    if (node.checkedCommit < BigInt(entries.length)) node.checkedCommit = BigInt(entries.length);
    this.coverage.snapshotsInstalled++;
    this.trace(() => `${node.id} installed a snapshot through ${entries.length}`);
    return Promise.resolve();
  }

  private countChange(entry: LogEntry): void {
    const { kind } = decodeChange(entry.data);
    if (kind === 'addLearner') this.coverage.learnersAdded++;
    else if (kind === 'promote') this.coverage.promotions++;
    else if (kind === 'remove') this.coverage.removals++;
  }

  private coverageOfNetwork(deliver: () => number): number {
    const before = { dropped: this.network.stats.dropped, duplicated: this.network.stats.duplicated };
    const result = deliver();
    this.coverage.dropped += this.network.stats.dropped - before.dropped;
    this.coverage.duplicated += this.network.stats.duplicated - before.duplicated;
    return result;
  }

  // Disk statistics join the coverage at the end of a run.
  finishCoverage(): Coverage {
    for (const node of this.nodes) this.coverage.tornWrites += node.disk.stats.tornWrites;
    return this.coverage;
  }

  private currentLeader(): SimNode | null {
    let best: SimNode | null = null;
    for (const node of this.nodes) {
      const status = node.driver?.status;
      if (status?.role === 'leader' && (best === null || status.term > best.driver!.status.term)) best = node;
    }
    return best;
  }

  private pick<T>(items: readonly T[]): T | undefined {
    return items.length === 0 ? undefined : items[Math.floor(this.random() * items.length)];
  }

  private expect(condition: boolean, what: string): void {
    if (!condition) {
      const violation = new Violation(`step ${this.step}, tick ${this.network.time}: ${what}`);
      this.failure ??= violation;
      throw violation;
    }
  }

  private trace(line: () => string): void {
    if (this.options.trace === true) console.log(`[${this.step} t${this.network.time}] ${line()}`);
  }
}
