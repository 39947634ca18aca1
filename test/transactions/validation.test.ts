// The leader's validation of a committing transaction: it fails with TX_CONFLICT, changing
// nothing, exactly when an entry after its snapshot wrote what it read (a row, a key range, an
// index range — phantoms included), wrote what it wrote, or changed its tables' schema; and
// when its snapshot is older than the window. Runs transactions through the protocol-free API
// of a real in-process node (LMDB, Raft log), with autocommit writes racing them.
import { describe, expect, it } from 'vitest';
import { ConflictWindow } from '../../services/write/conflict-window.js';
import { ReadSet } from '../../services/write/read-set.js';
import { useNodeWithTables } from './node-with-tables.js';

// A fresh table per test: id primary key, v indexed, w free.
const fixture = useNodeWithTables('t', (name) => [`CREATE TABLE ${fixture.name} (id INT PRIMARY KEY, v INT, w INT, INDEX by_v (v))`, `INSERT INTO ${fixture.name} VALUES (1, 10, 0), (2, 20, 0), (3, 30, 0), (50, 500, 0)`]);
const { write, rows } = fixture;

// Opens a transaction, runs `reads` then a write in it, lets `between` commit meanwhile, and
// commits: resolves to the commit's error code, or null when it committed.
async function outcome(reads: string, between: string): Promise<string | null> {
  const tx = await fixture.node.transactions.open();
  await fixture.node.transactions.run(tx, [{ sql: reads, params: [] }]);
  await fixture.node.transactions.run(tx, [{ sql: `UPDATE ${fixture.name} SET w = w + 1 WHERE id = 1`, params: [] }]);
  await write(between);
  return fixture.commit(tx);
}

