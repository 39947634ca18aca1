// The two isolation levels of interactive transactions (write/isolation.ts), side by side on a
// real in-process node: serializable validates every read at commit; repeatable-read only the
// reads of writing statements and of locking reads, as MySQL's InnoDB locks exactly those. So
// write skew and phantoms between plain SELECTs commit at repeatable-read and conflict at
// serializable, while lost updates, duplicate keys, broken foreign keys and FOR UPDATE rows
// conflict at both.
import { describe, expect, it } from 'vitest';
import type { Isolation } from '../../services/write/isolation.js';
import { useNodeWithTables } from './node-with-tables.js';

// A fresh table per test: doctors on call, with a v indexed.
const fixture = useNodeWithTables('d', (name) => [`CREATE TABLE ${fixture.name} (id INT PRIMARY KEY, on_call INT NOT NULL, v INT, INDEX by_v (v))`, `INSERT INTO ${fixture.name} VALUES (1, 1, 10), (2, 1, 20), (3, 0, 30)`]);
const { write, rows, commit } = fixture;

async function open(isolation: Isolation, ...statements: string[]): Promise<string> {
  const tx = await fixture.node.transactions.open(undefined, undefined, isolation);
  for (const sql of statements) await fixture.node.transactions.run(tx, [{ sql, params: [] }]);
  return tx;
}


describe.each<[Isolation, string | null]>([
  ['serializable', 'TX_CONFLICT'],
  ['repeatable-read', null],
])('at %s, plain reads', (isolation, plainReadOutcome) => {
  it(`${plainReadOutcome === null ? 'allow' : 'refuse'} write skew: two doctors each see the other on call and both go off`, async () => {
    const first = await open(isolation, `SELECT COUNT(*) FROM ${fixture.name} WHERE on_call = 1`, `UPDATE ${fixture.name} SET on_call = 0 WHERE id = 1`);
    const second = await open(isolation, `SELECT COUNT(*) FROM ${fixture.name} WHERE on_call = 1`, `UPDATE ${fixture.name} SET on_call = 0 WHERE id = 2`);
    expect(await commit(first)).toBeNull();
    expect(await commit(second)).toBe(plainReadOutcome);
    expect(await rows(`SELECT COUNT(*) FROM ${fixture.name} WHERE on_call = 1`)).toEqual([[plainReadOutcome === null ? 0 : 1]]);
  });

  it(`${plainReadOutcome === null ? 'allow' : 'refuse'} a phantom in an index range read by a SELECT`, async () => {
    const tx = await open(isolation, `SELECT id FROM ${fixture.name} WHERE v BETWEEN 15 AND 25`, `UPDATE ${fixture.name} SET on_call = 1 WHERE id = 3`);
    await write(`INSERT INTO ${fixture.name} VALUES (7, 0, 22)`);
    expect(await commit(tx)).toBe(plainReadOutcome);
  });
});

it('at serializable, refuses a lost update: two increments of one row, the second commit conflicts', async () => {
  const first = await open('serializable', `UPDATE ${fixture.name} SET v = v + 1 WHERE id = 1`);
  const second = await open('serializable', `UPDATE ${fixture.name} SET v = v + 1 WHERE id = 1`);
  expect(await commit(first)).toBeNull();
  expect(await commit(second)).toBe('TX_CONFLICT');
  expect(await rows(`SELECT v FROM ${fixture.name} WHERE id = 1`)).toEqual([[11]]);
});

