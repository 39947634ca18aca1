// A three-member etcd cluster on loopback, as a peer to measure TideDB's Raft against: started
// from the Debian `etcd-server` binary with its data dirs under a given directory, written to
// through etcd's v3 HTTP/JSON gateway (puts to the leader, ranges to any member), and stopped.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePort, keepStderrTail, post, readyOrStopped, stopChild, track } from './bench-process.js';

export const etcdInstallHint = 'apt-get install -y etcd-server';

// The installed version ("3.4.23"), or null when there is no etcd on the PATH.
export function etcdVersion(): string | null {
  const result = spawnSync('etcd', ['--version'], { encoding: 'utf8' });
  if (result.error !== undefined || result.status !== 0) return null;
  return /etcd Version:\s*(\S+)/.exec(result.stdout)?.[1] ?? 'unknown';
}

// The installed version when the benchmark runs etcd, null when it does not (--no-etcd). A
// benchmark that wants etcd and finds none says how to install it and exits.
export function etcdVersionIfWanted(wanted: boolean): string | null {
  if (!wanted) return etcdVersion();
  const version = etcdVersion();
  if (version !== null) return version;
  process.stderr.write(`etcd is not installed; on Debian: ${etcdInstallHint} (or pass --no-etcd)\n`);
  process.exit(1);
}

interface Member {
  readonly name: string;
  readonly clientPort: number;
  readonly peerPort: number;
  child: ChildProcess | null;
  stderrTail: string;
}

const startTimeoutMs = 30_000;

export class EtcdCluster {
  private constructor(
    private readonly members: readonly Member[],
    // One keep-alive agent for every writer: at most `clients` sockets, reused across puts.
    private readonly agent: Agent,
    private leaderPort: number,
  ) {}

  // Starts `size` members with fresh data dirs under `dir` and waits until they elect a leader.
  static async start(dir: string, size: number, clients: number): Promise<EtcdCluster> {
    const members: Member[] = [];
    for (let i = 1; i <= size; i++) members.push({ name: `m${i}`, clientPort: await freePort(), peerPort: await freePort(), child: null, stderrTail: '' });
    const initialCluster = members.map((m) => `${m.name}=http://127.0.0.1:${m.peerPort}`).join(',');
    for (const member of members) {
      const dataDir = join(dir, member.name);
      mkdirSync(dataDir, { recursive: true });
      const child = spawn('etcd', [
        '--name', member.name,
        '--data-dir', dataDir,
        '--listen-client-urls', `http://127.0.0.1:${member.clientPort}`,
        '--advertise-client-urls', `http://127.0.0.1:${member.clientPort}`,
        '--listen-peer-urls', `http://127.0.0.1:${member.peerPort}`,
        '--initial-advertise-peer-urls', `http://127.0.0.1:${member.peerPort}`,
        '--initial-cluster', initialCluster,
        '--initial-cluster-state', 'new',
        '--initial-cluster-token', 'tidedb-bench',
        '--logger', 'zap',
        '--log-level', 'warn',
      ], { stdio: ['ignore', 'ignore', 'pipe'] });
      track(child);
      keepStderrTail(child, member);
      member.child = child;
    }
    const cluster = new EtcdCluster(members, new Agent({ keepAlive: true, maxSockets: clients }), 0);
    cluster.leaderPort = await readyOrStopped(() => cluster.waitForLeader(), () => cluster.stop());
    return cluster;
  }

  // Writers go to the leader, as etcd's own benchmark does for puts: a follower would forward
  // each proposal to it, adding a hop that says nothing about consensus.
  private async waitForLeader(): Promise<number> {
    const deadline = performance.now() + startTimeoutMs;
    while (performance.now() < deadline) {
      for (const member of this.members) {
        const exitCode = member.child?.exitCode ?? null;
        if (exitCode !== null) throw new Error(`etcd ${member.name} exited with ${exitCode}: ${member.stderrTail}`);
      }
      try {
        const statuses = await Promise.all(this.members.map(async (member) => {
          const { status, text } = await post(this.agent, member.clientPort, '/v3/maintenance/status', '{}');
          if (status !== 200) return null;
          const body = JSON.parse(text) as { header?: { member_id?: string }; leader?: string };
          return { port: member.clientPort, memberId: body.header?.member_id, leader: body.leader };
        }));
        const leader = statuses.find((s) => s !== null && s.leader !== undefined && s.leader !== '0' && s.memberId === s.leader) ?? null;
        // Every member must be up and agree, or the first writes would meet an election.
        if (leader !== null && statuses.every((s) => s !== null && s.leader === leader.leader)) return leader.port;
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`etcd elected no leader within ${startTimeoutMs} ms: ${this.members.map((m) => m.stderrTail).join('\n')}`);
  }

  // One put through the gateway (keys and values are base64 in its JSON). It answers only once
  // the entry is committed by a quorum and applied on the leader.
  async put(key: Buffer, value: Buffer): Promise<void> {
    const body = `{"key":"${key.toString('base64')}","value":"${value.toString('base64')}"}`;
    const { status, text } = await post(this.agent, this.leaderPort, '/v3/kv/put', body);
    if (status !== 200) throw new Error(`etcd put answered ${status}: ${text.slice(0, 500)}`);
  }

  // The client ports of the members that do not lead, for reads spread over the followers.
  followerPorts(): number[] {
    return this.members.map((m) => m.clientPort).filter((port) => port !== this.leaderPort);
  }

  leaderClientPort(): number {
    return this.leaderPort;
  }

  // Whether the member found leading at start still leads (see TideCluster.sameLeader).
  async sameLeader(): Promise<boolean> {
    const { status, text } = await post(this.agent, this.leaderPort, '/v3/maintenance/status', '{}');
    const body = status === 200 ? (JSON.parse(text) as { header?: { member_id?: string }; leader?: string }) : {};
    return body.leader !== undefined && body.header?.member_id === body.leader;
  }

  // The value of one key, or null when there is none, read from the member at `port`. A range is
  // linearizable by default (a follower asks the leader for a read index, as TideDB's do);
  // `serializable` answers from the member's own applied state, like TideDB's stale reads.
  async get(port: number, key: Buffer, serializable: boolean): Promise<Buffer | null> {
    const body = `{"key":"${key.toString('base64')}"${serializable ? ',"serializable":true' : ''}}`;
    const { status, text } = await post(this.agent, port, '/v3/kv/range', body);
    if (status !== 200) throw new Error(`etcd range answered ${status}: ${text.slice(0, 500)}`);
    const value = (JSON.parse(text) as { kvs?: { value?: string }[] }).kvs?.[0]?.value;
    return value === undefined ? null : Buffer.from(value, 'base64');
  }

  async stop(): Promise<void> {
    this.agent.destroy();
    await Promise.all(this.members.map((member) => (member.child === null ? undefined : stopChild(member.child, 5000))));
  }
}
