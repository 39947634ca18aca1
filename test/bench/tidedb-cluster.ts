// A three-node TideDB cluster on loopback, as the system measured beside etcd: node processes
// from dist/services/main.js with fresh data dirs under a given directory, the leader found
// through GET /v1/cluster, SQL sent over one keep-alive agent to a chosen node, and stopped.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePort, keepStderrTail, post, readyOrStopped, stopChild, track } from './bench-process.js';
import { tideSql } from './tidedb-sql.js';
import type { TideConsistency, TideResult } from './tidedb-sql.js';

interface Member {
  readonly id: number;
  readonly httpPort: number;
  readonly child: ChildProcess;
  stderrTail: string;
}

interface ClusterView {
  readonly role?: string;
  readonly leader_id?: number | null;
}

const startTimeoutMs = 30_000;

export class TideCluster {
  private constructor(
    private readonly members: readonly Member[],
    // One keep-alive agent for every writer, as the etcd cluster gets.
    private readonly agent: Agent,
    private leaderId: number,
  ) {}

  // Starts `size` nodes with fresh data dirs under `dir` and waits until all name one leader.
  // `nodeFlags` go to node itself (e.g. --cpu-prof), before the script; `tideFlags` to every
  // TideDB node after it (e.g. --lease-reads true).
  static async start(root: string, dir: string, size: number, clients: number, nodeFlags: readonly string[], tideFlags: readonly string[] = []): Promise<TideCluster> {
    const ids = Array.from({ length: size }, (_, at) => at + 1);
    const httpPorts = await Promise.all(ids.map(() => freePort()));
    const peerPorts = await Promise.all(ids.map(() => freePort()));
    const peers = ids.map((id, at) => `${id}=127.0.0.1:${peerPorts[at]}`).join(',');
    const peerHttp = ids.map((id, at) => `${id}=http://127.0.0.1:${httpPorts[at]}`).join(',');
    const secret = randomBytes(16).toString('hex');
    const members = ids.map((id, at): Member => {
      const dataDir = join(dir, `node-${id}`);
      mkdirSync(dataDir, { recursive: true });
      const args = [...nodeFlags, join(root, 'dist/services/main.js'), '--node-id', String(id), '--port', String(httpPorts[at]), '--data-dir', dataDir, '--peers', peers, '--peer-http', peerHttp, '--cluster-secret', secret, '--log-level', 'warn', '--mysql-port', 'off', ...tideFlags];
      const child = track(spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] }));
      const member: Member = { id, httpPort: httpPorts[at]!, child, stderrTail: '' };
      keepStderrTail(child, member);
      return member;
    });
    const cluster = new TideCluster(members, new Agent({ keepAlive: true, maxSockets: clients }), 0);
    cluster.leaderId = await readyOrStopped(() => cluster.waitForLeader(), () => cluster.stop());
    return cluster;
  }

  private async waitForLeader(): Promise<number> {
    const deadline = performance.now() + startTimeoutMs;
    while (performance.now() < deadline) {
      for (const member of this.members) {
        if (member.child.exitCode !== null) throw new Error(`tidedb node ${member.id} exited with ${member.child.exitCode}: ${member.stderrTail}`);
      }
      try {
        const views = await Promise.all(this.members.map(async (member) => {
          const { status, text } = await post(this.agent, member.httpPort, '/v1/cluster', null);
          return status === 200 ? (JSON.parse(text) as ClusterView) : null;
        }));
        const leaderId = views[0]?.leader_id;
        // Every node must be up and agree, or the first writes would meet an election.
        if (typeof leaderId === 'number' && views.every((view) => view?.leader_id === leaderId) && views[leaderId - 1]?.role === 'leader') return leaderId;
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`tidedb elected no leader within ${startTimeoutMs} ms: ${this.members.map((m) => m.stderrTail).join('\n')}`);
  }

  // The leader's HTTP port, or a follower's: a follower forwards each write to the leader.
  port(via: 'leader' | 'follower'): number {
    const member = this.members.find((m) => (via === 'leader') === (m.id === this.leaderId));
    if (member === undefined) throw new Error(`no ${via} in a cluster of ${this.members.length}`);
    return member.httpPort;
  }

  // Every follower's HTTP port, for load spread over the followers.
  followerPorts(): number[] {
    return this.members.filter((m) => m.id !== this.leaderId).map((m) => m.httpPort);
  }

  // Whether the leader found at start still leads, as the first node it asks sees it: a read
  // benchmark sends its leader variants to that node, and after an election they would be
  // follower reads without a word.
  async sameLeader(): Promise<boolean> {
    const { status, text } = await post(this.agent, this.port('leader'), '/v1/cluster', null);
    return status === 200 && (JSON.parse(text) as ClusterView).role === 'leader';
  }

  // The process id of the leader, to find its CPU profile (named after it) once stopped.
  leaderPid(): number | undefined {
    return this.members.find((m) => m.id === this.leaderId)?.child.pid;
  }

  // One statement to a node; a write answers once committed by a quorum and applied, a read
  // at the consistency asked (linearizable when not given, as the node's default).
  sql(port: number, sql: string, params: readonly (string | number)[], consistency?: TideConsistency): Promise<TideResult> {
    return tideSql(this.agent, port, sql, params, consistency);
  }

  // SIGTERM lets each node close its log and LMDB (and write its CPU profile); SIGKILL if slow.
  async stop(): Promise<void> {
    this.agent.destroy();
    await Promise.all(this.members.map((member) => stopChild(member.child, 5000)));
  }
}
