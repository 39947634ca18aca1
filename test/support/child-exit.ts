// Stopping a child process a test started: the signal, then its exit awaited. A child that has
// already ended is left as it is.
import type { ChildProcess } from 'node:child_process';

// Resolves with how the child ended (as it had, when it already had).
export async function signalAndWait(child: ChildProcess, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
    child.kill(signal);
    await exited;
  }
  return { code: child.exitCode, signal: child.signalCode };
}
