// GET /v1/cluster's answer: the cluster as this node sees it. Only the leader knows how far
// each follower is; a follower reports its own indexes and who it takes for the leader.
import type { ClusterConfig } from './config.js';
import type { RaftStatus } from './raft/core/raft-core.js';

// `snapshots`: how many this node opened for followers and installed from a leader.
export function clusterStatus(nodeId: number, cluster: ClusterConfig | null, raft: RaftStatus, snapshots?: { readonly sent: number; readonly installed: number }): Record<string, unknown> {
  // The configuration the cluster keeps (learners too); a single node is its own only voter.
  const members = cluster === null ? [{ id: nodeId, role: 'voter' as const, peer: '', http: '' }] : raft.membership.members;
  const progress = new Map(raft.followers.map((follower) => [follower.id, follower]));
  return {
    node_id: nodeId,
    cluster_id: cluster?.clusterId ?? null,
    role: raft.role,
    term: raft.term,
    leader_id: raft.leaderId,
    commit_index: raft.commitIndex,
    applied_index: raft.appliedIndex,
    last_index: raft.lastIndex,
    ...(snapshots === undefined ? {} : { snapshots_sent: snapshots.sent, snapshots_installed: snapshots.installed }),
    // As leader: the voter leadership is being handed to, if any.
    transferring_to: raft.transferringTo,
    members: members.map(({ id, role, peer, http }) => {
      const follower = progress.get(id);
      return {
        id,
        peer_address: (peer || cluster?.peers.get(id)) ?? null,
        http_url: (http || cluster?.httpUrls.get(id)) ?? null,
        role: id === raft.leaderId ? 'leader' : role === 'learner' ? 'learner' : 'follower',
        voter: role === 'voter',
        // As the leader sees it: the follower's log matches through match_index; lag counts
        // the entries it still lacks. Null on a follower, which does not know. `snapshot` is the
        // snapshot being sent to it (its index, and the chunk it wants next), if any.
        ...(raft.role === 'leader' && id !== nodeId
          ? {
              match_index: follower?.match ?? 0n,
              lag_entries: raft.lastIndex - (follower?.match ?? 0n),
              replication: follower?.state ?? null,
              snapshot: follower?.snapshot == null ? null : { index: follower.snapshot.index, next_chunk: follower.snapshot.nextChunk },
            }
          : {}),
      };
    }),
  };
}
