// Interactive transactions over HTTP against a real node (LMDB, Raft log, sockets): concurrent
// transfers keep the sum of balances in every snapshot, concurrent increments lose no update,
// write skew is refused, a conflict changes nothing, only committed changes reach the change
// stream (all under the commit's transaction id), AUTO_INCREMENT ids are kept at commit and
// leave a gap on rollback, and the statements that control a transaction work as SQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessNode } from '../http/in-process-node.js';
import type { InProcessNode } from '../http/in-process-node.js';
import { subscribe } from '../streams/stream-client.js';
import { seededRandom } from '../support/seeded-random.js';
import { retried, TxClient } from './tx-http.js';

let node: InProcessNode;
let client: TxClient;
let port: number;

beforeAll(async () => {
  node = await startInProcessNode();
  port = await node.listen();
  client = new TxClient(`http://127.0.0.1:${port}`);
});
afterAll(async () => node.close());

async function write(sql: string): Promise<void> {
  const answer = await client.sql(sql);
  if (answer.status !== 200) throw new Error(`${sql}: ${JSON.stringify(answer.body)}`);
}

describe('serializable transactions under concurrency', () => {
  it('keeps the sum of balances in every snapshot through concurrent transfers, rollbacks and conflicts', async () => {
    const accounts = 6;
    const total = accounts * 100;
    await write('CREATE TABLE accounts (id INT PRIMARY KEY, balance INT NOT NULL)');
    await write(`INSERT INTO accounts VALUES ${Array.from({ length: accounts }, (_, at) => `(${at}, 100)`).join(', ')}`);
    const random = seededRandom(Number(process.env['SEED'] ?? 9));
    const counts = { committed: 0, conflicts: 0, rolledBack: 0 };
    const sums: number[] = [];
    const transfer = async (): Promise<void> => {
      const from = Math.floor(random() * accounts);
      const to = (from + 1 + Math.floor(random() * (accounts - 1))) % accounts;
      const amount = 1 + Math.floor(random() * 20);
      const tx = await client.open();
      const [[balance]] = (await client.rows('SELECT balance FROM accounts WHERE id = ?', tx, [from])) as [[number]];
      await client.rows('UPDATE accounts SET balance = ? WHERE id = ?', tx, [balance - amount, from]);
      await client.rows('UPDATE accounts SET balance = balance + ? WHERE id = ?', tx, [amount, to]);
      // Inside the transaction the sum holds too: its snapshot plus its own writes.
      sums.push(Number((await client.rows('SELECT SUM(balance) FROM accounts', tx))[0]![0]));
      if (random() < 0.2) {
        expect((await client.rollback(tx)).status).toBe(200);
        counts.rolledBack++;
        return;
      }
      const commit = await client.commit(tx);
      if (commit.status === 200) counts.committed++;
      else {
        expect(commit.body.error?.code).toBe('TX_CONFLICT');
        counts.conflicts++;
      }
    };
    const auditor = async (): Promise<void> => {
      for (let round = 0; round < 10; round++) {
        const tx = await client.open();
        const [[viaTx]] = (await client.rows('SELECT SUM(balance) FROM accounts', tx)) as [[number]];
        const rows = (await client.rows('SELECT balance FROM accounts', tx)) as [number][];
        sums.push(Number(viaTx), rows.reduce((sum, [balance]) => sum + Number(balance), 0));
        expect((await client.commit(tx)).body['tx_id']).toBeNull();
        sums.push(Number((await client.rows('SELECT SUM(balance) FROM accounts'))[0]![0]));
      }
    };
    const worker = async (): Promise<void> => {
      for (let round = 0; round < 12; round++) await transfer();
    };
    await Promise.all([worker(), worker(), worker(), worker(), auditor()]);
    expect(new Set(sums)).toEqual(new Set([total]));
    expect(counts.committed).toBeGreaterThan(0);
    expect(counts.conflicts + counts.rolledBack).toBeGreaterThan(0);
    expect(Number((await client.rows('SELECT SUM(balance) FROM accounts'))[0]![0])).toBe(total);
  });

  it('loses no update: concurrent increments retried on TX_CONFLICT add up to the commits', async () => {
    await write('CREATE TABLE counter (id INT PRIMARY KEY, n INT NOT NULL)');
    await write('INSERT INTO counter VALUES (1, 0)');
    let commits = 0;
    let attempts = 0;
    const incrementer = async (): Promise<void> => {
      for (let round = 0; round < 6; round++) {
        const result = await retried(client, async (tx) => {
          const [[n]] = (await client.rows('SELECT n FROM counter WHERE id = 1', tx)) as [[number]];
          await client.rows('UPDATE counter SET n = ? WHERE id = 1', tx, [Number(n) + 1]);
        });
        commits++;
        attempts += result.attempts;
      }
    };
    await Promise.all(Array.from({ length: 5 }, incrementer));
    expect(await client.rows('SELECT n FROM counter')).toEqual([[commits]]);
    expect(commits).toBe(30);
    // Some rounds raced: they were refused, not lost.
    expect(attempts).toBeGreaterThan(commits);
  });

  it('prevents write skew: of two doctors who each read both and go off call, one fails', async () => {
    await write('CREATE TABLE doctors (name VARCHAR(10) PRIMARY KEY, on_call BOOLEAN NOT NULL)');
    await write("INSERT INTO doctors VALUES ('alice', TRUE), ('bob', TRUE)");
    const alice = await client.open();
    const bob = await client.open();
    for (const [tx, name] of [[alice, 'alice'], [bob, 'bob']] as const) {
      expect(await client.rows('SELECT COUNT(*) FROM doctors WHERE on_call', tx)).toEqual([[2]]);
      await client.rows('UPDATE doctors SET on_call = FALSE WHERE name = ?', tx, [name]);
    }
    const answers = [await client.commit(alice), await client.commit(bob)];
    expect(answers.map((answer) => answer.status)).toEqual([200, 409]);
    expect(answers[1]!.body.error).toMatchObject({ code: 'TX_CONFLICT', mysql_errno: 1213, sqlstate: '40001' });
    expect(await client.rows('SELECT name FROM doctors WHERE on_call')).toEqual([['bob']]);
  });

  it('allows that write skew in transactions opened with "isolation": "repeatable-read", and refuses an unknown level', async () => {
    await write('CREATE TABLE doctors_rr (name VARCHAR(10) PRIMARY KEY, on_call BOOLEAN NOT NULL)');
    await write("INSERT INTO doctors_rr VALUES ('alice', TRUE), ('bob', TRUE)");
    const opened = await Promise.all([client.post('/v1/tx', { isolation: 'repeatable-read' }), client.post('/v1/tx', { isolation: 'repeatable-read' })]);
    const [alice, bob] = opened.map((answer) => answer.body['tx'] as string);
    for (const [tx, name] of [[alice!, 'alice'], [bob!, 'bob']] as const) {
      expect(await client.rows('SELECT COUNT(*) FROM doctors_rr WHERE on_call', tx)).toEqual([[2]]);
      await client.rows('UPDATE doctors_rr SET on_call = FALSE WHERE name = ?', tx, [name]);
    }
    expect([(await client.commit(alice!)).status, (await client.commit(bob!)).status]).toEqual([200, 200]);
    expect(await client.rows('SELECT name FROM doctors_rr WHERE on_call')).toEqual([]);
    const unknown = await client.post('/v1/tx', { isolation: 'snapshot' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error?.code).toBeDefined();
  });

  it('changes nothing when the commit conflicts', async () => {
    await write('CREATE TABLE items (id INT PRIMARY KEY, v INT)');
    await write('INSERT INTO items VALUES (1, 1)');
    const tx = await client.open();
    await client.rows('UPDATE items SET v = 2 WHERE id = 1', tx);
    await client.rows('INSERT INTO items VALUES (2, 2), (3, 3)', tx);
    await write('UPDATE items SET v = 9 WHERE id = 1');
    const before = await client.rows('SELECT * FROM items ORDER BY id');
    expect((await client.commit(tx)).body.error?.code).toBe('TX_CONFLICT');
    expect(await client.rows('SELECT * FROM items ORDER BY id')).toEqual(before);
    expect(before).toEqual([[1, 9]]);
  });
});

describe('commit and the change stream', () => {
  it('streams a committed transaction under its one id, and nothing of one rolled back or conflicting', async () => {
    await write('CREATE TABLE orders (id INT PRIMARY KEY, what VARCHAR(20))');
    const stream = await subscribe(port, 'table=orders&from=now');
    try {
      const dropped = await client.open();
      await client.rows("INSERT INTO orders VALUES (1, 'rolled back')", dropped);
      await client.rollback(dropped);
      const clash = await client.open();
      await client.rows('SELECT * FROM orders WHERE id = 5', clash);
      await client.rows("INSERT INTO orders VALUES (2, 'conflicted')", clash);
      const kept = await client.open();
      await client.rows("INSERT INTO orders VALUES (3, 'a'), (4, 'b')", kept);
      await client.rows("UPDATE orders SET what = 'c' WHERE id = 3", kept);
      await write("INSERT INTO orders VALUES (5, 'autocommit')");
      expect((await client.commit(clash)).status).toBe(409);
      const commit = await client.commit(kept);
      expect(commit.status).toBe(200);
      const txId = commit.body['tx_id'] as string;
      expect(txId).toMatch(/^[0-9]+$/);
      expect(BigInt(commit.body['lsn'] as string) >> 20n).toBe(BigInt(txId));
      await stream.waitFor((event) => event.transaction?.id === txId && event.transaction.order === event.transaction.total);
      const rows = stream.events.filter((event) => event.type === 'change');
      expect(rows.map((event) => [event.op, event.after?.['what'] ?? null, event.transaction?.id])).toEqual([
        ['c', 'autocommit', expect.any(String)],
        ['c', 'a', txId],
        ['c', 'b', txId],
        ['u', 'c', txId],
      ]);
    } finally {
      stream.close();
    }
  });
});

describe('LAST_INSERT_ID()', () => {
  it('answers the id generated earlier in the same request or transaction, and is refused where none was', async () => {
    await write('CREATE TABLE parents (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(10))');
    await write('CREATE TABLE kids (id INT AUTO_INCREMENT PRIMARY KEY, parent_id INT, name VARCHAR(10))');
    await write("INSERT INTO parents (name) VALUES ('first')");
    // One request: the parent's id, then the kid's own (as in MySQL, the latest INSERT's).
    const batch = await client.post('/v1/sql', {
      statements: [
        { sql: "INSERT INTO parents (name) VALUES ('ann'), ('bo')" },
        { sql: "INSERT INTO kids (parent_id, name) VALUES (LAST_INSERT_ID(), 'cy')" },
        { sql: "INSERT INTO kids (parent_id, name) SELECT LAST_INSERT_ID(), 'di'" },
      ],
    });
    expect(batch.status).toBe(200);
    expect(await client.rows('SELECT name, parent_id FROM kids ORDER BY id')).toEqual([['cy', 2], ['di', 1]]);
    // A transaction remembers it across its requests.
    const tx = await client.open();
    await client.rows("INSERT INTO parents (name) VALUES ('ed')", tx);
    expect(await client.rows('SELECT LAST_INSERT_ID()', tx)).toEqual([[4]]);
    await client.rows("INSERT INTO kids (parent_id, name) VALUES (LAST_INSERT_ID(), 'fa')", tx);
    expect((await client.commit(tx)).status).toBe(200);
    expect(await client.rows("SELECT parent_id FROM kids WHERE name = 'fa'")).toEqual([[4]]);
    // A request that generated no id before it does not know one: refused, not 0.
    const alone = await client.sql("INSERT INTO kids (parent_id, name) VALUES (LAST_INSERT_ID(), 'gi')");
    expect(alone.status).toBe(400);
    expect(alone.body.error?.code).toBe('SQL_UNSUPPORTED');
    expect(await client.rows("SELECT COUNT(*) FROM kids WHERE name = 'gi'")).toEqual([[0]]);
    // A client that keeps a session's id passes it along; a transaction keeps its own.
    const carried = await client.post('/v1/sql', { sql: "INSERT INTO kids (parent_id, name) VALUES (LAST_INSERT_ID(), 'ha')", last_insert_id: '3' });
    expect(carried.status).toBe(200);
    expect(await client.rows("SELECT parent_id FROM kids WHERE name = 'ha'")).toEqual([[3]]);
    const inTx = await client.post('/v1/sql', { sql: 'SELECT 1', tx: await client.open(), last_insert_id: '3' });
    expect(inTx.body.error?.code).toBe('REQUEST_INVALID');
  });
});

describe('AUTO_INCREMENT', () => {
  it('gives the id at INSERT, keeps it at commit, and leaves a gap after a rollback', async () => {
    await write('CREATE TABLE notes (id INT PRIMARY KEY AUTO_INCREMENT, body VARCHAR(20))');
    const first = await client.open();
    const inserted = await client.sql("INSERT INTO notes (body) VALUES ('one')", first);
    const firstId = inserted.body['results'] as { last_insert_id: number }[];
    expect(firstId[0]!.last_insert_id).toBe(1);
    expect(await client.rows('SELECT body FROM notes WHERE id = 1', first)).toEqual([['one']]);
    // An autocommit insert meanwhile takes an id past the reserved ones.
    await write("INSERT INTO notes (body) VALUES ('outside')");
    expect((await client.commit(first)).status).toBe(200);
    const dropped = await client.open();
    const droppedId = ((await client.sql("INSERT INTO notes (body) VALUES ('gone')", dropped)).body['results'] as { last_insert_id: number }[])[0]!.last_insert_id;
    await client.rollback(dropped);
    const last = await client.open();
    const lastId = ((await client.sql("INSERT INTO notes (body) VALUES ('two')", last)).body['results'] as { last_insert_id: number }[])[0]!.last_insert_id;
    expect((await client.commit(last)).status).toBe(200);
    const rows = (await client.rows('SELECT id, body FROM notes ORDER BY id')) as [number, string][];
    expect(rows[0]).toEqual([1, 'one']);
    // Ids come from blocks reserved through the log (the node's, an autocommit write's past
    // them): unique, and in order within each, not across them.
    expect(rows.map(([, body]) => body).sort()).toEqual(['one', 'outside', 'two']);
    expect(rows.find(([, body]) => body === 'two')![0]).toBe(lastId);
    expect(lastId).toBeGreaterThan(droppedId);
    expect(rows.some(([id]) => id === droppedId)).toBe(false);
  });
});

describe('AUTO_INCREMENT across transactions', () => {
  const idOf = async (tx: string, sql: string): Promise<number> => {
    const answer = await client.sql(sql, tx);
    if (answer.status !== 200) throw new Error(JSON.stringify(answer.body));
    return (answer.body['results'] as { last_insert_id: number }[])[0]!.last_insert_id;
  };

  it('numbers consecutive transactions consecutively, and moves past an id set by hand', async () => {
    await write('CREATE TABLE tickets (id INT PRIMARY KEY AUTO_INCREMENT, v INT)');
    const ids: number[] = [];
    for (let round = 0; round < 3; round++) {
      const tx = await client.open();
      ids.push(await idOf(tx, 'INSERT INTO tickets (v) VALUES (1), (2)'));
      ids.push(await idOf(tx, 'INSERT INTO tickets (v) VALUES (3)'));
      expect((await client.commit(tx)).status).toBe(200);
    }
    expect(ids).toEqual([1, 3, 4, 6, 7, 9]);
    const tx = await client.open();
    await client.rows('INSERT INTO tickets VALUES (500, 0)', tx);
    const after = await idOf(tx, 'INSERT INTO tickets (v) VALUES (5)');
    expect(after).toBeGreaterThan(500);
    expect((await client.commit(tx)).status).toBe(200);
    expect(await idOf(await client.open(), 'INSERT INTO tickets (v) VALUES (6)')).toBeGreaterThan(after);
    expect(await client.rows('SELECT COUNT(*) FROM tickets')).toEqual([[11]]);
  });
});

describe('transaction statements as SQL', () => {
  it('runs SAVEPOINT, ROLLBACK TO, COMMIT and BEGIN inside a tx request', async () => {
    await write('CREATE TABLE marks (id INT PRIMARY KEY)');
    const tx = await client.open();
    const answer = await client.post('/v1/sql', {
      tx,
      statements: [{ sql: 'INSERT INTO marks VALUES (1)' }, { sql: 'SAVEPOINT s1' }, { sql: 'INSERT INTO marks VALUES (2)' }, { sql: 'ROLLBACK TO SAVEPOINT s1' }, { sql: 'INSERT INTO marks VALUES (3)' }, { sql: 'SELECT id FROM marks ORDER BY id' }, { sql: 'COMMIT' }],
    });
    expect(answer.status).toBe(200);
    expect((answer.body['results'] as { rows: unknown[][] }[])[5]!.rows).toEqual([[1], [3]]);
    expect(await client.rows('SELECT id FROM marks ORDER BY id')).toEqual([[1], [3]]);
    // After COMMIT the handle stays, and its next statement begins a new transaction.
    await client.rows('BEGIN', tx);
    await client.rows('INSERT INTO marks VALUES (4)', tx);
    await client.rows('ROLLBACK', tx);
    expect((await client.sql('ROLLBACK TO s1', tx)).body.error?.code).toBe('SAVEPOINT_NOT_FOUND');
    expect((await client.commit(tx)).body['tx_id']).toBeNull();
    expect(await client.rows('SELECT id FROM marks ORDER BY id')).toEqual([[1], [3]]);
  });

  it('commits a transaction before a DDL in it, as MySQL does', async () => {
    await write('CREATE TABLE before_ddl (id INT PRIMARY KEY)');
    const tx = await client.open();
    await client.rows('INSERT INTO before_ddl VALUES (1)', tx);
    await client.rows('CREATE TABLE after_ddl (id INT PRIMARY KEY)', tx);
    await client.rollback(tx);
    expect(await client.rows('SELECT id FROM before_ddl')).toEqual([[1]]);
    expect(await client.rows('SELECT COUNT(*) FROM after_ddl')).toEqual([[0]]);
  });

  it('undoes only the failed statement: the transaction stays open', async () => {
    await write('CREATE TABLE uniq (id INT PRIMARY KEY)');
    const tx = await client.open();
    await client.rows('INSERT INTO uniq VALUES (1)', tx);
    const failed = await client.sql('INSERT INTO uniq VALUES (2), (1)', tx);
    expect(failed.body.error?.code).toBe('DUPLICATE_KEY');
    expect(await client.rows('SELECT id FROM uniq', tx)).toEqual([[1]]);
    expect((await client.commit(tx)).status).toBe(200);
    expect(await client.rows('SELECT id FROM uniq')).toEqual([[1]]);
  });
});
