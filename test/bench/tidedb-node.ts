// One TideDB node as a child process for the benchmarks: the built node from dist/ on a free
// port, waited for until it leads, answering SQL over HTTP with keep-alive connections.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePort, post, stopChild, track } from './bench-process.js';
import { tideSql } from './tidedb-sql.js';
import type { TideResult } from './tidedb-sql.js';

export interface NodePorts {
  readonly http: number;
  readonly mysql: number;
}

export class TideNode {
  private stderrTail = '';

  private constructor(private readonly child: ChildProcess, readonly port: number, readonly agent: Agent) {
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-4000);
    });
  }

  // `ports` null: a free HTTP port and no MySQL listener; given: those ports (a benchmark run
  // beside other work keeps to its own range), the MySQL protocol listening too.
  // `sessionProcesses`, `sessionHttp`: the node's --session-processes and --session-http (their
  // defaults, auto, unless given).
  static async start(root: string, dataDir: string, clients: number, cpuProfDir: string | null, settings: { readonly ports?: NodePorts | null; readonly sessionProcesses?: string | undefined; readonly sessionHttp?: string | undefined } = {}): Promise<TideNode> {
    const ports = settings.ports ?? null;
    const port = ports?.http ?? (await freePort());
    const mysqlPort = ports === null ? 'off' : String(ports.mysql);
    const nodeFlags = cpuProfDir === null ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`];
    const child = spawn(process.execPath, [...nodeFlags, join(root, 'dist/services/main.js'), '--data-dir', dataDir, '--port', String(port), '--log-level', 'warn', '--mysql-port', mysqlPort, '--session-processes', settings.sessionProcesses ?? 'auto', '--session-http', settings.sessionHttp ?? 'auto'], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    track(child);
    const node = new TideNode(child, port, new Agent({ keepAlive: true, maxSockets: clients }));
    await node.waitForLeader();
    return node;
  }

  private async waitForLeader(): Promise<void> {
    const deadline = performance.now() + 20_000;
    while (performance.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`tidedb exited with ${this.child.exitCode}: ${this.stderrTail}`);
      try {
        const { status, text } = await post(this.agent, this.port, '/v1/status', null);
        const answer = JSON.parse(text) as { raft?: { role?: string }; session_processes?: { processes: number; ready: number } | null };
        // Measured once its session processes serve too.
        const sessions = answer.session_processes ?? null;
        if (status === 200 && answer.raft?.role === 'leader' && (sessions === null || sessions.ready === sessions.processes)) return;
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`tidedb did not become leader within 20 s: ${this.stderrTail}`);
  }

  // The node's process id, whose CPU time a benchmark may read.
  get pid(): number {
    return this.child.pid!;
  }

  sql(sql: string, params: readonly (string | number)[]): Promise<TideResult> {
    return tideSql(this.agent, this.port, sql, params);
  }

  // SIGTERM lets the node close its log and LMDB; SIGKILL if it takes too long.
  async stop(): Promise<void> {
    this.agent.destroy();
    await stopChild(this.child, 5000);
  }
}
