// Who is in the cluster: voters, which elect and whose acknowledgements count toward commit,
// and learners, which are replicated to but count for nothing until promoted. Each member
// carries its peer-link address and HTTP address; the core never looks at them, but they
// travel with the configuration (in the log, in snapshots, in the persisted history), so a
// node that joins or restarts learns where everyone is from the configuration itself.
//
// Changes are one server at a time (the Raft thesis, 4.1; etcd's ConfChange v1): add a
// learner, add a voter, promote a learner, remove a member. Any two configurations one such
// change apart have overlapping majorities, so a configuration takes effect without a joint
// phase. It takes effect on each node when the entry is applied (as etcd), and a leader
// proposes a change only when no other is pending (proposed but not yet applied by it) and it
// has applied its own term's first entry (the fix for the thesis's single-server bug: a new
// leader must commit in its term before changing the configuration).
import { assert } from '../../base/assert.js';

export type MemberRole = 'voter' | 'learner';

export interface Member {
  readonly id: number;
  readonly role: MemberRole;
  // host:port of the peer link, and the HTTP base URL; '' when not known (tests).
  readonly peer: string;
  readonly http: string;
}

export interface Membership {
  // Sorted by id.
  readonly members: readonly Member[];
}

export type ConfigChange =
  | { readonly kind: 'addLearner' | 'addVoter'; readonly id: number; readonly peer: string; readonly http: string }
  | { readonly kind: 'promote' | 'remove'; readonly id: number };

// A configuration and the log index of the entry that made it (0 for the one a cluster
// started with, or the snapshot's index for one a snapshot brought).
export interface MembershipRecord {
  readonly index: bigint;
  readonly membership: Membership;
}

export function membershipOf(voters: readonly number[], learners: readonly number[] = []): Membership {
  const members = [...voters.map((id) => ({ id, role: 'voter' as const, peer: '', http: '' })), ...learners.map((id) => ({ id, role: 'learner' as const, peer: '', http: '' }))];
  return { members: members.sort((a, b) => a.id - b.id) };
}

export function votersOf(membership: Membership): number[] {
  return membership.members.filter((member) => member.role === 'voter').map((member) => member.id);
}

export function roleOf(membership: Membership, id: number): MemberRole | null {
  return membership.members.find((member) => member.id === id)?.role ?? null;
}

// Why a change cannot apply to `membership`, or null when it can. Checked by the leader before
// it proposes, so that every change in the log is valid for the configuration it applies to.
export function changeRefusal(membership: Membership, change: ConfigChange): 'already-member' | 'not-member' | 'not-learner' | 'last-voter' | null {
  const role = roleOf(membership, change.id);
  switch (change.kind) {
    case 'addLearner':
    case 'addVoter':
      return role === null ? null : 'already-member';
    case 'promote':
      if (role === null) return 'not-member';
      return role === 'learner' ? null : 'not-learner';
    case 'remove':
      if (role === null) return 'not-member';
      return role === 'voter' && votersOf(membership).length === 1 ? 'last-voter' : null;
  }
}

export function applyChange(membership: Membership, change: ConfigChange): Membership {
  assert(changeRefusal(membership, change) === null, `a configuration change that cannot apply: ${change.kind} ${change.id}`);
  const others = membership.members.filter((member) => member.id !== change.id);
  switch (change.kind) {
    case 'addLearner':
    case 'addVoter': {
      const added: Member = { id: change.id, role: change.kind === 'addVoter' ? 'voter' : 'learner', peer: change.peer, http: change.http };
      return { members: [...others, added].sort((a, b) => a.id - b.id) };
    }
    case 'promote': {
      const learner = membership.members.find((member) => member.id === change.id)!;
      return { members: [...others, { ...learner, role: 'voter' as const }].sort((a, b) => a.id - b.id) };
    }
    case 'remove':
      return { members: others };
  }
}

// A change as a config entry's data: JSON, since it is rare and small and the addresses are text.
export function encodeChange(change: ConfigChange): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(change));
}

// Entries come from this cluster's own log, so a malformed one is a fatal fault, not input.
export function decodeChange(data: Uint8Array): ConfigChange {
  const raw = JSON.parse(new TextDecoder().decode(data)) as Record<string, unknown>;
  const { kind, id } = raw;
  assert(typeof id === 'number' && Number.isInteger(id) && id > 0, 'a config entry without a member id');
  if (kind === 'promote' || kind === 'remove') return { kind, id };
  assert(kind === 'addLearner' || kind === 'addVoter', 'a config entry of an unknown kind');
  const { peer, http } = raw;
  assert(typeof peer === 'string' && typeof http === 'string', 'a config entry without addresses');
  return { kind, id, peer, http };
}

// The configuration in effect at `index`: the last record at or before it. Records are in
// index order; the first is at or before every index asked about.
export function membershipAt(history: readonly MembershipRecord[], index: bigint): Membership {
  let found: Membership | null = null;
  for (const record of history) if (record.index <= index) found = record.membership;
  assert(found !== null, 'no configuration known at this index');
  return found;
}

// Keeps the records still needed to answer for any index at or after `index`.
export function historyFrom(history: readonly MembershipRecord[], index: bigint): MembershipRecord[] {
  let keepFrom = 0;
  for (const [at, record] of history.entries()) if (record.index <= index) keepFrom = at;
  return history.slice(keepFrom);
}
