// Where the members are, from the configuration the cluster keeps (raft/core/membership.ts)
// and the start flags: the configuration carries each member's addresses; a member it names
// without them (the first voters, which the flags list) takes them from the flags. A node that
// knows no configuration yet (joining) admits the nodes of --peers, so the leader can reach it.
import type { ClusterConfig } from './config.js';
import type { Membership } from './raft/core/membership.js';

// The configuration a new cluster starts with: every node of --peers a voter.
export function membersFromFlags(cluster: ClusterConfig): Membership {
  const ids = [...cluster.peers.keys()].sort((a, b) => a - b);
  return { members: ids.map((id) => ({ id, role: 'voter' as const, peer: cluster.peers.get(id)!, http: cluster.httpUrls.get(id) ?? '' })) };
}

export interface MemberAddresses {
  // Peer links (this node's own included, as the transport expects) and HTTP base URLs.
  readonly peers: Map<number, string>;
  readonly httpUrls: Map<number, string>;
}

export function addressesOf(membership: Membership, nodeId: number, cluster: ClusterConfig): MemberAddresses {
  if (membership.members.length === 0) return { peers: new Map(cluster.peers), httpUrls: new Map(cluster.httpUrls) };
  const peers = new Map<number, string>([[nodeId, cluster.peers.get(nodeId)!]]);
  const httpUrls = new Map<number, string>();
  for (const member of membership.members) {
    const peer = member.peer || cluster.peers.get(member.id);
    const http = member.http || cluster.httpUrls.get(member.id);
    if (peer !== undefined && member.id !== nodeId) peers.set(member.id, peer);
    if (http !== undefined) httpUrls.set(member.id, http);
  }
  return { peers, httpUrls };
}
