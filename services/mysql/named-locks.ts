// MySQL's user-level locks (GET_LOCK, RELEASE_LOCK, IS_FREE_LOCK): named locks a session holds
// until it releases them or its connection ends, which migration tools (Kysely's Migrator,
// Flyway, Rails) take so that two deployments never migrate at once. As in MySQL they belong to
// the server the client is connected to, here the node: two clients that must exclude each
// other connect to the same node (a migration tool uses one connection).
import { assert } from '../base/assert.js';

const pollMs = 25;

export class NamedLocks {
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