describe('validation at commit', () => {
  it('refuses a point read overwritten since the snapshot, and changes nothing', async () => {
    expect(await outcome(`SELECT * FROM ${fixture.name} WHERE id = 2`, `UPDATE ${fixture.name} SET v = 21 WHERE id = 2`)).toBe('TX_CONFLICT');
    expect(await rows(`SELECT id, w FROM ${fixture.name} WHERE id = 1`)).toEqual([[1, 0]]);
  });

  it('commits when the write since the snapshot is of a row it did not read', async () => {
    expect(await outcome(`SELECT * FROM ${fixture.name} WHERE id = 2`, `UPDATE ${fixture.name} SET v = 31 WHERE id = 3`)).toBeNull();
    expect(await rows(`SELECT id, w FROM ${fixture.name} WHERE id = 1`)).toEqual([[1, 1]]);
  });

  it('refuses a phantom: a row inserted into a key range it read', async () => {
    expect(await outcome(`SELECT * FROM ${fixture.name} WHERE id BETWEEN 2 AND 10`, `INSERT INTO ${fixture.name} VALUES (5, 55, 0)`)).toBe('TX_CONFLICT');
  });

  it('commits when the insert falls outside the range read', async () => {
    expect(await outcome(`SELECT * FROM ${fixture.name} WHERE id BETWEEN 2 AND 10`, `INSERT INTO ${fixture.name} VALUES (11, 55, 0)`)).toBeNull();
  });

  it('narrows a scan stopped by LIMIT to the keys it passed over', async () => {
    expect(await outcome(`SELECT * FROM ${fixture.name} ORDER BY id LIMIT 2`, `INSERT INTO ${fixture.name} VALUES (40, 1, 0)`)).toBeNull();
    expect(await outcome(`SELECT * FROM ${fixture.name} ORDER BY id LIMIT 2`, `DELETE FROM ${fixture.name} WHERE id = 2`)).toBe('TX_CONFLICT');
  });

  it('refuses an index-range phantom: a row whose indexed value falls in the range read', async () => {
    expect(await outcome(`SELECT id FROM ${fixture.name} WHERE v BETWEEN 15 AND 25`, `INSERT INTO ${fixture.name} VALUES (7, 22, 0)`)).toBe('TX_CONFLICT');
  });

  it('commits when the indexed value falls outside the index range read', async () => {
    expect(await outcome(`SELECT id FROM ${fixture.name} WHERE v BETWEEN 15 AND 25`, `INSERT INTO ${fixture.name} VALUES (8, 99, 0)`)).toBeNull();
  });

  it('refuses a full scan when any row of the table changed', async () => {
    expect(await outcome(`SELECT COUNT(*) FROM ${fixture.name}`, `INSERT INTO ${fixture.name} VALUES (1000, 1, 0)`)).toBe('TX_CONFLICT');
  });

  it('refuses a lost update: the row it wrote was written since', async () => {
    expect(await outcome('SELECT 1', `UPDATE ${fixture.name} SET w = 7 WHERE id = 1`)).toBe('TX_CONFLICT');
    expect(await rows(`SELECT w FROM ${fixture.name} WHERE id = 1`)).toEqual([[7]]);
  });

  it('refuses a transaction whose table changed schema since its snapshot', async () => {
    expect(await outcome('SELECT 1', `ALTER TABLE ${fixture.name} ADD COLUMN x INT`)).toBe('TX_CONFLICT');
  });

  it("refuses a transaction whose table changed schema since its snapshot when its only use of the table was a SELECT run on a kept plan", async () => {
    await write(`CREATE TABLE ${fixture.name}_other (id INT PRIMARY KEY)`);
    const readThenWriteElsewhere = async (id: number, between: string | null): Promise<string | null> => {
      const tx = await fixture.node.transactions.open();
      await fixture.node.transactions.run(tx, [{ sql: `SELECT v FROM ${fixture.name} WHERE id = 2`, params: [] }]);
      await fixture.node.transactions.run(tx, [{ sql: `INSERT INTO ${fixture.name}_other VALUES (${id})`, params: [] }]);
      if (between !== null) await write(between);
      return fixture.commit(tx);
    };
    // The first plans the SELECT and keeps its plan; the second's snapshot has the same catalog
    // and runs it on that plan.
    expect(await readThenWriteElsewhere(1, null)).toBeNull();
    expect(await readThenWriteElsewhere(2, `ALTER TABLE ${fixture.name} ADD COLUMN x INT`)).toBe('TX_CONFLICT');
  });

  it('refuses a point read run on a kept plan (read at once) that a commit since overwrote', async () => {
    const readThenWrite = async (between: string): Promise<string | null> => {
      const tx = await fixture.node.transactions.open();
      await fixture.node.transactions.run(tx, [{ sql: `SELECT v, w FROM ${fixture.name} WHERE id = ?`, params: [2] }]);
      await fixture.node.transactions.run(tx, [{ sql: `UPDATE ${fixture.name} SET w = w + 1 WHERE id = 1`, params: [] }]);
      await write(between);
      return fixture.commit(tx);
    };
    // The first run plans the SELECT and keeps its plan; the later ones read by it.
    expect(await readThenWrite(`UPDATE ${fixture.name} SET v = 31 WHERE id = 3`)).toBeNull();
    expect(await readThenWrite(`UPDATE ${fixture.name} SET v = 21 WHERE id = 2`)).toBe('TX_CONFLICT');
    expect(await readThenWrite(`DELETE FROM ${fixture.name} WHERE id = 2`)).toBe('TX_CONFLICT');
    expect(await rows(`SELECT id, w FROM ${fixture.name} WHERE id = 1`)).toEqual([[1, 1]]);
  });

  it("names the failing statement of several, whether its kept plan reads at once or not", async () => {
    const details: unknown[] = [];
    for (let run = 0; run < 3; run++) {
      const tx = await fixture.node.transactions.open();
      const failed = await fixture.node.transactions.run(tx, [{ sql: 'SELECT 1', params: [] }, { sql: `SELECT v * 9223372036854775807 FROM ${fixture.name} WHERE id = ?`, params: [3] }]).catch((error: unknown) => error);
      details.push({ code: (failed as { code?: string }).code, index: (failed as { details?: { statement_index?: number } }).details?.statement_index });
      await fixture.node.transactions.rollback(tx);
    }
    expect(details).toEqual(Array.from({ length: 3 }, () => ({ code: 'VALUE_OUT_OF_RANGE', index: 1 })));
  });

  it('takes rows read FOR UPDATE into the check of later commits', async () => {
    const locker = await fixture.node.transactions.open();
    const reader = await fixture.node.transactions.open();
    await fixture.node.transactions.run(locker, [{ sql: `SELECT * FROM ${fixture.name} WHERE id = 3 FOR UPDATE`, params: [] }]);
    await fixture.node.transactions.run(locker, [{ sql: `UPDATE ${fixture.name} SET w = 1 WHERE id = 2`, params: [] }]);
    await fixture.node.transactions.run(reader, [{ sql: `SELECT * FROM ${fixture.name} WHERE id = 3`, params: [] }]);
    await fixture.node.transactions.run(reader, [{ sql: `UPDATE ${fixture.name} SET w = 1 WHERE id = 50`, params: [] }]);
    await fixture.node.transactions.commit(locker);
    await expect(fixture.node.transactions.commit(reader)).rejects.toMatchObject({ code: 'TX_CONFLICT' });
  });
});

