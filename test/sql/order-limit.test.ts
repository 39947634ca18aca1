// Proves ORDER BY … LIMIT keeps only the rows it needs while scanning and still answers what
// one full sort answers: seeded tables with ties and NULLs, each LIMIT/OFFSET window compared
// with the same window cut from the unlimited, fully sorted result.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from '../../services/storage/store.js';
import { seededRandom } from '../support/seeded-random.js';
import { runOnStore } from './run-on-store.js';

let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tidedb-order-limit-'));
  store = Store.open(join(dir, 'db'));
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ORDER BY with LIMIT', () => {
  it('answers every window as the full sort does, ties and NULLs included', () => {
    const seed = Number(process.env['SEED'] ?? 4242);
    const random = seededRandom(seed);
    runOnStore(store, 'CREATE TABLE t (id INT PRIMARY KEY, v INT, w VARCHAR(4))');
    for (let start = 0; start < 3_000; start += 300) {
      const values = Array.from({ length: 300 }, (_, at) => {
        const v = random() < 0.1 ? 'NULL' : String(Math.floor(random() * 20));
        const w = random() < 0.1 ? 'NULL' : `'${'abc'[Math.floor(random() * 3)]}'`;
        return `(${start + at}, ${v}, ${w})`;
      });
      runOnStore(store, `INSERT INTO t VALUES ${values.join(', ')}`);
    }
    for (const order of ['v', 'v DESC', 'w, v DESC', 'v DESC, w DESC']) {
      const all = runOnStore(store, `SELECT id, v, w FROM t ORDER BY ${order}`).result.rows;
      expect(all).toHaveLength(3_000);
      for (const [limit, offset] of [[1, 0], [10, 0], [10, 5], [100, 2_950], [1_000, 500], [5_000, 0]] as const) {
        const window = runOnStore(store, `SELECT id, v, w FROM t ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`).result.rows;
        expect({ seed, order, limit, offset, window }).toEqual({ seed, order, limit, offset, window: all.slice(offset, offset + limit) });
      }
    }
  });
});