describe.each<Isolation>(['serializable', 'repeatable-read'])('at %s', (isolation) => {

  it('refuses an UPDATE whose rows another commit changed since the snapshot, even when only a SELECT read them first', async () => {
    const tx = await open(isolation, `SELECT v FROM ${fixture.name} WHERE id = 2`, `UPDATE ${fixture.name} SET v = 25 WHERE id = 2`);
    await write(`UPDATE ${fixture.name} SET v = 21 WHERE id = 2`);
    expect(await commit(tx)).toBe('TX_CONFLICT');
    expect(await rows(`SELECT v FROM ${fixture.name} WHERE id = 2`)).toEqual([[21]]);
  });

  it('refuses an UPDATE … WHERE over a range a commit since inserted into (its read is a writing statement\'s)', async () => {
    const tx = await open(isolation, `UPDATE ${fixture.name} SET on_call = 0 WHERE v BETWEEN 15 AND 25`);
    await write(`INSERT INTO ${fixture.name} VALUES (8, 1, 18)`);
    expect(await commit(tx)).toBe('TX_CONFLICT');
  });

  it('refuses a duplicate UNIQUE value inserted by a commit since', async () => {
    await write(`CREATE TABLE ${fixture.name}_u (id INT PRIMARY KEY, email VARCHAR(20), UNIQUE KEY by_email (email))`);
    const first = await open(isolation, `INSERT INTO ${fixture.name}_u VALUES (1, 'a@x')`);
    const second = await open(isolation, `INSERT INTO ${fixture.name}_u VALUES (2, 'a@x')`);
    expect(await commit(first)).toBeNull();
    expect(await commit(second)).toBe('TX_CONFLICT');
    expect(await rows(`SELECT id FROM ${fixture.name}_u`)).toEqual([[1]]);
  });

  it('refuses a child row whose parent a commit since deleted', async () => {
    await write(`CREATE TABLE ${fixture.name}_c (id INT PRIMARY KEY, parent INT, FOREIGN KEY (parent) REFERENCES ${fixture.name} (id))`);
    const child = await open(isolation, `INSERT INTO ${fixture.name}_c VALUES (1, 3)`);
    const remover = await open(isolation, `DELETE FROM ${fixture.name} WHERE id = 3`);
    expect(await commit(remover)).toBeNull();
    expect(await commit(child)).toBe('TX_CONFLICT');
    expect(await rows(`SELECT COUNT(*) FROM ${fixture.name}_c`)).toEqual([[0]]);
  });

  it.each(['FOR UPDATE', 'FOR SHARE', 'LOCK IN SHARE MODE'])('validates rows read %s', async (clause) => {
    const tx = await open(isolation, `SELECT * FROM ${fixture.name} WHERE id = 3 ${clause}`, `UPDATE ${fixture.name} SET on_call = 0 WHERE id = 1`);
    await write(`UPDATE ${fixture.name} SET v = 31 WHERE id = 3`);
    expect(await commit(tx)).toBe('TX_CONFLICT');
  });

  it('refuses a transaction whose table changed schema since its snapshot, though it only read it', async () => {
    const tx = await open(isolation, `SELECT * FROM ${fixture.name} WHERE id = 1`, `INSERT INTO ${fixture.name} VALUES (9, 0, 90)`);
    await write(`ALTER TABLE ${fixture.name} ADD COLUMN x INT`);
    expect(await commit(tx)).toBe('TX_CONFLICT');
  });
});

// Run in an open transaction; resolves to its rows (a SELECT's, integers as numbers), or
// throws its error.
async function runIn(tx: string, sql: string): Promise<unknown[][]> {
  const { results } = await fixture.node.transactions.run(tx, [{ sql, params: [] }]);
  return results[0]!.rows.map((row) => row.map((value) => (typeof value === 'bigint' ? Number(value) : value)));
}

