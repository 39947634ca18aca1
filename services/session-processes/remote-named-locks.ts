// A session process's view of the node's named locks (GET_LOCK and friends), which the main
// process keeps for every connection of the node: two clients that must exclude each other
// may be served by different processes. Each operation is a message to the main process; an
// acquire that must wait asks again every pollMs until its timeout, as NamedLocks waits.
import { TideError } from '../base/errors.js';
import type { UserLocks } from '../mysql/named-locks.js';
import type { FromSession, LockOp, ToSession } from './messages.js';

const pollMs = 25;

export class RemoteNamedLocks implements UserLocks {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (value: 0 | 1 | null | boolean) => void; reject: (error: Error) => void }>();

  constructor(private readonly send: (message: FromSession) => void) {}

  // The main process's answers, as they arrive.
  answered(message: Extract<ToSession, { kind: 'lock-answer' }>): void {
    const waiter = this.waiting.get(message.id);
    this.waiting.delete(message.id);
    waiter?.resolve(message.value);
  }

  // The main process is gone: nothing it was asked will be answered.
  failAll(): void {
    for (const waiter of this.waiting.values()) waiter.reject(new TideError('SHUTTING_DOWN', 'the node is stopping'));
    this.waiting.clear();
  }

  async acquire(name: string, owner: number, timeoutMs: number, gone: () => boolean): Promise<0 | 1> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // A connection that closed while it waited must not take the lock after its locks were released.
      if (gone()) return 0;
      if ((await this.ask('try', name, owner)) === 1) return 1;
      if (Date.now() >= deadline) return 0;
      await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, Math.max(0, deadline - Date.now()))));
    }
  }

  async release(name: string, owner: number): Promise<0 | 1 | null> {
    const value = await this.ask('release', name, owner);
    return value === 0 || value === 1 ? value : null;
  }

  async isFree(name: string): Promise<boolean> {
    return (await this.ask('is-free', name, 0)) === true;
  }

  releaseAll(owner: number): void {
    this.send({ kind: 'lock', id: 0, op: 'release-all', name: '', owner });
  }

  private ask(op: LockOp, name: string, owner: number): Promise<0 | 1 | null | boolean> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.send({ kind: 'lock', id, op, name, owner });
    });
  }
}

// The main process's side: one lock operation of a session process, on the node's locks.
export async function answerLockOp(locks: UserLocks, message: Extract<FromSession, { kind: 'lock' }>): Promise<0 | 1 | null | boolean> {
  switch (message.op) {
    case 'try':
      return locks.acquire(message.name, message.owner, 0, () => true);
    case 'release':
      return locks.release(message.name, message.owner);
    case 'is-free':
      return locks.isFree(message.name);
    case 'release-all':
      locks.releaseAll(message.owner);
      return null;
  }
}
