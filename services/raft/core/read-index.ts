// ReadIndex (the Raft thesis, 6.4; etcd's readOnly): a linearizable read without a log entry.
// The leader notes its commit index when a read asks, then proves it was still the leader
// after that moment by a round of heartbeats a quorum answers; once proven, every write
// acknowledged before the read began is at or below the noted index, so the read may be
// served from any state machine applied that far — the leader's, or a follower's that asked
// the leader for the index.
//
// Rounds are numbered; every heartbeat carries the newest round and every answer echoes the
// round of the heartbeat it answers, so an answer to round r proves leadership after every
// round up to r was opened. A read waits for the round opened for it, or a later one.
//
// Pure bookkeeping, like the rest of the core: the core opens rounds, feeds answers, and turns
// what `confirmed` releases into read states or messages.
import { assert } from '../../base/assert.js';

// Who asked: this node's driver (`from` null), or the follower `from`, each with the driver's id.
export interface ReadRequest {
  readonly from: number | null;
  readonly id: bigint;
}

interface Round {
  readonly round: bigint;
  // The leader's commit index when the round opened.
  readonly index: bigint;
  readonly requests: ReadRequest[];
}

export class LeaderReads {
  // The newest round opened; heartbeats carry it. Rounds go on across terms (a new leader's
  // are all above any answer of an older term still on the way, which the core ignores anyway).
  private newestRound = 0n;
  private readonly rounds: Round[] = [];
  // Reads that came before this leader committed an entry of its term: its commit index may
  // still be below what the previous leader acknowledged, so none is noted until it has.
  private readonly beforeTermCommit: ReadRequest[] = [];
  // The newest round each voter answered in this term.
  private readonly answered = new Map<number, bigint>();

  get round(): bigint {
    return this.newestRound;
  }

  // Waits for this term's first commit before a round can be opened for it.
  hold(request: ReadRequest): void {
    this.beforeTermCommit.push(request);
  }

  // Opens a round for `requests` at commit index `index`, returning its number, which the
  // leader's next heartbeats carry.
  open(index: bigint, requests: readonly ReadRequest[]): bigint {
    assert(requests.length > 0);
    const last = this.rounds.at(-1);
    assert(last === undefined || last.index <= index, 'a read round below an earlier one');
    this.newestRound++;
    this.rounds.push({ round: this.newestRound, index, requests: [...requests] });
    return this.newestRound;
  }

  // The reads held for the term's first commit, handed over once (to open a round for).
  takeHeld(): ReadRequest[] {
    return this.beforeTermCommit.splice(0);
  }

  answer(voter: number, round: bigint): void {
    if (round > (this.answered.get(voter) ?? 0n)) this.answered.set(voter, round);
  }

  // The rounds a quorum has answered (the leader counting itself), oldest first, removed.
  confirmed(leader: number, voters: readonly number[], quorum: number): Round[] {
    const rounds = voters.map((id) => (id === leader ? this.newestRound : (this.answered.get(id) ?? 0n)));
    rounds.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
    const quorumRound = rounds[quorum - 1] ?? 0n;
    let count = 0;
    while (count < this.rounds.length && this.rounds[count]!.round <= quorumRound) count++;
    return this.rounds.splice(0, count);
  }

  // Leadership ended: every read waiting here is answered with a refusal by the caller.
  drain(): ReadRequest[] {
    const requests = [...this.beforeTermCommit.splice(0), ...this.rounds.splice(0).flatMap((round) => round.requests)];
    this.answered.clear();
    return requests;
  }
}