describe('at repeatable-read, writing statements read the newest committed rows (a current read, as InnoDB)', () => {
  it('an UPDATE of a row committed since the snapshot builds on the newer row and commits; plain SELECTs keep the snapshot', async () => {
    const tx = await open('repeatable-read', `SELECT v FROM ${fixture.name} WHERE id = 1`);
    await write(`UPDATE ${fixture.name} SET v = 11 WHERE id = 1`);
    await write(`UPDATE ${fixture.name} SET v = 21 WHERE id = 2`);
    await runIn(tx, `UPDATE ${fixture.name} SET v = v + 1 WHERE id = 1`);
    // Its own write over the newer row; the other row as of the snapshot.
    expect(await runIn(tx, `SELECT id, v FROM ${fixture.name} WHERE id IN (1, 2) ORDER BY id`)).toEqual([[1, 12], [2, 20]]);
    expect(await commit(tx)).toBeNull();
    expect(await rows(`SELECT id, v FROM ${fixture.name} WHERE id IN (1, 2) ORDER BY id`)).toEqual([[1, 12], [2, 21]]);
  });

  it('the same at serializable conflicts: the UPDATE read the snapshot, which the commit since overwrote', async () => {
    const tx = await open('serializable', `SELECT v FROM ${fixture.name} WHERE id = 3`);
    await write(`UPDATE ${fixture.name} SET v = 11 WHERE id = 1`);
    await runIn(tx, `UPDATE ${fixture.name} SET v = v + 1 WHERE id = 1`);
    expect(await commit(tx)).toBe('TX_CONFLICT');
    expect(await rows(`SELECT v FROM ${fixture.name} WHERE id = 1`)).toEqual([[11]]);
  });

  it('still refuses a lost update after the current read: a commit that wrote the row after the UPDATE read it', async () => {
    const tx = await open('repeatable-read', `SELECT v FROM ${fixture.name} WHERE id = 3`);
    await write(`UPDATE ${fixture.name} SET v = 11 WHERE id = 1`);
    await runIn(tx, `UPDATE ${fixture.name} SET v = v + 1 WHERE id = 1`);
    // Built on the newer row: the read was a current one.
    expect(await runIn(tx, `SELECT v FROM ${fixture.name} WHERE id = 1`)).toEqual([[12]]);
    await write(`UPDATE ${fixture.name} SET v = 100 WHERE id = 1`);
    expect(await commit(tx)).toBe('TX_CONFLICT');
    expect(await rows(`SELECT v FROM ${fixture.name} WHERE id = 1`)).toEqual([[100]]);
  });

  it('checks a row written before the current read from the snapshot: a commit between the two writes of it conflicts', async () => {
    const tx = await open('repeatable-read', `UPDATE ${fixture.name} SET v = 12 WHERE id = 1`);
    await write(`UPDATE ${fixture.name} SET v = 50 WHERE id = 1`);
    // Its own row answers this UPDATE, not the newer one; it must not hide the commit between.
    await runIn(tx, `UPDATE ${fixture.name} SET v = v + 1 WHERE id = 1`);
    expect(await commit(tx)).toBe('TX_CONFLICT');
    expect(await rows(`SELECT v FROM ${fixture.name} WHERE id = 1`)).toEqual([[50]]);
  });

  it('an INSERT sees a key committed since the snapshot: a duplicate at once, not a conflict at commit', async () => {
    const tx = await open('repeatable-read', `SELECT COUNT(*) FROM ${fixture.name}`);
    await write(`INSERT INTO ${fixture.name} VALUES (9, 0, 90)`);
    await expect(runIn(tx, `INSERT INTO ${fixture.name} VALUES (9, 1, 91)`)).rejects.toMatchObject({ code: 'DUPLICATE_KEY' });
    await runIn(tx, `INSERT INTO ${fixture.name} VALUES (10, 1, 100)`);
    // The snapshot's count, plus its own row.
    expect(await runIn(tx, `SELECT COUNT(*) FROM ${fixture.name}`)).toEqual([[4]]);
    expect(await commit(tx)).toBeNull();
    expect(await rows(`SELECT id FROM ${fixture.name} WHERE id >= 9 ORDER BY id`)).toEqual([[9], [10]]);
  });

  it('a DELETE … WHERE over a range reads the rows committed since, and a phantom after it conflicts', async () => {
    const tx = await open('repeatable-read', `SELECT COUNT(*) FROM ${fixture.name}`);
    await write(`INSERT INTO ${fixture.name} VALUES (7, 0, 22)`);
    await runIn(tx, `DELETE FROM ${fixture.name} WHERE v BETWEEN 15 AND 25`);
    expect(await commit(tx)).toBeNull();
    expect(await rows(`SELECT id FROM ${fixture.name} ORDER BY id`)).toEqual([[1], [3]]);

    const late = await open('repeatable-read', `SELECT COUNT(*) FROM ${fixture.name}`);
    await write(`INSERT INTO ${fixture.name} VALUES (8, 0, 12)`);
    await runIn(late, `DELETE FROM ${fixture.name} WHERE v BETWEEN 5 AND 15`);
    await write(`INSERT INTO ${fixture.name} VALUES (9, 0, 14)`);
    expect(await commit(late)).toBe('TX_CONFLICT');
    expect(await rows(`SELECT id FROM ${fixture.name} ORDER BY id`)).toEqual([[1], [3], [8], [9]]);
  });

  it('keeps a plain SELECT\'s index reads consistent with the rows the transaction wrote from a newer state', async () => {
    const tx = await open('repeatable-read', `SELECT v FROM ${fixture.name} WHERE id = 3`);
    await write(`UPDATE ${fixture.name} SET v = 11 WHERE id = 1`);
    await runIn(tx, `UPDATE ${fixture.name} SET v = v + 1 WHERE id = 1`);
    // The snapshot's entry of row 1 (v = 10) is not the transaction's row: only v = 12 is.
    expect(await runIn(tx, `SELECT id, v FROM ${fixture.name} WHERE v BETWEEN 5 AND 15`)).toEqual([[1, 12]]);
    expect(await runIn(tx, `SELECT COUNT(*) FROM ${fixture.name} WHERE v BETWEEN 5 AND 15`)).toEqual([[1]]);
    expect(await runIn(tx, `SELECT id FROM ${fixture.name} WHERE v = 10`)).toEqual([]);
    expect(await commit(tx)).toBeNull();
  });

  it('a current read sees no index entry of a row the transaction wrote that a commit since moved', async () => {
    await write(`CREATE TABLE ${fixture.name}_u (id INT PRIMARY KEY, v INT, UNIQUE KEY by_v (v))`);
    await write(`INSERT INTO ${fixture.name}_u VALUES (1, 10)`);
    const tx = await open('repeatable-read', `UPDATE ${fixture.name}_u SET v = 12 WHERE id = 1`);
    await write(`UPDATE ${fixture.name}_u SET v = 50 WHERE id = 1`);
    // To the transaction row 1 holds 12: 50 is free.
    await runIn(tx, `INSERT INTO ${fixture.name}_u VALUES (2, 50)`);
    expect(await runIn(tx, `SELECT id, v FROM ${fixture.name}_u ORDER BY id`)).toEqual([[1, 12], [2, 50]]);
    // Row 1 changed after the transaction wrote it: the commit conflicts, and changes nothing.
    expect(await commit(tx)).toBe('TX_CONFLICT');
    expect(await rows(`SELECT id, v FROM ${fixture.name}_u ORDER BY id`)).toEqual([[1, 50]]);
  });

  it('commits past 16 writing statements when one built on a commit since, and still refuses a write after the last read', async () => {
    for (const lateWrite of [false, true]) {
      await write(`UPDATE ${fixture.name} SET v = 10 WHERE id = 1`);
      const tx = await open('repeatable-read', `UPDATE ${fixture.name} SET v = v + 1 WHERE id = 1`);
      await write(`UPDATE ${fixture.name} SET v = 200 WHERE id = 2`);
      // A current read of row 2 at the newer index, then enough statements that read sets merge.
      await runIn(tx, `UPDATE ${fixture.name} SET v = v + 1 WHERE id = 2`);
      for (let at = 0; at < 16; at++) await runIn(tx, `UPDATE ${fixture.name} SET on_call = on_call WHERE id = 1`);
      if (lateWrite) await write(`UPDATE ${fixture.name} SET v = 300 WHERE id = 2`);
      expect(await commit(tx)).toBe(lateWrite ? 'TX_CONFLICT' : null);
      expect(await rows(`SELECT v FROM ${fixture.name} WHERE id IN (1, 2) ORDER BY id`)).toEqual(lateWrite ? [[10], [300]] : [[11], [201]]);
    }
  });

  it('refuses FOR UPDATE NOWAIT and SKIP LOCKED, which would wait, and the transaction goes on', async () => {
    const tx = await open('repeatable-read');
    for (const clause of ['FOR UPDATE NOWAIT', 'FOR UPDATE SKIP LOCKED', 'FOR SHARE NOWAIT']) {
      await expect(runIn(tx, `SELECT v FROM ${fixture.name} WHERE id = 1 ${clause}`)).rejects.toMatchObject({ code: 'SQL_UNSUPPORTED' });
    }
    expect(await runIn(tx, `SELECT v FROM ${fixture.name} WHERE id = 1 FOR UPDATE`)).toEqual([[10]]);
    expect(await commit(tx)).toBeNull();
  });

  it('rolls back to a savepoint over a current read, and commits what is left', async () => {
    const tx = await open('repeatable-read', `SELECT v FROM ${fixture.name} WHERE id = 3`);
    await write(`UPDATE ${fixture.name} SET v = 11 WHERE id = 1`);
    await runIn(tx, 'SAVEPOINT s');
    await runIn(tx, `UPDATE ${fixture.name} SET v = v + 1 WHERE id = 1`);
    await runIn(tx, 'ROLLBACK TO SAVEPOINT s');
    // Undone: the snapshot's row again.
    expect(await runIn(tx, `SELECT v FROM ${fixture.name} WHERE id = 1`)).toEqual([[10]]);
    await runIn(tx, `UPDATE ${fixture.name} SET v = v + 5 WHERE id = 2`);
    expect(await commit(tx)).toBeNull();
    expect(await rows(`SELECT id, v FROM ${fixture.name} ORDER BY id`)).toEqual([[1, 11], [2, 25], [3, 30]]);
  });

  it('generates ids past those committed since the snapshot', async () => {
    await write(`CREATE TABLE ${fixture.name}_a (id INT PRIMARY KEY AUTO_INCREMENT, v INT)`);
    const tx = await open('repeatable-read', `SELECT COUNT(*) FROM ${fixture.name}_a`);
    for (let row = 0; row < 5; row++) await write(`INSERT INTO ${fixture.name}_a (v) VALUES (${row})`);
    await runIn(tx, `INSERT INTO ${fixture.name}_a (v) VALUES (100), (101)`);
    expect(await commit(tx)).toBeNull();
    const ids = (await rows(`SELECT id FROM ${fixture.name}_a ORDER BY id`)).map(([id]) => Number(id));
    expect(ids).toHaveLength(7);
    expect(new Set(ids).size).toBe(7);
    expect(Math.min(...ids.slice(5))).toBeGreaterThan(Math.max(...ids.slice(0, 5)));
  });

  it('lets a client-computed value from a plain SELECT overwrite a commit made since, as MySQL does; serializable refuses it', async () => {
    for (const [isolation, outcome] of [['repeatable-read', null], ['serializable', 'TX_CONFLICT']] as const) {
      await write(`UPDATE ${fixture.name} SET v = 20 WHERE id = 2`);
      const tx = await open(isolation, `SELECT v FROM ${fixture.name} WHERE id = 2`);
      await write(`UPDATE ${fixture.name} SET v = 21 WHERE id = 2`);
      await runIn(tx, `UPDATE ${fixture.name} SET v = 25 WHERE id = 2`);
      expect(await commit(tx)).toBe(outcome);
      expect(await rows(`SELECT v FROM ${fixture.name} WHERE id = 2`)).toEqual([[outcome === null ? 25 : 21]]);
    }
  });

  it('SELECT … FOR UPDATE reads the newest committed row too', async () => {
    const tx = await open('repeatable-read', `SELECT v FROM ${fixture.name} WHERE id = 3`);
    await write(`UPDATE ${fixture.name} SET v = 33 WHERE id = 3`);
    expect(await runIn(tx, `SELECT v FROM ${fixture.name} WHERE id = 3`)).toEqual([[30]]);
    expect(await runIn(tx, `SELECT v FROM ${fixture.name} WHERE id = 3 FOR UPDATE`)).toEqual([[33]]);
    await runIn(tx, `UPDATE ${fixture.name} SET on_call = 1 WHERE id = 1`);
    expect(await commit(tx)).toBeNull();
  });
});

