// The planner's choices, read through EXPLAIN, and what they cost, read through EXPLAIN ANALYZE:
// the rows each operator passed up and each table access read from storage.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../services/storage/store.js';
import { startInProcessNode } from '../http/in-process-node.js';
import type { Row } from '../../services/storage/types.js';
import { runOnStore, runOnStoreAsync } from './run-on-store.js';

let dir: string;
let store: Store;
const tableRows = 100_000;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tidedb-explain-'));
  store = Store.open(join(dir, 'db'));
  runOnStore(store, 'CREATE TABLE big (id INT PRIMARY KEY, v INT, w VARCHAR(8), KEY bv (v))');
  // 10^5 rows from a cross join of five copies of ten digits: one short statement to parse.
  runOnStore(store, 'CREATE TABLE digits (n INT PRIMARY KEY)');
  runOnStore(store, 'INSERT INTO digits VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)');
  const id = 'a.n * 10000 + b.n * 1000 + c.n * 100 + d.n * 10 + e.n';
  await runOnStoreAsync(store, `INSERT INTO big SELECT ${id}, (${id}) % 1000, CONCAT('w', (${id}) % 7) FROM digits a, digits b, digits c, digits d, digits e`);
  runOnStore(store, 'CREATE TABLE small (id INT PRIMARY KEY, big_id INT)');
  runOnStore(store, 'INSERT INTO small VALUES (1, 5), (2, 6), (3, 7)');
}, 120_000);

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Operator {
  readonly id: string;
  readonly actRows: bigint;
  readonly rowsRead: bigint | null;
  readonly access: string;
  readonly info: string;
}

function analyze(sql: string): Operator[] {
  const { columns, rows } = runOnStore(store, `EXPLAIN ANALYZE ${sql}`).result;
  expect(columns).toEqual(['id', 'actRows', 'rowsRead', 'access object', 'operator info']);
  return rows.map((row: Row) => ({ id: row[0] as string, actRows: row[1] as bigint, rowsRead: row[2] as bigint | null, access: row[3] as string, info: row[4] as string }));
}

// The rows all table accesses of a plan read from storage.
function rowsRead(operators: readonly Operator[]): bigint {
  return operators.reduce((sum, operator) => sum + (operator.rowsRead ?? 0n), 0n);
}

function operatorNamed(operators: readonly Operator[], name: string): Operator {
  const found = operators.find((operator) => operator.id.replace(/^[│├└─ ]+/, '').startsWith(`${name}_`));
  if (found === undefined) throw new Error(`no ${name} in ${JSON.stringify(operators.map((operator) => operator.id))}`);
  return found;
}

