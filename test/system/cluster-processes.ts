// A cluster of real node processes for system tests: N nodes on free ports, each a NodeProcess
// started with the peer flags of all, and helpers to find the leader and wait until every node
// has applied the same entries.
import { NodeProcess, freePort, sleep, temporaryDir } from './node-process.js';

export class ClusterProcesses {
  private constructor(
    readonly nodes: readonly NodeProcess[],
    private readonly removeDirs: () => void,
  ) {}

  // `extraArgs` go to every node (e.g. a small Raft segment size).
  static async start(size: number, extraArgs: readonly string[] = []): Promise<ClusterProcesses> {
    const ids = Array.from({ length: size }, (_, at) => at + 1);
    const httpPorts = await Promise.all(ids.map(() => freePort()));
    const peerPorts = await Promise.all(ids.map(() => freePort()));
    const dirs = ids.map(() => temporaryDir('cluster'));
    const peers = ids.map((id, at) => `${id}=127.0.0.1:${peerPorts[at]}`).join(',');
    const http = ids.map((id, at) => `${id}=http://127.0.0.1:${httpPorts[at]}`).join(',');
    const nodes = ids.map((id, at) => new NodeProcess(dirs[at]!.path, httpPorts[at]!, ['--node-id', String(id), '--peers', peers, '--peer-http', http, '--cluster-secret', 'cluster-test-secret-0123', ...extraArgs]));
    const cluster = new ClusterProcesses(nodes, () => dirs.forEach((dir) => dir.remove()));
    await Promise.all(nodes.map((node) => node.start()));
    await cluster.leader();
    return cluster;
  }

  // The node every live node names as leader, waiting (bounded) until they agree on one.
  async leader(timeoutMs = 15_000): Promise<NodeProcess> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const views = await Promise.all(this.nodes.map((node) => clusterView(node)));
      const leaders = new Set(views.filter((view) => view !== null).map((view) => view.leader_id));
      const [leaderId] = leaders;
      if (leaders.size === 1 && typeof leaderId === 'number' && views[leaderId - 1]?.role === 'leader') return this.nodes[leaderId - 1]!;
      await sleep(100);
    }
    throw new Error('the cluster agreed on no leader in time');
  }

  // Waits until every node reports the same applied index (no writes may run meanwhile).
  async converged(timeoutMs = 20_000): Promise<bigint> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const views = await Promise.all(this.nodes.map((node) => clusterView(node)));
      const applied = new Set(views.map((view) => (view === null ? null : String(view.applied_index))));
      const commits = new Set(views.map((view) => (view === null ? null : String(view.commit_index))));
      if (applied.size === 1 && !applied.has(null) && commits.size === 1 && [...applied][0] === [...commits][0]) return BigInt([...applied][0]!);
      if (Date.now() > deadline) throw new Error(`nodes did not converge: ${JSON.stringify(views)}`);
      await sleep(100);
    }
  }

  async stop(): Promise<void> {
    for (const node of this.nodes) {
      node.resume();
      await node.stop();
    }
    this.removeDirs();
  }
}

export interface ClusterView {
  readonly role: string;
  readonly leader_id: number | null;
  readonly applied_index: number;
  readonly commit_index: number;
}

async function clusterView(node: NodeProcess): Promise<ClusterView | null> {
  try {
    const response = await fetch(`${node.url}/v1/cluster`, { signal: AbortSignal.timeout(1_000) });
    return (await response.json()) as ClusterView;
  } catch {
    return null;
  }
}