// Whether a promise settles within `ms`.
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([promise.then(() => true, () => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);
}

describe('at repeatable-read, row locks: a transaction waits for rows another holds, as in InnoDB', () => {
  it('a second UPDATE of a row waits for the first transaction, then builds on its commit: both increments count', async () => {
    const first = await open('repeatable-read', `UPDATE ${fixture.name} SET v = v + 1 WHERE id = 1`);
    const second = await open('repeatable-read');
    const waiting = runIn(second, `UPDATE ${fixture.name} SET v = v + 1 WHERE id = 1`);
    expect(await settlesWithin(waiting, 150)).toBe(false);
    // Rows the first does not hold are not waited for.
    const third = await open('repeatable-read');
    expect(await settlesWithin(runIn(third, `UPDATE ${fixture.name} SET v = v + 1 WHERE id = 2`), 2000)).toBe(true);
    expect(await commit(third)).toBeNull();
    expect(await commit(first)).toBeNull();
    await waiting;
    expect(await runIn(second, `SELECT v FROM ${fixture.name} WHERE id = 1`)).toEqual([[12]]);
    expect(await commit(second)).toBeNull();
    expect(await rows(`SELECT id, v FROM ${fixture.name} WHERE id IN (1, 2) ORDER BY id`)).toEqual([[1, 12], [2, 21]]);
  });

  it('a rollback lets the waiting transaction on, on the row as it was', async () => {
    const first = await open('repeatable-read', `UPDATE ${fixture.name} SET v = 99 WHERE id = 1`);
    const second = await open('repeatable-read');
    const waiting = runIn(second, `UPDATE ${fixture.name} SET v = v + 1 WHERE id = 1`);
    expect(await settlesWithin(waiting, 150)).toBe(false);
    await fixture.node.transactions.rollback(first);
    await waiting;
    expect(await commit(second)).toBeNull();
    expect(await rows(`SELECT v FROM ${fixture.name} WHERE id = 1`)).toEqual([[11]]);
  });

  it('rows read FOR UPDATE are locked too', async () => {
    const first = await open('repeatable-read', `SELECT v FROM ${fixture.name} WHERE id = 3 FOR UPDATE`);
    const second = await open('repeatable-read');
    const waiting = runIn(second, `UPDATE ${fixture.name} SET v = v + 1 WHERE id = 3`);
    expect(await settlesWithin(waiting, 150)).toBe(false);
    await runIn(first, `UPDATE ${fixture.name} SET v = v + 100 WHERE id = 3`);
    expect(await commit(first)).toBeNull();
    await waiting;
    expect(await commit(second)).toBeNull();
    expect(await rows(`SELECT v FROM ${fixture.name} WHERE id = 3`)).toEqual([[131]]);
  });

  it('refuses a deadlock at once and rolls that transaction back, so that the other runs on', async () => {
    const first = await open('repeatable-read', `UPDATE ${fixture.name} SET v = 1 WHERE id = 1`);
    const second = await open('repeatable-read', `UPDATE ${fixture.name} SET v = 2 WHERE id = 2`);
    const waiting = runIn(first, `UPDATE ${fixture.name} SET v = 1 WHERE id = 2`);
    expect(await settlesWithin(waiting, 150)).toBe(false);
    await expect(runIn(second, `UPDATE ${fixture.name} SET v = 2 WHERE id = 1`)).rejects.toMatchObject({ code: 'TX_CONFLICT', message: expect.stringMatching(/deadlock/) });
    // The second was rolled back: its lock on row 2 went to the first, and the commit route
    // does not answer for it as if it had committed, even after more statements.
    expect(fixture.node.transactions.inTransaction(second)).toBe(false);
    await waiting;
    await runIn(second, `UPDATE ${fixture.name} SET on_call = 0 WHERE id = 3`);
    expect(await commit(second)).toBe('TX_CONFLICT');
    expect(await commit(first)).toBeNull();
    expect(await rows(`SELECT id, v FROM ${fixture.name} WHERE id IN (1, 2) ORDER BY id`)).toEqual([[1, 1], [2, 1]]);
  });

  it('releases a rolled-back transaction\'s locks at once, though a statement of it still waits', async () => {
    const third = await open('repeatable-read', `UPDATE ${fixture.name} SET v = 3 WHERE id = 2`);
    const first = await open('repeatable-read', `UPDATE ${fixture.name} SET v = 1 WHERE id = 1`);
    const firstWaits = runIn(first, `UPDATE ${fixture.name} SET v = 1 WHERE id = 2`);
    const second = await open('repeatable-read');
    const secondWaits = runIn(second, `UPDATE ${fixture.name} SET v = v + 5 WHERE id = 1`);
    expect(await settlesWithin(secondWaits, 150)).toBe(false);
    // The first's client goes (a disconnect rolls back): row 1 is free while its wait for row 2
    // is still under way, and that wait fails.
    const rolledBack = fixture.node.transactions.rollback(first);
    expect(await settlesWithin(secondWaits, 2000)).toBe(true);
    await expect(firstWaits).rejects.toMatchObject({ code: 'TX_NOT_FOUND' });
    await rolledBack;
    expect(await commit(second)).toBeNull();
    expect(await commit(third)).toBeNull();
    expect(await rows(`SELECT id, v FROM ${fixture.name} WHERE id IN (1, 2) ORDER BY id`)).toEqual([[1, 15], [2, 3]]);
  });

  it('waits and runs a statement again however many statements ran before it', async () => {
    await write(`CREATE TABLE ${fixture.name}_m (id INT PRIMARY KEY, n INT NOT NULL)`);
    await write(`INSERT INTO ${fixture.name}_m VALUES ${Array.from({ length: 30 }, (_, at) => `(${at + 1}, 0)`).join(', ')}`);
    const long = await open('repeatable-read');
    for (let id = 1; id <= 20; id++) {
      await runIn(long, `UPDATE ${fixture.name}_m SET n = n + 1 WHERE id = ${id}`);
      // Each of its statements reads a newer state than the last.
      await write(`UPDATE ${fixture.name}_m SET n = n + 1 WHERE id = 30`);
    }
    const holder = await open('repeatable-read', `UPDATE ${fixture.name}_m SET n = 5 WHERE id = 25`);
    const waiting = runIn(long, `UPDATE ${fixture.name}_m SET n = n + 1 WHERE id = 25`);
    expect(await settlesWithin(waiting, 150)).toBe(false);
    expect(await commit(holder)).toBeNull();
    await waiting;
    expect(await commit(long)).toBeNull();
    expect(await rows(`SELECT SUM(n), MAX(n) FROM ${fixture.name}_m WHERE id <= 25`)).toEqual([[26, 6]]);
  });

  it('an autocommit write does not wait, and the locking transaction then conflicts: locks only save work, validation keeps data safe', async () => {
    const tx = await open('repeatable-read', `UPDATE ${fixture.name} SET v = v + 1 WHERE id = 1`);
    expect(await settlesWithin(write(`UPDATE ${fixture.name} SET v = 50 WHERE id = 1`), 2000)).toBe(true);
    expect(await commit(tx)).toBe('TX_CONFLICT');
    expect(await rows(`SELECT v FROM ${fixture.name} WHERE id = 1`)).toEqual([[50]]);
  });
});

describe('the level of a session', () => {
  it('defaults to serializable, and applies to the transactions begun after it is set', async () => {
    expect(fixture.node.transactions.defaultIsolation).toBe('serializable');
    // A session whose transactions end with COMMIT statements, as a MySQL session's do.
    const session = await fixture.node.transactions.open();
    const skew = [`SELECT COUNT(*) FROM ${fixture.name} WHERE on_call = 1`, `UPDATE ${fixture.name} SET on_call = 0 WHERE id = 1`, 'COMMIT'].map((sql) => ({ sql, params: [] }));
    fixture.node.transactions.setIsolation(session, 'repeatable-read');
    // The open transaction keeps serializable: its skewed commit conflicts.
    const other = await open('serializable', `SELECT COUNT(*) FROM ${fixture.name} WHERE on_call = 1`, `UPDATE ${fixture.name} SET on_call = 0 WHERE id = 2`);
    expect(await commit(other)).toBeNull();
    await expect(fixture.node.transactions.run(session, skew)).rejects.toMatchObject({ code: 'TX_CONFLICT' });
    // The next one in the same session runs at repeatable-read: the same skew commits.
    await write(`UPDATE ${fixture.name} SET on_call = 1 WHERE id IN (1, 2)`);
    await fixture.node.transactions.run(session, [{ sql: 'BEGIN', params: [] }]);
    const rival = await open('serializable', `SELECT COUNT(*) FROM ${fixture.name} WHERE on_call = 1`, `UPDATE ${fixture.name} SET on_call = 0 WHERE id = 2`);
    expect(await commit(rival)).toBeNull();
    await fixture.node.transactions.run(session, skew);
    expect(await rows(`SELECT id, on_call FROM ${fixture.name} ORDER BY id`)).toEqual([[1, 0], [2, 0], [3, 0]]);
  });
});