describe('EXPLAIN ANALYZE', () => {
  it(`reads at most 10 rows of ${tableRows} for ORDER BY id LIMIT 10, forwards and backwards`, () => {
    const forwards = analyze('SELECT id, w FROM big ORDER BY id LIMIT 10');
    expect(rowsRead(forwards)).toBe(10n);
    expect(operatorNamed(forwards, 'Limit').actRows).toBe(10n);
    expect(operatorNamed(forwards, 'TableFullScan').info).toBe('keep order: true');
    const backwards = analyze('SELECT id FROM big ORDER BY id DESC LIMIT 10 OFFSET 5');
    expect(rowsRead(backwards)).toBe(15n);
    expect(operatorNamed(backwards, 'TableFullScan').info).toBe('keep order: true, desc');
    // Without the key order the whole table is read and sorted: the figure that is saved.
    expect(rowsRead(analyze('SELECT id FROM big ORDER BY w, id LIMIT 10'))).toBe(BigInt(tableRows));
  });

  it('reads one row for a point lookup, and only matching rows through a secondary index', () => {
    const point = analyze('SELECT * FROM big WHERE id = 4242');
    expect(rowsRead(point)).toBe(1n);
    expect(operatorNamed(point, 'Point_Get').access).toBe('table:big, index:PRIMARY');
    const byIndex = analyze('SELECT id FROM big WHERE v = 17');
    expect(rowsRead(byIndex)).toBe(BigInt(tableRows / 1000));
    expect(operatorNamed(byIndex, 'IndexRangeScan').access).toBe('table:big, index:bv(v)');
    expect(operatorNamed(byIndex, 'Selection').actRows).toBe(BigInt(tableRows / 1000));
    // The index narrows to v = 17; the filter then keeps those with a w of 'w3'.
    const narrowed = analyze("SELECT id FROM big WHERE v = 17 AND w = 'w3'");
    expect(rowsRead(narrowed)).toBe(BigInt(tableRows / 1000));
    expect(operatorNamed(narrowed, 'Selection').actRows).toBe(BigInt(runOnStore(store, "SELECT COUNT(*) FROM big WHERE v = 17 AND w = 'w3'").result.rows[0]![0] as bigint));
    const range = analyze('SELECT id FROM big WHERE id BETWEEN 100 AND 199 OR id = 1000');
    // An OR is no key range: the whole table is read.
    expect(rowsRead(range)).toBe(BigInt(tableRows));
    expect(rowsRead(analyze('SELECT id FROM big WHERE id >= 100 AND id < 200'))).toBe(100n);
    expect(rowsRead(analyze('SELECT id FROM big WHERE id IN (7, 70, 700, 7000000)'))).toBe(3n);
  });

  it('counts what an ordered index read with a LIMIT reads', () => {
    const operators = analyze('SELECT v, id FROM big WHERE v >= 990 ORDER BY v DESC LIMIT 3');
    expect(rowsRead(operators)).toBe(3n);
    expect(runOnStore(store, 'SELECT v FROM big WHERE v >= 990 ORDER BY v DESC LIMIT 3').result.rows).toEqual([[999n], [999n], [999n]]);
  });
});

describe('index nested-loop joins', () => {
  it('read the inner table by key per outer row', () => {
    const byIndex = analyze('SELECT small.id, big.id FROM small JOIN big ON big.v = small.big_id WHERE small.id > 1');
    // Two outer rows (small.id 2 and 3), each matching 100 rows of big through index bv.
    expect(operatorNamed(byIndex, 'IndexJoin').actRows).toBe(200n);
    expect(rowsRead(byIndex)).toBe(2n + 200n);
    const byPrimary = analyze('SELECT small.id, big.w FROM small LEFT JOIN big ON big.id = small.big_id * 1000');
    expect(operatorNamed(byPrimary, 'IndexJoin').actRows).toBe(3n);
    expect(rowsRead(byPrimary)).toBe(3n + 3n);
  });

  it('give way to a hash join when the outer rows outnumber the inner table: it is read once instead of looked up per row', () => {
    // 100,000 rows of big joined to the 3 of small on small's primary key: a hash join reads
    // small once; looking it up would read a key per row of big.
    const many = analyze('SELECT big.id, small.id FROM big JOIN small ON small.id = big.id');
    expect(operatorNamed(many, 'HashJoin').actRows).toBe(3n);
    expect(many.some((operator) => /IndexJoin_\d+$/.test(operator.id))).toBe(false);
    expect(rowsRead(many)).toBe(BigInt(tableRows) + 3n);
    // One row of small by its key, joined to big: looked up, one key read.
    const one = analyze('SELECT small.id, big.w FROM small JOIN big ON big.id = small.big_id WHERE small.id = 2');
    expect(operatorNamed(one, 'IndexJoin').actRows).toBe(1n);
    expect(rowsRead(one)).toBe(2n);
  });

  it('are not chosen on a key type the access paths cannot look up (each outer row would read the whole table)', () => {
    runOnStore(store, 'CREATE TABLE prices (price DECIMAL(10,2) PRIMARY KEY, n INT)');
    runOnStore(store, 'CREATE TABLE sales (id INT PRIMARY KEY, price DECIMAL(10,2))');
    const plan = runOnStore(store, 'EXPLAIN SELECT * FROM sales JOIN prices ON prices.price = sales.price').result.rows.map((row) => String(row[0]));
    expect(plan.some((id) => /HashJoin_\d+$/.test(id))).toBe(true);
    expect(plan.some((id) => /IndexJoin_\d+$/.test(id))).toBe(false);
  });
});

