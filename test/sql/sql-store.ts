// A store of one test file's own for SQL tests, filled before its tests and removed after.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { ErrorCode } from '../../services/base/errors.js';
import { Store } from '../../services/storage/store.js';
import type { Row, Value } from '../../services/storage/types.js';
import { errorCodeOf, runOnStore } from './run-on-store.js';
// A store of one test file's own, filled by `setup` before its tests and removed after them;
// `rows` runs a statement for its rows, `code` for the code it fails with.
export function useSqlStore(prefix: string, setup: readonly string[]): {
  store(): Store;
  rows(sql: string, params?: readonly Value[]): readonly Row[];
  code(sql: string, params?: readonly Value[]): ErrorCode | 'no error';
} {
  let dir = '';
  let store: Store | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    store = Store.open(join(dir, 'db'));
    for (const sql of setup) runOnStore(store, sql);
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    store: () => store!,
    rows: (sql, params = []) => runOnStore(store!, sql, params).result.rows,
    code: (sql, params = []) => errorCodeOf(() => runOnStore(store!, sql, params)),
  };
}
