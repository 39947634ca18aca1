// A follower's router (services/write/request-router.ts), with Raft and the leader stood in
// for: a write it forwarded is answered only once the follower has applied it too (read your
// writes on the node the client talks to), by the lsn that ends the leader's answer, never by
// one inside its rows; an answer without a write to wait for (a failure) goes back at once.
import { describe, expect, it } from 'vitest';
import { lsnOf } from '../../services/storage/lsn.js';
import type { PeerHttpAnswer, PeerHttpClient } from '../../services/write/peer-http-client.js';
import { RequestRouter } from '../../services/write/request-router.js';
import type { LeadershipView } from '../../services/write/request-router.js';

// A follower of node 2 whose applies the test releases by hand.
function follower(): LeadershipView & { readonly waitedFor: bigint[]; apply(): void } {
  const waitedFor: bigint[] = [];
  const releases: (() => void)[] = [];
  return {
    status: { role: 'follower' },
    detail: { leaderId: 2 },
    leaderReady: async () => undefined,
    waitedFor,
    waitApplied(index) {
      waitedFor.push(index);
      return new Promise((resolve) => releases.push(resolve));
    },
    apply: () => releases.splice(0).forEach((release) => release()),
  };
}

function leaderAnswering(answer: PeerHttpAnswer): PeerHttpClient {
  return { send: async () => answer } as unknown as PeerHttpClient;
}

const urls = new Map([[2, 'http://leader.invalid']]);

// Whether the promise has settled after every callback now due has run.
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setTimeout(resolve, 20));
  return done;
}

describe('a forwarded write', () => {
  it('is answered once this node has applied it, by the lsn that ends the answer', async () => {
    const raft = follower();
    // A JSON column in the rows holds an lsn of its own: the answer's is the one after them.
    const body = `{"results":[{"columns":["doc"],"rows":[[{"lsn":"${lsnOf(99n, 0)}"}]],"rows_affected":1,"last_insert_id":null}],"lsn":"${lsnOf(7n, 2)}"}`;
    const router = new RequestRouter(1, raft, urls, 'secret', leaderAnswering({ status: 200, body }));
    const routed = router.route('{"sql":"INSERT INTO t VALUES (1)"}', undefined);
    expect(await settled(routed)).toBe(false);
    expect(raft.waitedFor).toEqual([7n]);
    raft.apply();
    expect(await routed).toEqual({ kind: 'forwarded', status: 200, body });
  });

  it("is answered though this node's wait for its apply fails (a change of term): it has committed", async () => {
    const raft = { ...follower(), waitApplied: () => Promise.reject(new Error('OUTCOME_UNKNOWN: the term changed')) };
    const body = `{"results":[],"lsn":"${lsnOf(7n, 0)}"}`;
    const router = new RequestRouter(1, raft, urls, 'secret', leaderAnswering({ status: 200, body }));
    expect(await router.route('{"sql":"INSERT INTO t VALUES (1)"}', undefined)).toEqual({ kind: 'forwarded', status: 200, body });
  });

  it('that failed is answered at once, with nothing to wait for', async () => {
    const raft = follower();
    const body = '{"error":{"code":"DUPLICATE_KEY","message":"duplicate"}}';
    const router = new RequestRouter(1, raft, urls, 'secret', leaderAnswering({ status: 409, body }));
    expect(await router.route('{"sql":"INSERT INTO t VALUES (1)"}', undefined)).toEqual({ kind: 'forwarded', status: 409, body });
    expect(raft.waitedFor).toEqual([]);
  });
});
