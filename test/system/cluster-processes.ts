// A cluster of real node processes for system tests: N nodes on free ports, each a NodeProcess
// started with the peer flags of all, and helpers to find the leader and wait until every node
// has applied the same entries.
import { FaultProxy } from '../support/fault-proxy.js';
import { NodeProcess, freePort, sleep, temporaryDir, testPortsLow } from './node-process.js';

// Every node's --cluster-secret; tests that sign a forwarded identity use it too.
export const clusterSecret = 'cluster-test-secret-0123';

export interface ClusterOptions {
  // Peer links through a fault proxy per ordered pair of nodes (a's link to b goes through its
  // own proxy), so a test can cut any node off, both ways, and heal it.
  readonly partitionable?: boolean;
  // Flags every node gets too (e.g. a small Raft segment size).
  readonly extraArgs?: readonly string[];
  // The first of 2 × size consecutive ports to use (HTTP ports, then peer ports), for a test
  // given a range of its own; free ports the system picks otherwise.
  readonly firstPort?: number;
  // Flags of node `id` alone (e.g. its MySQL port), after the shared ones.
  readonly nodeArgs?: (id: number) => readonly string[];
  // HTTPS on every node's HTTP port (--tls-cert, --tls-key) with https:// --peer-http URLs,
  // forwarding trusting the CA (--tls-ca).
  readonly https?: { readonly certFile: string; readonly keyFile: string; readonly caFile: string; readonly ca: Buffer };
}

export class ClusterProcesses {
  private constructor(
    // Node n is nodes[n - 1]; a node that joins later is appended.
    readonly nodes: NodeProcess[],
    private removeDirs: () => void,
    // proxies[a][b]: node a's link to node b (0-based), when partitionable.
    private readonly proxies: readonly (readonly (FaultProxy | null)[])[] | null,
    // What a node that joins later needs: every node's peer address and HTTP URL, the flags.
    private readonly joinFlags: { readonly peers: string[]; readonly http: string[]; readonly extraArgs: readonly string[] },
  ) {}

  // Starts node `nodes.length + 1` from an empty data dir with --join (no proxies): it waits,
  // a learner of no configuration, for the leader to add it (POST /v1/cluster/members).
  async startJoining(): Promise<{ node: NodeProcess; peer: string; http: string }> {
    const id = this.nodes.length + 1;
    const [httpPort, peerPort] = [await freePort(), await freePort()];
    const dir = temporaryDir('cluster');
    const previousRemove = this.removeDirs;
    this.removeDirs = () => {
      previousRemove();
      dir.remove();
    };
    const peer = `127.0.0.1:${peerPort}`;
    const http = `http://127.0.0.1:${httpPort}`;
    const peers = [...this.joinFlags.peers, `${id}=${peer}`].join(',');
    const urls = [...this.joinFlags.http, `${id}=${http}`].join(',');
    const args = ['--node-id', String(id), '--peers', peers, '--peer-http', urls, '--cluster-secret', clusterSecret, '--join', 'true', ...this.joinFlags.extraArgs];
    const node = new NodeProcess(dir.path, httpPort, args);
    this.nodes.push(node);
    await node.start();
    return { node, peer, http };
  }

  static async start(size: number, options: ClusterOptions = {}): Promise<ClusterProcesses> {
    const ids = Array.from({ length: size }, (_, at) => at + 1);
    const { firstPort } = options;
    // A fixed range inside the one freePort draws from could be handed to another test too.
    if (firstPort !== undefined && firstPort + 2 * size > testPortsLow) throw new Error(`fixed ports must end below ${testPortsLow}, where freePort draws`);
    const httpPorts = firstPort === undefined ? await Promise.all(ids.map(() => freePort())) : ids.map((_, at) => firstPort + at);
    const peerPorts = firstPort === undefined ? await Promise.all(ids.map(() => freePort())) : ids.map((_, at) => firstPort + size + at);
    const dirs = ids.map(() => temporaryDir('cluster'));
    const proxies =
      options.partitionable === true
        ? await Promise.all(ids.map((_, from) => Promise.all(ids.map((_, to) => (from === to ? null : FaultProxy.start({ targetHost: '127.0.0.1', targetPort: peerPorts[to]! }))))))
        : null;
    const peerAddress = (from: number, to: number): string => `127.0.0.1:${proxies?.[from]?.[to]?.port ?? peerPorts[to]}`;
    const { https } = options;
    const scheme = https === undefined ? 'http' : 'https';
    const tlsArgs = https === undefined ? [] : ['--tls-cert', https.certFile, '--tls-key', https.keyFile, '--tls-ca', https.caFile];
    const http = ids.map((id, at) => `${id}=${scheme}://127.0.0.1:${httpPorts[at]}`).join(',');
    const nodes = ids.map((id, from) => {
      const peers = ids.map((peer, to) => `${peer}=${peerAddress(from, to)}`).join(',');
      const args = ['--node-id', String(id), '--peers', peers, '--peer-listen', `127.0.0.1:${peerPorts[from]}`, '--peer-http', http, '--cluster-secret', clusterSecret, ...tlsArgs, ...(options.extraArgs ?? []), ...(options.nodeArgs?.(id) ?? [])];
      return new NodeProcess(dirs[from]!.path, httpPorts[from]!, args, https);
    });
    const joinFlags = { peers: ids.map((id, at) => `${id}=127.0.0.1:${peerPorts[at]}`), http: ids.map((id, at) => `${id}=http://127.0.0.1:${httpPorts[at]}`), extraArgs: options.extraArgs ?? [] };
    const cluster = new ClusterProcesses(nodes, () => dirs.forEach((dir) => dir.remove()), proxies, joinFlags);
    await Promise.all(nodes.map((node) => node.start()));
    await cluster.leader();
    return cluster;
  }

  // Cuts `node` off from every other node, both ways (its HTTP port stays reachable).
  isolate(node: NodeProcess): void {
    const at = this.nodes.indexOf(node);
    for (const [from, row] of (this.proxies ?? []).entries()) {
      for (const [to, proxy] of row.entries()) if (from === at || to === at) proxy?.drop();
    }
  }

  heal(): void {
    for (const row of this.proxies ?? []) for (const proxy of row) proxy?.heal();
  }

  // The node every live node names as leader, waiting (bounded) until they agree on one.
  async leader(timeoutMs = 15_000, among: readonly NodeProcess[] = this.nodes): Promise<NodeProcess> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const views = await Promise.all(this.nodes.map((node) => (among.includes(node) ? clusterView(node) : Promise.resolve(null))));
      const leaders = new Set(views.filter((view) => view !== null).map((view) => view.leader_id));
      const [leaderId] = leaders;
      if (leaders.size === 1 && typeof leaderId === 'number' && views[leaderId - 1]?.role === 'leader') return this.nodes[leaderId - 1]!;
      await sleep(100);
    }
    throw new Error('the cluster agreed on no leader in time');
  }

  // Waits until every node (of `among`) reports the same applied index (no writes may run
  // meanwhile).
  async converged(timeoutMs = 20_000, among: readonly NodeProcess[] = this.nodes): Promise<bigint> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const views = await Promise.all(among.map((node) => clusterView(node)));
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
    for (const row of this.proxies ?? []) for (const proxy of row) await proxy?.close();
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
    const response = await node.fetch(`${node.url}/v1/cluster`, { signal: AbortSignal.timeout(1_000) });
    return (await response.json()) as ClusterView;
  } catch {
    return null;
  }
}
