// What the node simulation asks a leader to do to its configuration or its leadership, drawn
// from the configuration the leader holds: add a node that joins empty as a learner, promote a
// learner, remove a member (the leader included), or hand leadership to another voter. A
// replacement is an add, a promote and a remove in turn. Node ids are never used twice (etcd's
// rule): a removed node's disk holds a log of a membership it is no longer in.
import type { ConfigChange, Membership } from '../../services/raft/core/membership.js';

export type MembershipEvent =
  | { readonly kind: 'change'; readonly change: ConfigChange }
  // A node that does not exist yet joins, then is added as a learner.
  | { readonly kind: 'join'; readonly id: number }
  | { readonly kind: 'transfer'; readonly to: number };

export interface MembershipChoice {
  readonly membership: Membership;
  readonly leader: number;
  // The next unused node id, and whether the simulation may start one more node.
  readonly nextId: number;
  readonly mayStartNode: boolean;
  // Nodes started to join that the configuration does not hold yet (a refused add).
  readonly waitingToJoin: readonly number[];
}

export function chooseMembershipEvent(random: () => number, choice: MembershipChoice): MembershipEvent | null {
  const { membership, leader } = choice;
  const voters = membership.members.filter((member) => member.role === 'voter').map((member) => member.id);
  const learners = membership.members.filter((member) => member.role === 'learner').map((member) => member.id);
  const pick = (ids: readonly number[]): number | undefined => ids[Math.floor(random() * ids.length)];
  // A learner waiting to be promoted is asked about more often than the rest: it is promoted
  // only once caught up, which faults often delay past one asking.
  const roll = learners.length > 0 && random() < 0.5 ? 0.5 : random();
  if (roll < 0.35) {
    const waiting = pick(choice.waitingToJoin);
    if (waiting !== undefined) return { kind: 'change', change: { kind: 'addLearner', id: waiting, peer: '', http: '' } };
    return choice.mayStartNode ? { kind: 'join', id: choice.nextId } : null;
  }
  if (roll < 0.7) {
    const learner = pick(learners);
    return learner === undefined ? null : { kind: 'change', change: { kind: 'promote', id: learner } };
  }
  if (roll < 0.88) {
    // Keep at least two voters: the mix should change configurations, not shrink the cluster
    // to one node whose crash stops it.
    const removable = voters.length > 2 ? [...voters, ...learners] : learners;
    const id = pick(removable);
    return id === undefined ? null : { kind: 'change', change: { kind: 'remove', id } };
  }
  const to = pick(voters.filter((id) => id !== leader));
  return to === undefined ? null : { kind: 'transfer', to };
}
