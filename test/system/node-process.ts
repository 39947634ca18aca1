// Runs a TideDB node as a real child process (the built dist/services/main.js) for system
// tests, with a client for its HTTP API.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { setPriority, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { caFetch } from '../support/ca-fetch.js';
import type { Fetch } from '../support/ca-fetch.js';
import { signalAndWait } from '../support/child-exit.js';

const mainScript = resolve(import.meta.dirname, '../../dist/services/main.js');

export interface SqlResult {
  readonly columns: string[];
  readonly rows: unknown[][];
  readonly rows_affected: number;
  readonly last_insert_id: number | null;
}

export interface SqlResponse {
  readonly status: number;
  readonly body: { results?: SqlResult[]; lsn?: string; error?: { code: string; message: string } };
}

// A port no one listens on, for a node to listen on a moment later (and again after a restart).
// Chosen below Linux's ephemeral range (32768 and up), which the kernel draws on for every
// outbound connection of every process: one could take the node's port between this check and
// the node's listen, or while the node is down (EADDRINUSE, seen in CI). Each vitest worker
// (VITEST_POOL_ID) draws from its own slice, and a process never hands out a port twice, so two
// tests cannot pick one port before either listens on it. Above the ports some tests fix
// (24000-26999).
export const testPortsLow = 27_000;
const testPortsPerWorker = 700;
const testWorkersMax = 8;
const handedOut = new Set<number>();

export async function freePort(): Promise<number> {
  const worker = Number(process.env['VITEST_POOL_ID'] ?? '1');
  const slice = Number.isInteger(worker) && worker >= 1 ? (worker - 1) % testWorkersMax : 0;
  const low = testPortsLow + slice * testPortsPerWorker;
  for (let attempt = 0; attempt < 4 * testPortsPerWorker; attempt++) {
    const port = low + Math.floor(Math.random() * testPortsPerWorker);
    if (handedOut.has(port) || !(await listensOn(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port in ${low}..${low + testPortsPerWorker - 1}`);
}

function listensOn(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const server = createServer();
    server.once('error', () => resolvePort(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolvePort(true)));
  });
}

export function temporaryDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `tidedb-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export class NodeProcess {
  private child: ChildProcess | null = null;
  output = '';

  // The node's requests: plain fetch, or over HTTPS trusting `ca` (a node given --tls-cert).
  readonly fetch: Fetch;

  constructor(readonly dataDir: string, readonly port: number, readonly extraArgs: readonly string[] = [], private readonly https?: { readonly ca: Buffer }) {
    this.fetch = https === undefined ? fetch : caFetch(https.ca);
  }

  // The node's process id while it runs.
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get url(): string {
    return `${this.https === undefined ? 'http' : 'https'}://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    // TIDE_TEST_NODE_FLAGS passes flags to the node's own Node.js (e.g. --cpu-prof to profile it).
    const nodeFlags = (process.env['TIDE_TEST_NODE_FLAGS'] ?? '').split(' ').filter((flag) => flag !== '');
    const child = spawn(process.execPath, [...nodeFlags, mainScript, '--data-dir', this.dataDir, '--port', String(this.port), '--log-level', 'warn', '--mysql-port', 'off', ...this.extraArgs], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, KAFKA_BROKERS: '' },
    });
    // TIDE_TEST_NODE_LOG names a file that also gets everything the node prints (with
    // TIDE_TEST_NODE_FLAGS=--trace-gc, for example, its garbage collections).
    const logFile = process.env['TIDE_TEST_NODE_LOG'];
    const keep = (chunk: Buffer): void => {
      this.output += chunk.toString();
      if (logFile !== undefined) appendFileSync(logFile, chunk);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.child = child;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`node exited with ${child.exitCode}:\n${this.output}`);
      try {
        const response = await this.fetch(`${this.url}/v1/status`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
    throw new Error(`node did not become ready:\n${this.output}`);
  }

  // SIGKILL: no shutdown code runs, as in a crash.
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  // SIGSTOP / SIGCONT: the process freezes mid-whatever, as under a long GC or a stalled VM.
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  // Lowers the process's CPU priority (a higher nice value; every thread it has started), for a
  // test that runs several nodes on one small machine and wants one of them not to compete
  // with the others as it would not on a machine of its own.
  yieldCpu(nice: number): void {
    const pid = this.child?.pid;
    if (pid === undefined) throw new Error('the node is not running');
    for (const thread of readdirSync(`/proc/${pid}/task`)) setPriority(Number(thread), nice);
  }

  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (child === null || child.exitCode !== null || child.signalCode !== null) return;
    await signalAndWait(child, signal);
    this.child = null;
  }

  async sql(sql: string, params: unknown[] = []): Promise<SqlResponse> {
    return this.post({ sql, params });
  }

  async transaction(statements: { sql: string; params?: unknown[] }[]): Promise<SqlResponse> {
    return this.post({ statements });
  }

  async post(body: unknown): Promise<SqlResponse> {
    const response = await this.fetch(`${this.url}/v1/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as SqlResponse['body'] };
  }

  async status(): Promise<{ raft: { applied_index: number }; kafka: { enabled: boolean; published_lsn: string | null } }> {
    const response = await this.fetch(`${this.url}/v1/status`);
    return (await response.json()) as { raft: { applied_index: number }; kafka: { enabled: boolean; published_lsn: string | null } };
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}