describe('conditions the key read already guarantees', () => {
  // Each filter's info names how many of its conditions are checked again on every row read;
  // those that the key range or point implies are not (covered-conjuncts.ts).
  const checkedPerRow = (sql: string): string => operatorNamed(analyze(sql), 'Selection').info;

  it('are not checked again per row, and every other condition still is', () => {
    const range = analyze('SELECT w FROM big WHERE id >= 10 AND id < 20');
    expect(operatorNamed(range, 'Selection').info).toBe('conditions: 2, checked per row: 0');
    expect(operatorNamed(range, 'Selection').actRows).toBe(10n);
    expect(rowsRead(range)).toBe(10n);
    expect(checkedPerRow("SELECT w FROM big WHERE id BETWEEN 10 AND 20 AND w = 'w1'")).toBe('conditions: 2, checked per row: 1');
    // The points read are the IN list's: `id > 4` holds for each of them, or it is checked.
    expect(checkedPerRow('SELECT w FROM big WHERE id IN (5, 8) AND id > 4')).toBe('conditions: 2, checked per row: 0');
    expect(checkedPerRow('SELECT w FROM big WHERE id IN (3, 5, 8) AND id > 4')).toBe('conditions: 2, checked per row: 1');
    // Equality pins the nullable index part: its NULLs lie outside the point.
    expect(checkedPerRow('SELECT w FROM big WHERE v = 5')).toBe('conditions: 1, checked per row: 0');
  });

  it('are checked where the key read does not imply them', () => {
    // A nullable index part read from its first entry: the range holds its NULLs.
    expect(checkedPerRow('SELECT w FROM big WHERE v < 5')).toBe('conditions: 1, checked per row: 1');
    // A fraction against an integer key is left to the filter.
    expect(checkedPerRow('SELECT w FROM big WHERE id > 99997.5')).toBe('conditions: 1, checked per row: 1');
    // Text compared with an integer column compares as numbers: only an integer's digits are a key.
    expect(checkedPerRow("SELECT w FROM big WHERE id <= '3x'")).toBe('conditions: 1, checked per row: 1');
    // Even an integer's digits as text compare as a double (rounded past 2^53): checked.
    expect(checkedPerRow("SELECT w FROM big WHERE id <= '3'")).toBe('conditions: 1, checked per row: 1');
    expect(analyze('SELECT id FROM big WHERE id > 99997.5').find((operator) => operator.id.includes('Selection'))?.actRows).toBe(2n);
  });
});

describe('the order of comma joins', () => {
  it('joins the tables an equality ties before crossing them with others, so no step multiplies rows it is not tied to', () => {
    // digits filtered to 2 rows and tied to nothing; big tied to small (3 rows) by v. Taking the
    // filtered table first would cross it with small and look big up for each of those 6 rows
    // (600 rows read from big); small then big, crossed with digits last, reads big's 300 once.
    const operators = analyze('SELECT small.id, digits.n, big.id FROM digits, small, big WHERE big.v = small.big_id AND digits.n < 2');
    const tables = operators.filter((operator) => operator.access.startsWith('table:')).map((operator) => operator.access.split(',')[0]);
    expect(tables).toEqual(['table:small', 'table:big', 'table:digits']);
    expect(operators[0]!.actRows).toBe(600n);
    expect(rowsRead(operators)).toBe(3n + 300n + 2n);
  });
});

