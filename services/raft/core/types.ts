// The data the Raft core consumes and produces. Indexes and terms are bigint: they only grow
// and a long-lived cluster may pass 2^53.

import type { ConfigChange, Membership, MembershipRecord } from './membership.js';

export type EntryKind = 'noop' | 'batch' | 'config';

export interface LogEntry {
  readonly index: bigint;
  readonly term: bigint;
  // 'noop' is the entry a new leader appends to commit its predecessors' entries; 'batch'
  // carries an encoded change batch the core never looks into; 'config' a configuration
  // change (membership.ts), which takes effect when applied.
  readonly kind: EntryKind;
  readonly data: Uint8Array;
}

// What must be on disk before the node sends anything of the term: a node that forgot its
// vote after a crash could vote twice in one term and let two leaders be elected in it.
export interface HardState {
  readonly term: bigint;
  readonly votedFor: number | null;
}

// Every message names its sender, its receiver and the sender's term. A higher term in any
// message makes the receiver a follower of that term, except as said at PreVote.
interface Envelope {
  readonly from: number;
  readonly to: number;
  readonly term: bigint;
}

export type RaftMessage =
  // PreVote asks "would you vote for me in `term`?" (the sender's term + 1) without anyone
  // changing term, so a node cut off from the cluster cannot raise terms and depose a healthy
  // leader when it returns. The response carries the asked term when granted, else the
  // responder's own.
  | (Envelope & { readonly kind: 'preVote'; readonly lastIndex: bigint; readonly lastTerm: bigint })
  | (Envelope & { readonly kind: 'preVoteResponse'; readonly reject: boolean })
  // `transfer`: the election a leader asked for by timeoutNow, which voters take even while
  // they hear from that leader (its lease is its own to give away).
  | (Envelope & { readonly kind: 'vote'; readonly lastIndex: bigint; readonly lastTerm: bigint; readonly transfer: boolean })
  | (Envelope & { readonly kind: 'voteResponse'; readonly reject: boolean })
  // Entries after (prevIndex, prevTerm), which the receiver must hold for them to fit, and the
  // leader's commit index. An empty append probes a follower's log or carries a new commit.
  | (Envelope & {
      readonly kind: 'append';
      readonly prevIndex: bigint;
      readonly prevTerm: bigint;
      readonly entries: readonly LogEntry[];
      readonly commit: bigint;
    })
  // Accepted: the receiver's log matches the leader's through `index` and is on its disk there.
  | (Envelope & { readonly kind: 'appendResponse'; readonly reject: false; readonly index: bigint })
  // Rejected: the receiver lacks (`index` = the append's prevIndex, prevTerm). The hint is the
  // last index at or below it whose term is at most the append's prevTerm, with that term, so
  // that the leader skips a whole divergent term per round trip, not one index.
  | (Envelope & {
      readonly kind: 'appendResponse';
      readonly reject: true;
      readonly index: bigint;
      readonly hintIndex: bigint;
      readonly hintTerm: bigint;
    })
  // Heartbeats are their own message rather than empty appends: they go to every follower each
  // heartbeat whatever its flow-control state (an append would be held back by a full window or
  // a probe in flight), they need no log check, and their commit is capped at what the follower
  // is known to hold. Their responses are what CheckQuorum counts, and they unblock a probe.
  // `round` is the newest ReadIndex round the leader opened (read-index.ts), 0 before any;
  // the response echoes the round of the heartbeat it answers.
  | (Envelope & { readonly kind: 'heartbeat'; readonly commit: bigint; readonly round: bigint })
  | (Envelope & { readonly kind: 'heartbeatResponse'; readonly round: bigint })
  // One chunk of the leader's snapshot of its applied state through (snapshotIndex,
  // snapshotTerm), for a follower that needs entries the leader's log no longer holds. Chunks
  // are numbered from 0 and sent one at a time, each after the previous one was acknowledged;
  // `last` marks the final one. The bytes are the driver's: the core only passes them along.
  | (Envelope & {
      readonly kind: 'snapshot';
      readonly snapshotIndex: bigint;
      readonly snapshotTerm: bigint;
      readonly chunk: number;
      readonly last: boolean;
      readonly data: Uint8Array;
      // The configuration in effect at snapshotIndex: a node that installs the snapshot has
      // no log before it to learn the configuration from.
      readonly membership: Membership;
    })
  // The follower holds chunks 0..nextChunk-1 of the snapshot at snapshotIndex on its disk and
  // wants nextChunk next (0: start over), or, when `installed`, the whole snapshot is in place
  // and its log restarts after snapshotIndex.
  | (Envelope & { readonly kind: 'snapshotResponse'; readonly snapshotIndex: bigint; readonly nextChunk: number; readonly installed: boolean })
  // A leader transferring its leadership tells the target, once its log is the leader's, to
  // campaign at once: no PreVote, no waiting out an election timeout.
  | (Envelope & { readonly kind: 'timeoutNow' })
  // A follower asks the leader for a read index on behalf of its driver's read `id`; the
  // leader answers once a quorum confirmed it still leads (read-index.ts), or refuses at once
  // when it cannot (no longer leader).
  | (Envelope & { readonly kind: 'readIndex'; readonly id: bigint })
  | (Envelope & { readonly kind: 'readIndexResponse'; readonly id: bigint; readonly index: bigint; readonly reject: boolean });

export type RaftMessageKind = RaftMessage['kind'];

