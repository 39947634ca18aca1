// A leadership transfer's answer (services/cluster-admin.ts), with the Raft node stood in for: the
// old leader steps down before it learns who won (the target's vote request carries the higher
// term, the new leader's first append comes later), so "the leader is unknown" right after
// stepping down is not yet a failure; another node leading, or no leader by the deadline, is.
import { describe, expect, it } from 'vitest';
import { ClusterAdmin } from '../services/cluster-admin.js';
import type { RaftNode } from '../services/raft/node/raft-node.js';
import type { RequestRouter } from '../services/write/request-router.js';

// A node that steps down at once and learns the new leader `learnAfterMs` later.
function steppingDown(newLeader: number | null, learnAfterMs: number): RaftNode {
  const detail: { leaderId: number | null } = { leaderId: 1 };
  return {
    detail,
    transferLeadership: async () => {
      detail.leaderId = null;
      if (newLeader !== null) setTimeout(() => (detail.leaderId = newLeader), learnAfterMs);
    },
  } as unknown as RaftNode;
}

const servedHere = { route: async () => ({ kind: 'local' }) } as unknown as RequestRouter;

describe('a leadership transfer', () => {
  it('answers once the target is known to lead, though the node first stepped down not knowing who won', async () => {
    const admin = new ClusterAdmin(steppingDown(2, 60), servedHere, 1_000);
    const answer = await admin.run({ kind: 'transfer', id: 2 }, undefined, undefined);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ leader_id: 2 });
  });

  it('fails when another node took over, and when no leader is known by the deadline', async () => {
    await expect(new ClusterAdmin(steppingDown(3, 20), servedHere, 500).run({ kind: 'transfer', id: 2 }, undefined, undefined)).rejects.toMatchObject({ code: 'LEADER_TRANSFER_FAILED', message: expect.stringContaining('the leader is 3') });
    await expect(new ClusterAdmin(steppingDown(null, 0), servedHere, 200).run({ kind: 'transfer', id: 2 }, undefined, undefined)).rejects.toMatchObject({ code: 'LEADER_TRANSFER_FAILED', message: expect.stringContaining('the leader is unknown') });
  });
});
