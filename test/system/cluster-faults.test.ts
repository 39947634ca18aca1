// Three real node processes under continuous writes and reads from several clients, while the
// leader is killed (-9), a follower is killed, the leader is frozen past an election timeout
// (SIGSTOP/SIGCONT) and stopped cleanly, each brought back; and, on peer links through fault
// proxies, while the leader and then a follower are cut off and healed. Every operation's invocation and
// outcome is recorded; afterwards the history must be linearizable, every acknowledged insert
// must be on every node exactly once, and all nodes must hold the same rows.
import { describe, expect, it } from 'vitest';
import { ClusterProcesses } from './cluster-processes.js';
import { underWorkload } from './cluster-workload.js';
import { sleep } from './node-process.js';

describe('a three-node cluster', () => {
  it('under kill -9 of leader and follower, a frozen leader and a clean stop, stays linearizable and loses no acknowledged write', async () => {
    const cluster = await ClusterProcesses.start(3);
    try {
      await underWorkload(cluster, async () => {
        const first = await cluster.leader();
        await first.kill();
        await sleep(1_500);
        await first.start();
        await sleep(1_000);
        const follower = cluster.nodes.find((node) => node !== first)!;
        await follower.kill();
        await sleep(1_000);
        await follower.start();
        await sleep(1_000);
        const frozen = await cluster.leader();
        frozen.pause();
        await sleep(3_000);
        frozen.resume();
        await sleep(1_000);
        const stopped = await cluster.leader();
        await stopped.stop();
        await sleep(1_000);
        await stopped.start();
      });
    } finally {
      await cluster.stop();
    }
  });

  it('with its leader and then a follower cut off from the others, stays linearizable and loses no acknowledged write', async () => {
    const cluster = await ClusterProcesses.start(3, { partitionable: true });
    try {
      await underWorkload(cluster, async () => {
        const old = await cluster.leader();
        cluster.isolate(old);
        // The other two elect a leader of their own; the cut-off one steps down (CheckQuorum).
        const others = cluster.nodes.filter((node) => node !== old);
        const next = await cluster.leader(15_000, others);
        expect(next).not.toBe(old);
        await sleep(1_500);
        cluster.heal();
        await sleep(1_500);
        const follower = cluster.nodes.find((node) => node !== next)!;
        cluster.isolate(follower);
        await sleep(2_000);
        cluster.heal();
      });
    } finally {
      await cluster.stop();
    }
  });
});