describe('EXPLAIN', () => {
  it('shows the operator tree with access paths, join order and method', () => {
    const { columns, rows } = runOnStore(store, 'EXPLAIN SELECT small.id, big.w FROM small JOIN big ON big.v = small.big_id WHERE small.id > 1 ORDER BY small.id').result;
    expect(columns).toEqual(['id', 'access object', 'operator info']);
    const ids = rows.map((row) => String(row[0]));
    expect(ids[0]).toMatch(/^Projection_1$/);
    expect(ids.some((id) => /IndexJoin_\d+$/.test(id))).toBe(true);
    const small = rows.find((row) => String(row[1]).startsWith('table:small'))!;
    expect(String(small[0])).toMatch(/TableRangeScan_\d+$/);
    expect(small[1]).toBe('table:small, index:PRIMARY');
    const big = rows.find((row) => String(row[1]).startsWith('table:big'))!;
    expect(String(big[0])).toMatch(/└─IndexRangeScan_\d+$/);
    expect(big[1]).toBe('table:big, index:bv(v)');
    // No key of the inner table on the join column: a hash join over both tables.
    const hashed = runOnStore(store, 'EXPLAIN SELECT * FROM small JOIN digits ON digits.n + 1 = small.id').result.rows.map((row) => String(row[0]));
    expect(hashed.some((id) => /HashJoin_\d+$/.test(id))).toBe(true);
  });

  it('shows window, WITH and ROLLUP operators, and counts what a WITH query read twice read once', () => {
    const operators = analyze('WITH d AS (SELECT n FROM digits WHERE n < 3) SELECT a.n, ROW_NUMBER() OVER (ORDER BY a.n DESC) FROM d AS a JOIN d AS b ON a.n = b.n');
    expect(operatorNamed(operators, 'Window').info).toBe('funcs: ROW_NUMBER');
    expect(operatorNamed(operators, 'Window').actRows).toBe(3n);
    expect(operators.filter((operator) => /CTEFullScan_\d+$/.test(operator.id)).map((operator) => operator.info)).toEqual(['cte: d', 'cte: d']);
    // The query's plan shows under each reference, with the counts of its one run.
    expect(operators.filter((operator) => operator.rowsRead !== null).map((operator) => operator.rowsRead)).toEqual([3n, 3n]);
    const rollup = analyze('SELECT n % 2, COUNT(*) FROM digits GROUP BY n % 2 WITH ROLLUP');
    expect(operatorNamed(rollup, 'StreamAgg')).toMatchObject({ actRows: 3n, info: 'group by: 1 with rollup, funcs: COUNT' });
  });

  it('answers over HTTP, alone (as a read) and inside a transaction that sees its own writes', async () => {
    const node = await startInProcessNode();
    try {
      expect((await node.sql({ sql: 'CREATE TABLE t (id INT PRIMARY KEY, v INT, KEY tv (v))' })).status).toBe(200);
      expect((await node.sql({ sql: 'INSERT INTO t VALUES (1, 10), (2, 20), (3, 30)' })).status).toBe(200);
      const alone = await node.sql({ sql: 'EXPLAIN ANALYZE SELECT id FROM t WHERE v = ?', params: [20] });
      expect(alone.status).toBe(200);
      const [result] = alone.body['results'] as { columns: string[]; rows: unknown[][] }[];
      expect(result!.columns).toEqual(['id', 'actRows', 'rowsRead', 'access object', 'operator info']);
      expect(result!.rows.at(-1)!.slice(1, 4)).toEqual([1, 1, 'table:t, index:tv(v)']);
      const transaction = await node.sql({ statements: [{ sql: 'INSERT INTO t VALUES (4, 20)' }, { sql: 'EXPLAIN ANALYZE SELECT id FROM t WHERE v = 20' }] });
      expect(transaction.status).toBe(200);
      const [, explained] = transaction.body['results'] as { rows: unknown[][] }[];
      // The pending row is read through the index too.
      expect(explained!.rows.at(-1)!.slice(1, 3)).toEqual([2, 2]);
    } finally {
      await node.close();
    }
  });

  it('reads EXPLAIN ANALYZE as one statement and leaves other ANALYZE words alone', () => {
    expect(runOnStore(store, 'EXPLAIN   analyze   SELECT 1').result.columns).toContain('actRows');
    expect(runOnStore(store, 'EXPLAIN SELECT 1').result.columns).not.toContain('actRows');
  });
});
