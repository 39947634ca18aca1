// Stores in fresh temporary directories for one test file: each test opens what it needs, and
// everything it opened is closed and deleted after it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { Store } from '../../services/storage/store.js';

export function useTempStores(prefix: string): { open(): Store; dir(): string } {
  let dirs: string[] = [];
  let stores: Store[] = [];
  afterEach(async () => {
    for (const store of stores) await store.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    dirs = [];
    stores = [];
  });
  const dir = (): string => {
    const made = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(made);
    return made;
  };
  return {
    dir,
    open(): Store {
      const store = Store.open(join(dir(), 'db'));
      stores.push(store);
      return store;
    },
  };
}
