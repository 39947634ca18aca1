// MySQL's user-level locks (GET_LOCK, RELEASE_LOCK, IS_FREE_LOCK): named locks a session holds
// until it releases them or its connection ends, which migration tools (Kysely's Migrator,
// Flyway, Rails) take so that two deployments never migrate at once. As in MySQL they belong to
// the server the client is connected to, here the node: two clients that must exclude each
// other connect to the same node (a migration tool uses one connection).
import { assert } from '../base/assert.js';
import type { StatementResult } from '../sql/executor.js';
import { SessionError } from './session-statements.js';

const pollMs = 25;

// The node's named locks as a session reaches them: held here, or by the node's main process
// for a connection served by a session process (session-processes/remote-named-locks.ts).
export interface UserLocks {
  acquire(name: string, owner: number, timeoutMs: number, gone: () => boolean): Promise<0 | 1>;
  release(name: string, owner: number): 0 | 1 | null | Promise<0 | 1 | null>;
  isFree(name: string): boolean | Promise<boolean>;
  releaseAll(owner: number): void;
}

export class NamedLocks implements UserLocks {
  private readonly holders = new Map<string, number>();

  // 1 once `owner` holds the lock (at once if free or already its own), 0 when `timeoutMs`
  // passed first or `gone()` turned true (its connection ended) while it waited.
  async acquire(name: string, owner: number, timeoutMs: number, gone: () => boolean): Promise<0 | 1> {
    const key = name.toLowerCase();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const holder = this.holders.get(key);
      if (holder === undefined || holder === owner) {
        this.holders.set(key, owner);
        return 1;
      }
      if (Date.now() >= deadline || gone()) return 0;
      await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, Math.max(0, deadline - Date.now()))));
    }
  }

  // 1: released; 0: another session holds it; null: nobody does (MySQL's answers).
  release(name: string, owner: number): 0 | 1 | null {
    const key = name.toLowerCase();
    const holder = this.holders.get(key);
    if (holder === undefined) return null;
    if (holder !== owner) return 0;
    this.holders.delete(key);
    return 1;
  }

  isFree(name: string): boolean {
    return !this.holders.has(name.toLowerCase());
  }

  releaseAll(owner: number): void {
    for (const [key, holder] of this.holders) if (holder === owner) this.holders.delete(key);
    assert(![...this.holders.values()].includes(owner));
  }
}

// SELECT GET_LOCK('name', seconds), RELEASE_LOCK('name') or IS_FREE_LOCK('name'), alone: the
// node's named locks above. Null for any other statement.
export async function userLockStatement(sql: string, locks: UserLocks, owner: number, gone: () => boolean): Promise<StatementResult | null> {
  const call = /^select\s+((get_lock|release_lock|is_free_lock)\s*\(\s*'((?:[^'\\]|'')*)'\s*(?:,\s*(-?\d+(?:\.\d+)?)\s*)?\))(?:\s+(?:as\s+)?`?(\w+)`?)?$/i.exec(sql);
  if (call === null) return null;
  const [, expression, functionName, name, seconds, alias] = call;
  const lockName = name!.replace(/''/g, "'");
  let value: bigint | null;
  switch (functionName!.toLowerCase()) {
    case 'get_lock': {
      if (seconds === undefined) throw new SessionError(1582, '42000', "Incorrect parameter count in the call to native function 'GET_LOCK'");
      // A negative timeout waits for ever in MySQL; here as long as the connection lives.
      const timeoutMs = Number(seconds) < 0 ? Number.MAX_SAFE_INTEGER : Number(seconds) * 1000;
      value = BigInt(await locks.acquire(lockName, owner, timeoutMs, gone));
      break;
    }
    case 'release_lock': {
      const released = await locks.release(lockName, owner);
      value = released === null ? null : BigInt(released);
      break;
    }
    default:
      value = (await locks.isFree(lockName)) ? 1n : 0n;
  }
  return { columns: [alias ?? expression!], rows: [[value]], rowsAffected: 0, lastInsertId: null };
}
