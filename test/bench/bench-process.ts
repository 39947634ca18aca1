// Child processes and HTTP for the benchmarks: free ports, one request over a keep-alive
// agent, and stopping a server cleanly with a deadline.
import type { ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import type { Agent } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';

// Children still running, killed outright if the benchmark itself is interrupted.
export const liveChildren = new Set<ChildProcess>();

export function track(child: ChildProcess): ChildProcess {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  return child;
}

// A fresh directory under .tmp/ of the repository (on the disk the figures are for) and the
// cleanup that kills every child still running and removes it; the cleanup also runs when the
// benchmark is interrupted (SIGINT, SIGTERM).
export function scratchDir(root: string, prefix: string): { readonly dir: string; readonly cleanup: () => void } {
  mkdirSync(join(root, '.tmp'), { recursive: true });
  const dir = mkdtempSync(join(root, '.tmp', prefix));
  const cleanup = (): void => {
    for (const child of liveChildren) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  const interrupted = (): void => {
    process.stderr.write('\ninterrupted: cleaning up\n');
    cleanup();
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  return { dir, cleanup };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

// A POST with a JSON body, or a GET when `body` is null.
export function post(agent: Agent, port: number, path: string, body: string | null): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = body === null ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    const req = request({ host: '127.0.0.1', port, path, method: body === null ? 'GET' : 'POST', agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body ?? undefined);
  });
}

// SIGTERM lets a server close its files; SIGKILL if it takes longer than `graceMs`.
export async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timedOut = await Promise.race([exited.then(() => false), new Promise<boolean>((resolve) => setTimeout(() => resolve(true), graceMs))]);
  if (timedOut) {
    child.kill('SIGKILL');
    await exited;
  }
}

// The last few KiB a server wrote to stderr, kept on `holder` for the error that names why it
// failed to start.
export function keepStderrTail(child: ChildProcess, holder: { stderrTail: string }): void {
  child.stderr?.on('data', (chunk: Buffer) => {
    holder.stderrTail = (holder.stderrTail + chunk.toString('utf8')).slice(-4000);
  });
}

// Waits until a started cluster is ready; if it never is, stops it before passing the error on,
// so that no half-started server outlives the round.
export async function readyOrStopped<T>(ready: () => Promise<T>, stop: () => Promise<void>): Promise<T> {
  try {
    return await ready();
  } catch (error) {
    await stop();
    throw error;
  }
}