describe('constraints checked against the snapshot', () => {
  it('refuses a commit whose UNIQUE check a concurrent insert of the same value invalidated', async () => {
    await write(`CREATE TABLE ${fixture.name}_u (id INT PRIMARY KEY, email VARCHAR(20), UNIQUE KEY by_email (email))`);
    const tx = await fixture.node.transactions.open();
    await fixture.node.transactions.run(tx, [{ sql: `INSERT INTO ${fixture.name}_u VALUES (1, 'a@x')`, params: [] }]);
    await write(`INSERT INTO ${fixture.name}_u VALUES (2, 'a@x')`);
    await expect(fixture.node.transactions.commit(tx)).rejects.toMatchObject({ code: 'TX_CONFLICT' });
    expect(await rows(`SELECT id FROM ${fixture.name}_u`)).toEqual([[2]]);
  });

  it('refuses a child row whose parent was deleted since the snapshot', async () => {
    await write(`CREATE TABLE ${fixture.name}_c (id INT PRIMARY KEY, parent INT, FOREIGN KEY (parent) REFERENCES ${fixture.name} (id))`);
    const tx = await fixture.node.transactions.open();
    await fixture.node.transactions.run(tx, [{ sql: `INSERT INTO ${fixture.name}_c VALUES (1, 3)`, params: [] }]);
    await write(`DELETE FROM ${fixture.name} WHERE id = 3`);
    await expect(fixture.node.transactions.commit(tx)).rejects.toMatchObject({ code: 'TX_CONFLICT' });
    expect(await rows(`SELECT COUNT(*) FROM ${fixture.name}_c`)).toEqual([[0]]);
  });
});

describe('the conflict window', () => {
  const none = new ReadSet();
  const validation = (snapshotIndex: bigint) => ({ snapshotIndex, reads: none, writtenRowKeys: new Set<string>(), writtenTableIds: new Set<number>() });

  it('refuses every snapshot until the leader knows where its records start', () => {
    const window = new ConflictWindow(() => undefined, 10, 1_000);
    expect(() => window.validate(validation(5n))).toThrow(expect.objectContaining({ code: 'TX_CONFLICT' }));
    window.settle(5n);
    expect(() => window.validate(validation(5n))).not.toThrow();
    expect(() => window.validate(validation(4n))).toThrow(/older than the writes the leader keeps/);
  });

  it('answers too old for a snapshot behind the entries it dropped to stay bounded', () => {
    const window = new ConflictWindow(() => undefined, 2, 1_000);
    window.record(11n, []);
    window.record(12n, []);
    expect(() => window.validate(validation(10n))).not.toThrow();
    window.record(13n, []);
    expect(window.floorIndex()).toBe(11n);
    expect(() => window.validate(validation(10n))).toThrow(expect.objectContaining({ code: 'TX_CONFLICT' }));
    expect(() => window.validate(validation(11n))).not.toThrow();
  });

  it('checks a current read, and the rows first written in it, from its own index; the rest from the snapshot', () => {
    const window = new ConflictWindow(() => undefined, 10, 1_000);
    window.settle(10n);
    // Keys read FOR UPDATE count as written by their entry: 'a' written at 11, 'b' at 12.
    window.record(11n, [], ['a']);
    window.record(12n, [], ['b']);
    const readsOf = (...keys: string[]): ReadSet => {
      const reads = new ReadSet();
      for (const key of keys) reads.rowKeys.add(key);
      return reads;
    };
    const current = (index: bigint, read: string[], written: string[]) => ({ index, reads: readsOf(...read), writtenRowKeys: new Set(written) });
    const check = (snapshotReads: ReadSet, written: string[], currentReads: ReturnType<typeof current>[]) => () =>
      window.validate({ snapshotIndex: 10n, reads: snapshotReads, writtenRowKeys: new Set(written), writtenTableIds: new Set<number>(), currentReads });
    // Read at 11, after the write of 'a' there: no conflict; 'b' was written after it.
    expect(check(none, [], [current(11n, ['a'], [])])).not.toThrow();
    expect(check(none, [], [current(11n, ['b'], [])])).toThrow(/a row it read or wrote/);
    // The snapshot's reads are still checked from the snapshot.
    expect(check(readsOf('a'), [], [current(12n, [], [])])).toThrow(/at index 11/);
    // A row written: from the snapshot, unless a current read claims it.
    expect(check(none, ['a'], [])).toThrow(/at index 11/);
    expect(check(none, ['a'], [current(11n, [], ['a'])])).not.toThrow();
    expect(check(none, ['b'], [current(11n, [], ['b'])])).toThrow(/at index 12/);
    expect(check(none, ['a', 'b'], [current(11n, [], []), current(12n, [], ['a', 'b'])])).not.toThrow();
  });

  it('forgets everything when the leadership changes', () => {
    const window = new ConflictWindow(() => undefined, 10, 1_000);
    window.record(3n, [{ kind: 'create_database', name: 'x' }]);
    expect(() => window.validate(validation(2n))).toThrow(/a database or view changed/);
    window.reset();
    expect(window.floorIndex()).toBeNull();
    window.record(9n, []);
    expect(window.floorIndex()).toBe(8n);
    expect(() => window.validate(validation(8n))).not.toThrow();
  });
});