export type RaftInput =
  | { readonly kind: 'tick' }
  // Start an election now (PreVote first), whatever the election timer says.
  | { readonly kind: 'campaign' }
  | { readonly kind: 'propose'; readonly data: Uint8Array }
  // A configuration change, which a leader appends only when configChangeRefusal allows it.
  | { readonly kind: 'proposeConfigChange'; readonly change: ConfigChange }
  // As leader: hand leadership to voter `to` (see RaftCore.transferLeader); ignored otherwise.
  | { readonly kind: 'transferLeader'; readonly to: number }
  // A linearizable read `id` (unique among this node's reads) wants its read index; answered
  // by a ReadState in some later Ready, possibly of this step.
  | { readonly kind: 'readIndex'; readonly id: bigint }
  // The driver has fsynced the log up to `index` (entries of `term`).
  | { readonly kind: 'persisted'; readonly index: bigint; readonly term: bigint }
  // The driver has stored the snapshot chunk of a Ready's `snapshotChunk` durably; for the
  // last chunk, it has installed the whole snapshot (see SnapshotChunk).
  | { readonly kind: 'snapshotStored'; readonly index: bigint; readonly term: bigint; readonly chunk: number }
  // Send the appends deferred under RaftCoreConfig.batchAppends (Ready.appendsDue).
  | { readonly kind: 'sendAppends' }
  | { readonly kind: 'message'; readonly message: RaftMessage };

// What the driver must do, in this order:
//  1. Persist `hardState` (when not null) durably before sending any message of this Ready:
//     a vote or a new term must survive a crash once anybody has heard of it.
//  2. Append `entriesToPersist` to the log, after any earlier Ready's entries. The first may
//     have an index at or below the log's last: the log is cut from there first (a follower's
//     conflicting suffix). The write may finish later (group commit); the driver reports it
//     with `persisted`. No message depends on these entries being on disk yet: the core
//     acknowledges an entry (a follower's appendResponse, a leader's own count toward commit)
//     only after `persisted` names it, so a leader writes its disk while followers write theirs
//     (the Raft thesis, 10.2.1). A driver may as well persist entries before sending.
//  3. Send `messagesToSend`, in order.
//  4. Apply `entriesToApply`, in order: they are committed and already on this node's disk.
//  1b. Persist `membershipHistory` (when not null) durably before applying anything of this
//     Ready or storing its snapshot chunk: a restarted node must know the configuration in
//     effect at the state machine's applied index, so the record of a configuration is on
//     disk before the state machine passes its index.
//  5. Store `snapshotChunk` (after the applies handed out before it), then report it with
//     `snapshotStored`. No message depends on it: the core answers the chunk once reported.
//  6. Answer `readStates`: each read may be served once the applies handed out so far (and
//     any after, up to its index) are done.
export interface Ready {
  readonly hardState: HardState | null;
  readonly entriesToPersist: readonly LogEntry[];
  readonly messagesToSend: readonly RaftMessage[];
  readonly entriesToApply: readonly LogEntry[];
  // The index given to a proposal, or null when this node cannot accept it.
  readonly proposedIndex: bigint | null;
  readonly snapshotChunk: SnapshotChunk | null;
  // The configurations this node knows, oldest first, when a new one took effect in this step
  // (a config entry handed out to apply, a snapshot handed out to install): enough to tell the
  // configuration at any index from the log's first on.
  readonly membershipHistory: readonly MembershipRecord[] | null;
  // Answers to readIndex inputs: a read may be served once the state machine has applied
  // through `index`. Null when this node could not get one (no leader known, leadership lost
  // while confirming): the read may be retried.
  readonly readStates: readonly ReadState[];
  // Under RaftCoreConfig.batchAppends: appends are waiting for a `sendAppends` step, which the
  // driver should give once the rest of this turn of its loop has been stepped.
  readonly appendsDue: boolean;
}

export interface ReadState {
  readonly id: bigint;
  readonly index: bigint | null;
}

// A chunk of a leader's snapshot for the driver to store. Chunk 0 starts a snapshot (anything
// stored of another one is discarded); the last one completes it, and storing it means
// installing it: the state machine's state is replaced by the snapshot's (applied through
// `index`, of `term`), and the log store emptied to restart after `index`. The core hands out
// no entry to apply while the last chunk is being stored, and the driver applies everything
// handed out before it first, so the snapshot replaces a state older than itself.
export interface SnapshotChunk {
  readonly leader: number;
  readonly index: bigint;
  readonly term: bigint;
  readonly chunk: number;
  readonly last: boolean;
  readonly data: Uint8Array;
}

// What a leader's driver gives the core to send snapshots from. The core asks for a snapshot
// when a follower needs entries its log no longer holds, then for its chunks one by one as the
// follower acknowledges them; a chunk may be asked again (lost on the way), and a follower may
// be sent a fresh snapshot by `open` at any time, which ends the one it had.
export interface SnapshotSource {
  // Takes a snapshot of the applied state for follower `to` and returns the index and term it
  // is applied through; that index must be at least the log's first index minus one, so that
  // the log goes on from it.
  // The core sends the configuration in effect at that index along.
  open(to: number): { readonly index: bigint; readonly term: bigint };
  // Chunk `chunk` of the snapshot open for `to`: usually the one after the last given, or that
  // one again, but any chunk may be asked (a follower that restarted asks for 0).
  chunk(to: number, chunk: number): { readonly data: Uint8Array; readonly last: boolean };
  // The follower has the snapshot (or no longer needs it): its resources may go.
  close(to: number): void;
}
