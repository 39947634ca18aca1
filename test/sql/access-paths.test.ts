// Access paths must never change an answer: seeded random data (NULLs, ties, negative numbers)
// and random conjunctions of predicates that mix types (`a = '5'`, `= 5.0`, `< 2.5`, NULL,
// numbers against text) run with the planner's access paths on and forced off, over applied
// rows and over a transaction's pending writes; UPDATE and DELETE leave the same table either
// way. A mismatch prints the seed and the SQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execute } from '../../services/sql/executor.js';
import { OverlayView } from '../../services/sql/overlay-view.js';
import { parseSql } from '../../services/sql/parser.js';
import { planStatement } from '../../services/sql/planner.js';
import { accessPaths } from '../../services/sql/select/access-path.js';
import { Store } from '../../services/storage/store.js';
import type { Row, Value } from '../../services/storage/types.js';
import { seededRandom } from '../support/seeded-random.js';
import { runOnStore } from './run-on-store.js';

let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tidedb-access-paths-'));
  store = Store.open(join(dir, 'db'));
});

afterEach(async () => {
  accessPaths.enabled = true;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function run(view: OverlayView, sql: string): { rows: readonly Row[]; rowsAffected: number } {
  const [statement] = parseSql(sql);
  const { plan } = planStatement(statement!, view, 'app');
  return execute(plan, [], view);
}

// The same statement with access paths on and off: its answer, or its error's code.
// An ORDER BY query's rows are compared in order: it selects only its sort keys, so ties
// cannot tell two right answers apart.
function both(view: () => OverlayView, sql: string): { on: unknown; off: unknown } {
  const answer = (enabled: boolean): unknown => {
    accessPaths.enabled = enabled;
    try {
      const { rows, rowsAffected } = run(view(), sql);
      return { rows: sql.includes('ORDER BY') ? rows.map((row) => JSON.stringify(row, withBigints)) : sortedRows(rows), rowsAffected };
    } catch (error) {
      return { error: (error as { code?: string }).code ?? String(error) };
    } finally {
      accessPaths.enabled = true;
    }
  };
  return { on: answer(true), off: answer(false) };
}

function sortedRows(rows: readonly Row[]): string[] {
  return rows.map((row) => JSON.stringify(row, withBigints)).sort();
}

function withBigints(_: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `${value}n` : value;
}

const schema = [
  'CREATE TABLE t (a INT NOT NULL, b INT NOT NULL, c VARCHAR(4), d DOUBLE, e INT, PRIMARY KEY (a, b), KEY tc (c), KEY tbd (b, d DESC), KEY te (e DESC, c))',
  'CREATE TABLE s (id VARCHAR(3) PRIMARY KEY, n INT, UNIQUE KEY sn (n))',
];

function randomRows(random: () => number, count: number): { t: string[]; s: string[] } {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const small = (): number => Math.floor(random() * 9) - 2;
  const t = new Map<string, string>();
  for (let at = 0; at < count; at++) {
    const a = small();
    const b = small();
    const c = random() < 0.15 ? 'NULL' : `'${pick(['', 'a', 'ab', 'b', '5', '05', 'é', 'Z'])}'`;
    const d = random() < 0.15 ? 'NULL' : pick(['0', '-0.0', '1.5', '2', '-3', '5', '1e3']);
    const e = random() < 0.2 ? 'NULL' : String(small());
    t.set(`${a},${b}`, `(${a}, ${b}, ${c}, ${d}, ${e})`);
  }
  const s = new Map<string, string>();
  for (let at = 0; at < count / 4; at++) {
    const id = pick(['1', '01', '2', 'a', 'b', '10', '9']) + String(Math.floor(random() * 3));
    s.set(id, `('${id}', ${random() < 0.2 ? 'NULL' : at})`);
  }
  return { t: [...t.values()], s: [...s.values()] };
}

const constants = ['0', '1', '2', '-1', "'1'", "'01'", "'2'", "'a'", "'ab'", "'5'", '1.5', '2.0', '-1.0', 'NULL', "'é'", '9999999999', '-0.0', "''"];

function randomPredicate(random: () => number, columns: readonly string[]): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const atom = (): string => {
    const column = pick(columns);
    const roll = random();
    if (roll < 0.4) return `${column} ${pick(['=', '=', '<', '<=', '>', '>=', '<>'])} ${pick(constants)}`;
    if (roll < 0.5) return `${pick(constants)} ${pick(['=', '<', '>='])} ${column}`;
    if (roll < 0.7) return `${column} ${random() < 0.15 ? 'NOT ' : ''}IN (${Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(constants)).join(', ')})`;
    if (roll < 0.85) return `${column} ${random() < 0.15 ? 'NOT ' : ''}BETWEEN ${pick(constants)} AND ${pick(constants)}`;
    return `${column} IS ${random() < 0.5 ? 'NOT ' : ''}NULL`;
  };
  const parts = Array.from({ length: 1 + Math.floor(random() * 3) }, atom);
  return random() < 0.1 ? `${parts.join(' AND ')} OR ${atom()}` : parts.join(' AND ');
}

// Sort keys that are a key's prefix (the primary key, indexes tbd and te), forwards, backwards
// and mixed; each is also the select list of its query.
const orders = ['a', 'a DESC', 'a, b', 'a DESC, b DESC', 'a, b DESC', 'b', 'b DESC', 'b, d DESC', 'b DESC, d', 'e DESC, c', 'e, c DESC', 'e DESC', 'c'];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function limitClause(random: () => number): string {
  const roll = random();
  return roll < 0.2 ? '' : roll < 0.6 ? ` LIMIT ${Math.floor(random() * 12)}` : ` LIMIT ${Math.floor(random() * 12)} OFFSET ${Math.floor(random() * 30)}`;
}

describe('access paths', () => {
  const seed = Number(process.env['SEED'] ?? 6061);

  it('answer every random query as the full scan does, applied rows and pending writes alike', () => {
    const random = seededRandom(seed);
    for (const statement of schema) runOnStore(store, statement);
    const data = randomRows(random, 120);
    runOnStore(store, `INSERT INTO t VALUES ${data.t.join(', ')}`);
    runOnStore(store, `INSERT INTO s VALUES ${data.s.join(', ')}`);
    // A transaction that changed rows it has not committed: its reads must see them.
    const pending = new OverlayView(store);
    run(pending, "INSERT INTO t VALUES (100, 1, 'ab', 5, 1), (-5, 2, NULL, 1.5, NULL)");
    run(pending, 'DELETE FROM t WHERE a = 1');
    run(pending, "UPDATE t SET c = 'a', e = 2 WHERE b = 3");
    run(pending, "INSERT INTO s VALUES ('zz', 1000)");
    const views = [() => new OverlayView(store), () => new OverlayView(pending)];
    const tColumns = ['a', 'b', 'c', 'd', 'e'];
    let differing = 0;
    for (let round = 0; round < 160; round++) {
      const view = views[round % 2]!;
      const order = pick(random, orders);
      const queries = [
        `SELECT * FROM t WHERE ${randomPredicate(random, tColumns)}`,
        `SELECT * FROM s WHERE ${randomPredicate(random, ['id', 'n'])}`,
        `SELECT t.a, t.b, s.id FROM t JOIN s ON s.n = t.e WHERE ${randomPredicate(random, ['t.a', 't.c', 's.id', 's.n'])}`,
        `SELECT s.id, t.a, t.b FROM s ${random() < 0.5 ? 'LEFT ' : ''}JOIN t ON t.a = s.n AND ${randomPredicate(random, ['t.b', 't.c', 't.e'])}`,
        `SELECT s.id, t.a, t.b FROM s JOIN t ON t.c = s.id WHERE ${randomPredicate(random, ['t.a', 's.n'])}`,
        `SELECT COUNT(*) FROM t WHERE ${randomPredicate(random, tColumns)} AND EXISTS (SELECT 1 FROM s WHERE s.n = t.a)`,
        `SELECT ${order.replace(/ (ASC|DESC)/g, '')} FROM t WHERE ${randomPredicate(random, tColumns)} ORDER BY ${order}${limitClause(random)}`,
        `SELECT n FROM s WHERE ${randomPredicate(random, ['id', 'n'])} ORDER BY n ${random() < 0.5 ? 'DESC' : 'ASC'}${limitClause(random)}`,
      ];
      for (const sql of queries) {
        const { on, off } = both(view, sql);
        if (JSON.stringify(on) !== JSON.stringify(off)) differing++;
        expect({ seed, sql, answer: on }).toEqual({ seed, sql, answer: off });
      }
    }
    expect(differing).toBe(0);
  });

  it('answer a point get by the whole primary key as the full scan does, for any constant', () => {
    const random = seededRandom(seed + 2);
    for (const statement of schema) runOnStore(store, statement);
    runOnStore(store, 'CREATE TABLE one (id BIGINT PRIMARY KEY, v INT)');
    runOnStore(store, 'INSERT INTO one VALUES (-1, 1), (0, 2), (1, 3), (2, 4), (9007199254740993, 5), (9999999999, 6)');
    runOnStore(store, `INSERT INTO t VALUES ${randomRows(random, 120).t.join(', ')}`);
    const pending = new OverlayView(store);
    run(pending, "INSERT INTO t VALUES (100, 1, 'ab', 5, 1)");
    run(pending, 'DELETE FROM t WHERE a = 1 AND b = 1');
    run(pending, 'UPDATE one SET v = 7 WHERE id = 0');
    const views = [() => new OverlayView(store), () => new OverlayView(pending)];
    const keys = [...constants, '100', '-(1)', "'9007199254740993'", '9007199254740993', '9007199254740993.0', '1e0'];
    for (let round = 0; round < 120; round++) {
      const [a, b] = [pick(random, keys), pick(random, keys)];
      for (const sql of [`SELECT a, b, c, d, e FROM t WHERE a = ${a} AND b = ${b}`, `SELECT e, a + b FROM t WHERE ${b} = b AND ${a} = a`, `SELECT v, id FROM one WHERE id = ${a}`, `SELECT v FROM one WHERE id = ${a} LIMIT ${pick(random, ['0', '1', '2', '1 OFFSET 1'])}`]) {
        const { on, off } = both(views[round % 2]!, sql);
        expect({ seed, sql, answer: on }).toEqual({ seed, sql, answer: off });
      }
    }
  });

  it('make UPDATE and DELETE change the same rows as the full scan does', () => {
    const random = seededRandom(seed + 1);
    for (const statement of schema) runOnStore(store, statement);
    const data = randomRows(random, 120);
    runOnStore(store, `INSERT INTO t VALUES ${data.t.join(', ')}`);
    for (let round = 0; round < 60; round++) {
      const where = randomPredicate(random, ['a', 'b', 'c', 'd', 'e']);
      const write = round % 2 === 0 ? `DELETE FROM t WHERE ${where}` : `UPDATE t SET e = 7, c = 'w' WHERE ${where}`;
      const after = (enabled: boolean): unknown => {
        const view = new OverlayView(store);
        accessPaths.enabled = enabled;
        try {
          const { rowsAffected } = run(view, write);
          return { rowsAffected, table: sortedRows(run(view, 'SELECT * FROM t').rows) };
        } catch (error) {
          return { error: (error as { code?: string }).code ?? String(error) };
        } finally {
          accessPaths.enabled = true;
        }
      };
      expect({ seed, write, result: after(true) }).toEqual({ seed, write, result: after(false) });
    }
  });

  it('answer text compared with a BIGINT key past 2^53 as the full scan does (as doubles)', () => {
    runOnStore(store, 'CREATE TABLE big (id BIGINT PRIMARY KEY)');
    runOnStore(store, 'INSERT INTO big VALUES (9007199254740991), (9007199254740992), (9007199254740993), (9007199254740994)');
    const view = (): OverlayView => new OverlayView(store);
    for (const where of ["id < '9007199254740993' AND id > 5", "id = '9007199254740993'", "id IN ('9007199254740993')", "id BETWEEN 5 AND '9007199254740993'", "id >= '9007199254740993'"]) {
      const sql = `SELECT id FROM big WHERE ${where}`;
      const { on, off } = both(view, sql);
      expect({ sql, answer: on }).toEqual({ sql, answer: off });
    }
  });

  it('answers lookups by key, IN lists and ranges in key order', () => {
    runOnStore(store, 'CREATE TABLE k (id INT PRIMARY KEY, v INT, w VARCHAR(8), KEY kv (v))');
    const values = Array.from({ length: 500 }, (_, at) => `(${at}, ${at % 50}, '${at % 7}')`);
    runOnStore(store, `INSERT INTO k VALUES ${values.join(', ')}`);
    const view = new OverlayView(store);
    const all = [...view.scanRows(store.table('app', 'k')!)].length;
    expect(all).toBe(500);
    const result = (sql: string): readonly Row[] => run(new OverlayView(store), sql).rows;
    expect(result('SELECT id FROM k WHERE v = 7 AND id < 100')).toEqual([[7n], [57n]]);
    expect(result('SELECT id FROM k WHERE id BETWEEN 10 AND 12')).toEqual([[10n], [11n], [12n]]);
    expect(result('SELECT id FROM k WHERE id IN (3, 1, 3, 2)')).toEqual([[1n], [2n], [3n]]);
    expect(result("SELECT id FROM k WHERE id = '4'")).toEqual([[4n]]);
    expect(result('SELECT id FROM k WHERE id = 4.5')).toEqual([]);
    expect(result('SELECT COUNT(*) FROM k WHERE v IN (1, 2) AND w = NULL')).toEqual([[0n]]);
    // Backwards from an upper bound down to an inclusive lower one that is a row's whole key.
    expect(result('SELECT id FROM k WHERE id >= 495 ORDER BY id DESC')).toEqual([[499n], [498n], [497n], [496n], [495n]]);
    expect(result('SELECT id FROM k WHERE id BETWEEN 0 AND 2 ORDER BY id DESC LIMIT 5')).toEqual([[2n], [1n], [0n]]);
    expect(result('SELECT v, id FROM k WHERE v = 3 ORDER BY v DESC LIMIT 2')).toEqual([[3n, 453n], [3n, 403n]]);
    // A value longer than any key: read by the filter, not looked up.
    runOnStore(store, 'CREATE TABLE long_keys (s VARCHAR(3000) PRIMARY KEY, t VARCHAR(3000), KEY lt (t))');
    runOnStore(store, "INSERT INTO long_keys VALUES ('a', 'b')");
    expect(result(`SELECT s FROM long_keys WHERE s = '${'x'.repeat(2500)}' OR t = 'b'`)).toEqual([['a']]);
    expect(result(`SELECT s FROM long_keys WHERE s = '${'x'.repeat(2500)}'`)).toEqual([]);
    expect(result(`SELECT s FROM long_keys WHERE t >= '${'x'.repeat(2500)}' ORDER BY t LIMIT 1`)).toEqual([]);
    const overRange: Value[] = result('SELECT id FROM k WHERE v > 47').map((row) => row[0]!);
    expect(overRange).toHaveLength(20);
  });
});
