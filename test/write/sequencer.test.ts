// Proves the leader's sequencer runs each request as one transaction over applied state plus pending
// batches: real LMDB store, and an in-test Proposer whose entries apply only when the test says so.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TideError } from '../../services/base/errors.js';
import { decodeBatch } from '../../services/storage/batch-codec.js';
import { lsnOf } from '../../services/storage/lsn.js';
import { Store } from '../../services/storage/store.js';
import type { ChangeBatch, Value } from '../../services/storage/types.js';
import { Sequencer } from '../../services/write/sequencer.js';
import type { Proposer, Statement, TransactionResult } from '../../services/write/sequencer.js';
import { seededRandom } from '../support/seeded-random.js';

// Hands out consecutive indexes and applies a proposed batch only when `applyNext` is called,
// as the apply loop would: store.apply, then sequencer.onApplied, then wake the waiters.
class ManualProposer implements Proposer {
  readonly proposed: { readonly index: bigint; readonly batch: Uint8Array; readonly resolve: () => void; readonly reject: (error: unknown) => void }[] = [];
  private readonly waiters: { readonly index: bigint; readonly resolve: () => void }[] = [];
  refuse: TideError | null = null;
  private nextIndex: bigint;

  constructor(
    private readonly store: Store,
    private readonly onApplied: (index: bigint) => void,
    private readonly onLeadershipChange: () => void = () => undefined,
  ) {
    this.nextIndex = store.appliedIndex() + 1n;
  }

  propose(batch: Uint8Array): { index: bigint; applied: Promise<void> } {
    if (this.refuse !== null) throw this.refuse;
    const index = this.nextIndex++;
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const applied = new Promise<void>((done, fail) => ((resolve = done), (reject = fail)));
    this.proposed.push({ index, batch, resolve, reject });
    return { index, applied };
  }

  waitApplied(index: bigint): Promise<void> {
    if (index <= this.store.appliedIndex()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ index, resolve }));
  }

  // Reads asked and not yet confirmed: `confirmReads` answers them with the index proposed
  // last (the leader's commit index, were everything committed), as a quorum round would.
  readonly readsAsked: { readonly resolve: (index: bigint) => void; readonly reject: (error: unknown) => void }[] = [];

  async readIndex(): Promise<bigint> {
    if (this.refuse !== null) throw this.refuse;
    const index = await new Promise<bigint>((resolve, reject) => this.readsAsked.push({ resolve, reject }));
    await this.waitApplied(index);
    return index;
  }

  confirmReads(): void {
    const index = this.nextIndex - 1n;
    for (const read of this.readsAsked.splice(0)) read.resolve(index);
  }

  pendingCount(): number {
    return this.proposed.filter((entry) => entry.index > this.store.appliedIndex()).length;
  }

  applyNext(): void {
    const entry = this.nextToApply();
    const applying = this.store.apply([{ index: entry.index, term: 1n, kind: 'batch', data: entry.batch }]);
    if (applying instanceof Promise) throw new Error('a sliced apply: use applyNextSliced');
    this.applied(entry);
  }

  // applyNext for entries that may apply in slices (TRUNCATE, index builds).
  async applyNextSliced(): Promise<void> {
    const entry = this.nextToApply();
    await this.store.apply([{ index: entry.index, term: 1n, kind: 'batch', data: entry.batch }]);
    this.applied(entry);
  }

  private nextToApply(): ManualProposer['proposed'][number] {
    const entry = this.proposed.find((candidate) => candidate.index === this.store.appliedIndex() + 1n);
    if (entry === undefined) throw new Error('nothing proposed to apply');
    return entry;
  }

  private applied(entry: ManualProposer['proposed'][number]): void {
    this.onApplied(entry.index);
    entry.resolve();
    for (const waiter of this.waiters.filter((candidate) => candidate.index <= entry.index)) waiter.resolve();
  }

  // The node's term changed: every pending proposal fails with OUTCOME_UNKNOWN and the write
  // path is told, as RaftNode does. The proposals stay in the log, to apply or not later.
  loseLeadership(): void {
    for (const entry of this.proposed.filter((candidate) => candidate.index > this.store.appliedIndex())) {
      entry.reject(new TideError('OUTCOME_UNKNOWN', 'the leader changed'));
    }
    this.onLeadershipChange();
  }

  decoded(at: number): ChangeBatch {
    return decodeBatch(this.proposed[at]!.batch, (id) => this.store.tableById(id));
  }
}

let dir: string;
let store: Store;
let proposer: ManualProposer;
let sequencer: Sequencer;

const statement = (sql: string, params: readonly Value[] = []): Statement => ({ sql, params });

async function settled<T>(promise: Promise<T>): Promise<{ done: boolean; value?: T }> {
  // Lets every ready continuation run, then says whether `promise` has resolved.
  let done = false;
  let value: T | undefined;
  void promise.then((result) => {
    done = true;
    value = result;
  }, () => {
    done = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  return done ? { done, value: value as T } : { done };
}

async function failureOf(promise: Promise<unknown>): Promise<TideError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TideError) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
}

// Runs a request whose batch the test applies at once.
async function commit(...statements: Statement[]): Promise<TransactionResult> {
  const running = sequencer.run(statements);
  if (proposer.pendingCount() > 0) proposer.applyNext();
  return running;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tidedb-sequencer-'));
  store = Store.open(join(dir, 'db'));
  proposer = new ManualProposer(store, (index) => sequencer.onApplied(index), () => sequencer.onLeadershipChange());
  // A slice never runs out here: these tests step the proposer right after each call, so
  // every transaction must reach its proposal synchronously, however loaded the machine.
  sequencer = new Sequencer(store, proposer, { defaultDatabase: 'app', nowMs: () => 1_234, sliceMsMax: 60_000 });
  await commit(statement('CREATE TABLE kv (id INT PRIMARY KEY, v BIGINT)'));
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Sequencer', () => {
  it('answers a write only once its batch is applied, with the lsn of its entry', async () => {
    const running = sequencer.run([statement('INSERT INTO kv VALUES (?, ?)', [1n, 10n])]);
    expect(proposer.proposed).toHaveLength(2);
    expect(proposer.decoded(1)).toEqual({ proposedAtMs: 1_234, changes: [{ kind: 'row', tableId: 1, schemaVersion: 1, op: 'c', before: null, after: [1n, 10n] }] });
    expect((await settled(running)).done).toBe(false);
    proposer.applyNext();
    const result = await running;
    expect(result.lsn).toBe(lsnOf(2n, 0));
    expect(result.results).toEqual([{ columns: [], rows: [], rowsAffected: 1, lastInsertId: null }]);
  });

  it('runs a second write on top of a pending first: it sees its rows and catches a duplicate key', async () => {
    const first = sequencer.run([statement('INSERT INTO kv VALUES (1, 10)')]);
    const duplicate = await failureOf(sequencer.run([statement('INSERT INTO kv VALUES (1, 99)')]));
    expect(duplicate.code).toBe('DUPLICATE_KEY');
    const second = sequencer.run([statement('UPDATE kv SET v = v + 1 WHERE id = 1')]);
    expect(proposer.decoded(2).changes).toEqual([{ kind: 'row', tableId: 1, schemaVersion: 1, op: 'u', before: [1n, 10n], after: [1n, 11n] }]);
    proposer.applyNext();
    proposer.applyNext();
    expect((await first).lsn).toBe(lsnOf(2n, 0));
    expect((await second).results[0]?.rowsAffected).toBe(1);
    expect((await commit(statement('SELECT * FROM kv'))).results[0]?.rows).toEqual([[1n, 11n]]);
    expect(proposer.proposed).toHaveLength(3); // the duplicate proposed nothing
  });

  it('checks UNIQUE through the index against pending batches: their entries added and freed', async () => {
    await commit(statement('CREATE TABLE u (id INT PRIMARY KEY, email VARCHAR(20) UNIQUE)'));
    const first = sequencer.run([statement("INSERT INTO u VALUES (1, 'a')")]);
    const duplicate = await failureOf(sequencer.run([statement("INSERT INTO u VALUES (2, 'a')")]));
    expect(duplicate.code).toBe('DUPLICATE_KEY');
    const moved = sequencer.run([statement("UPDATE u SET email = 'b' WHERE id = 1")]);
    const reused = sequencer.run([statement("INSERT INTO u VALUES (2, 'a')")]); // 'a' is free once the update applies
    expect((await failureOf(sequencer.run([statement("INSERT INTO u VALUES (3, 'b')")]))).code).toBe('DUPLICATE_KEY');
    for (let at = 0; at < 3; at++) proposer.applyNext();
    await Promise.all([first, moved, reused]);
    expect((await commit(statement('SELECT * FROM u'))).results[0]?.rows).toEqual([[1n, 'b'], [2n, 'a']]);
  });

  it('keeps later pending batches visible after an earlier one is applied', async () => {
    const first = sequencer.run([statement('INSERT INTO kv VALUES (1, 1)')]);
    const second = sequencer.run([statement('INSERT INTO kv VALUES (2, 2)')]);
    proposer.applyNext(); // the first leaves the stack; the second still waits
    await first;
    const third = sequencer.run([statement('UPDATE kv SET v = v * 10'), statement('SELECT id, v FROM kv')]);
    expect(proposer.decoded(3).changes).toEqual([
      { kind: 'row', tableId: 1, schemaVersion: 1, op: 'u', before: [1n, 1n], after: [1n, 10n] },
      { kind: 'row', tableId: 1, schemaVersion: 1, op: 'u', before: [2n, 2n], after: [2n, 20n] },
    ]);
    proposer.applyNext();
    proposer.applyNext();
    await second;
    expect((await third).results[1]?.rows).toEqual([[1n, 10n], [2n, 20n]]);
    expect([...store.scanRows(store.table('app', 'kv')!)].map(({ row }) => row)).toEqual([[1n, 10n], [2n, 20n]]);
  });

  it('proposes nothing when statement 2 of a request fails, and tags the error with statement_index 1', async () => {
    const error = await failureOf(
      sequencer.run([statement('INSERT INTO kv VALUES (5, 5)'), statement('INSERT INTO kv VALUES (5, 6)'), statement('INSERT INTO kv VALUES (7, 7)')]),
    );
    expect(error.code).toBe('DUPLICATE_KEY');
    expect(error.details.statement_index).toBe(1);
    expect(proposer.proposed).toHaveLength(1);
    // Its first statement's row is nowhere: not in a later transaction's view either.
    expect((await commit(statement('SELECT * FROM kv'), statement('INSERT INTO kv VALUES (5, 50)'))).results[0]?.rows).toEqual([]);
  });

  it('tags a syntax error in a later statement with its index before running any statement', async () => {
    const error = await failureOf(sequencer.run([statement('INSERT INTO kv VALUES (1, 1)'), statement('SELEC 1'), statement('SELECT 2')]));
    expect(error.code).toBe('SQL_SYNTAX');
    expect(error.details.statement_index).toBe(1);
    expect(proposer.proposed).toHaveLength(1);
  });

  it('leaves statement_index out for a one-statement request', async () => {
    const error = await failureOf(sequencer.run([statement('INSERT INTO nope VALUES (1)')]));
    expect(error.code).toBe('TABLE_NOT_FOUND');
    expect(error.details.statement_index).toBeUndefined();
  });

  it('raises PARAM_COUNT_MISMATCH for too few or too many params, proposing nothing', async () => {
    expect((await failureOf(sequencer.run([statement('INSERT INTO kv VALUES (?, ?)', [1n])]))).code).toBe('PARAM_COUNT_MISMATCH');
    expect((await failureOf(sequencer.run([statement('SELECT * FROM kv WHERE id = ?', [1n, 2n])]))).code).toBe('PARAM_COUNT_MISMATCH');
    const tagged = await failureOf(sequencer.run([statement('SELECT 1'), statement('DELETE FROM kv WHERE id = ?')]));
    expect(tagged.code).toBe('PARAM_COUNT_MISMATCH');
    expect(tagged.details.statement_index).toBe(1);
    expect(proposer.proposed).toHaveLength(1);
  });

  it('refuses an entry holding two statements with REQUEST_INVALID', async () => {
    expect((await failureOf(sequencer.run([statement('SELECT 1; SELECT 2')]))).code).toBe('REQUEST_INVALID');
  });

  it('answers a single SELECT from applied state only, at the applied lsn, without waiting', async () => {
    const write = sequencer.run([statement('INSERT INTO kv VALUES (1, 10)')]);
    const read = await sequencer.run([statement('SELECT * FROM kv')]);
    expect(read.results[0]?.rows).toEqual([]);
    expect(read.lsn).toBe(lsnOf(1n, 0));
    proposer.applyNext();
    await write;
    const after = await sequencer.run([statement('SELECT * FROM kv')]);
    expect(after.results[0]?.rows).toEqual([[1n, 10n]]);
    expect(after.lsn).toBe(lsnOf(2n, 0));
  });

  it('runs several SELECTs as one transaction over the pending state, answering once it is applied', async () => {
    const write = sequencer.run([statement('INSERT INTO kv VALUES (1, 10)')]);
    const reads = sequencer.run([statement('SELECT * FROM kv'), statement('SELECT 1')]);
    expect((await settled(reads)).done).toBe(false); // what it read is not committed yet
    expect(proposer.proposed).toHaveLength(2); // and it proposed nothing
    proposer.applyNext();
    await write;
    const result = await reads;
    expect(result.results[0]?.rows).toEqual([[1n, 10n]]);
    expect(result.lsn).toBe(lsnOf(2n, 0));
  });

  it('makes a write request that changed nothing wait for the pending batches it read', async () => {
    const write = sequencer.run([statement('INSERT INTO kv VALUES (1, 10)')]);
    const noChange = sequencer.run([statement('UPDATE kv SET v = 10 WHERE id = 1'), statement('SELECT v FROM kv')]);
    expect((await settled(noChange)).done).toBe(false);
    expect(proposer.proposed).toHaveLength(2);
    proposer.applyNext();
    await write;
    const result = await noChange;
    expect(result.results.map((entry) => entry.rowsAffected)).toEqual([0, 0]);
    expect(result.results[1]?.rows).toEqual([[10n]]);
    expect(result.lsn).toBe(lsnOf(2n, 0));
  });

  it('passes NOT_LEADER from the proposer through and keeps nothing of the refused batch', async () => {
    proposer.refuse = new TideError('NOT_LEADER', 'not the leader');
    expect((await failureOf(sequencer.run([statement('INSERT INTO kv VALUES (1, 1)')]))).code).toBe('NOT_LEADER');
    proposer.refuse = null;
    const result = await commit(statement('INSERT INTO kv VALUES (1, 2)'), statement('SELECT * FROM kv'));
    expect(result.results[1]?.rows).toEqual([[1n, 2n]]);
  });

  it('fails pending writes with OUTCOME_UNKNOWN when leadership changes, and builds later writes on applied state only', async () => {
    const first = sequencer.run([statement('INSERT INTO kv VALUES (1, 10)')]);
    proposer.loseLeadership();
    expect((await failureOf(first)).code).toBe('OUTCOME_UNKNOWN');
    // The dropped batch no longer shadows the applied state: the same key inserts again.
    const second = sequencer.run([statement('INSERT INTO kv VALUES (1, 20)')]);
    expect(proposer.decoded(2).changes).toEqual([{ kind: 'row', tableId: 1, schemaVersion: 1, op: 'c', before: null, after: [1n, 20n] }]);
    expect((await settled(second)).done).toBe(false);
  });

  it('refuses with NOT_LEADER a transaction whose pending base was dropped while it executed, proposing nothing', async () => {
    // A slice of no time makes a big statement yield between rows; leadership changes then.
    const slow = new Sequencer(store, proposer, { defaultDatabase: 'app', sliceMsMax: 0 });
    for (let id = 1; id < 200; id++) await commit(statement(`INSERT INTO kv VALUES (${id}, ${id})`));
    const proposedBefore = proposer.proposed.length;
    const big = slow.run([statement('UPDATE kv SET v = v + 1')]);
    await new Promise((resolve) => setImmediate(resolve));
    slow.onLeadershipChange();
    expect((await failureOf(big)).code).toBe('NOT_LEADER');
    expect(proposer.proposed).toHaveLength(proposedBefore);
  });

  it('keeps showing a transaction the dropped batches it began on, so it ends refused with NOT_LEADER', async () => {
    const slow = new Sequencer(store, proposer, { defaultDatabase: 'app', sliceMsMax: 0 });
    for (let id = 1; id < 200; id++) await commit(statement(`INSERT INTO kv VALUES (${id}, ${id})`));
    // A table created in a batch that never applies: the leader changes before it does.
    const created = slow.run([statement('CREATE TABLE later (id INT PRIMARY KEY)')]);
    void created.catch(() => undefined);
    const proposedBefore = proposer.proposed.length;
    while (proposer.proposed.length === proposedBefore) await new Promise((resolve) => setImmediate(resolve));
    const big = slow.run([statement('UPDATE kv SET v = v + 1'), statement('INSERT INTO later VALUES (1)')]);
    await new Promise((resolve) => setImmediate(resolve));
    slow.onLeadershipChange();
    // Not TABLE_NOT_FOUND: its second statement still sees the table its base created.
    expect((await failureOf(big)).code).toBe('NOT_LEADER');
    expect(proposer.proposed).toHaveLength(proposedBefore + 1);
  });

  it('applies DDL through the same path: a table created in a pending batch is usable by the next request', async () => {
    const create = sequencer.run([statement('CREATE TABLE other (k VARCHAR(4) PRIMARY KEY)')]);
    const insert = sequencer.run([statement("INSERT INTO other VALUES ('a')")]);
    const duplicate = await failureOf(sequencer.run([statement('CREATE TABLE other (k INT PRIMARY KEY)')]));
    expect(duplicate.code).toBe('TABLE_EXISTS');
    proposer.applyNext();
    proposer.applyNext();
    await Promise.all([create, insert]);
    expect(store.table('app', 'other')?.id).toBe(2);
    expect((await sequencer.run([statement('SELECT k FROM other')])).results[0]?.rows).toEqual([['a']]);
  });
});

describe('writes over a deep stack of pending batches', () => {
  // Every write sees the rows the pending batches below it leave (write/pending-batches.ts
  // indexes them): random inserts, updates, deletes and truncates of a few keys, each on top
  // of up to a dozen unapplied batches, the oldest applied now and then, each outcome checked
  // against a model of the table run one statement after another.
  it('answers each write as the statements run in order would, seeded', async () => {
    const seed = Number(process.env['SEED'] ?? 808);
    const random = seededRandom(seed);
    await commit(statement('INSERT INTO kv VALUES (1, 1), (2, 2), (3, 3)'));
    const model = new Map<number, number>([[1, 1], [2, 2], [3, 3]]);
    const running: Promise<TransactionResult>[] = [];
    for (let step = 0; step < 400; step++) {
      const id = 1 + Math.floor(random() * 6);
      const roll = random();
      let sql: string;
      let expected: number | 'DUPLICATE_KEY';
      if (roll < 0.4) {
        sql = `INSERT INTO kv VALUES (${id}, ${step})`;
        expected = model.has(id) ? 'DUPLICATE_KEY' : 1;
        if (expected === 1) model.set(id, step);
      } else if (roll < 0.65) {
        sql = `UPDATE kv SET v = ${step} WHERE id = ${id}`;
        expected = model.has(id) ? 1 : 0;
        if (model.has(id)) model.set(id, step);
      } else if (roll < 0.93) {
        sql = `DELETE FROM kv WHERE id = ${id}`;
        expected = model.delete(id) ? 1 : 0;
      } else {
        sql = 'TRUNCATE TABLE kv';
        expected = 0;
        model.clear();
      }
      const result = sequencer.run([statement(sql)]);
      if (expected === 'DUPLICATE_KEY') {
        expect({ seed, step, sql, outcome: (await failureOf(result)).code }).toEqual({ seed, step, sql, outcome: 'DUPLICATE_KEY' });
      } else {
        running.push(result.then((done) => (sql.startsWith('TRUNCATE') ? done : (expect({ seed, step, sql, rowsAffected: done.results[0]?.rowsAffected }).toEqual({ seed, step, sql, rowsAffected: expected }), done))));
      }
      // Applied in bursts: the stack grows to a dozen batches, then shrinks.
      // Each request reaches its proposal once the ones before it have (their turns).
      await new Promise((resolve) => setImmediate(resolve));
      while (proposer.pendingCount() > 12 || (proposer.pendingCount() > 0 && random() < 0.2)) await proposer.applyNextSliced();
    }
    while (proposer.pendingCount() > 0) await proposer.applyNextSliced();
    await Promise.all(running);
    const rows = (await commit(statement('SELECT id, v FROM kv ORDER BY id'))).results[0]?.rows;
    expect(rows).toEqual([...model].sort(([a], [b]) => a - b).map(([id, v]) => [BigInt(id), BigInt(v)]));
  });
});

describe('linearizable reads in a cluster', () => {
  it('answer a SELECT only once its read index is confirmed and applied; reads arriving together share one', async () => {
    const reader = new Sequencer(store, proposer, { defaultDatabase: 'app', nowMs: () => 1_234, sliceMsMax: 60_000, linearizableReads: true });
    await commit(statement('INSERT INTO kv VALUES (1, 10)'));
    // A write proposed, not yet applied: a read index taken now names it.
    const update = sequencer.run([statement('UPDATE kv SET v = 11 WHERE id = 1')]);
    await settled(update);
    const before = proposer.proposed.length;
    const first = reader.run([statement('SELECT v FROM kv WHERE id = 1')]);
    const second = reader.run([statement('SELECT v FROM kv WHERE id = 1')]);
    expect((await settled(first)).done).toBe(false);
    expect(proposer.readsAsked).toHaveLength(1);
    proposer.confirmReads();
    // Confirmed at the update's index, which is not applied yet: the reads wait for it.
    expect((await settled(first)).done).toBe(false);
    proposer.applyNext();
    expect((await first).results[0]!.rows).toEqual([[11n]]);
    expect((await second).results[0]!.rows).toEqual([[11n]]);
    await update;
    // Reads propose nothing, and a stale read answers at once without asking.
    expect((await reader.run([statement('SELECT v FROM kv WHERE id = 1')], { stale: true })).results[0]!.rows).toEqual([[11n]]);
    expect(proposer.proposed.length).toBe(before);
    expect(proposer.readsAsked).toHaveLength(0);
  });

  it('fail, not answer, when no read index can be had (no leader)', async () => {
    const reader = new Sequencer(store, proposer, { defaultDatabase: 'app', linearizableReads: true });
    proposer.refuse = new TideError('NOT_LEADER', 'not the leader');
    expect((await failureOf(reader.run([statement('SELECT v FROM kv')]))).code).toBe('NOT_LEADER');
  });
});

describe('reads with min_lsn', () => {
  it('wait until this node has applied that far, then read locally; past the bound, LSN_NOT_REACHED', async () => {
    // The proposer's apply loop tells `sequencer`, so the reader takes its place.
    sequencer = new Sequencer(store, proposer, { defaultDatabase: 'app', sliceMsMax: 60_000, linearizableReads: true, lsnWaitMs: 200 });
    const reader = sequencer;
    const write = sequencer.run([statement('INSERT INTO kv VALUES (7, 70)')]);
    await settled(write);
    const lsn = lsnOf(proposer.proposed.at(-1)!.index, 0);
    const read = reader.run([statement('SELECT v FROM kv WHERE id = 7')], { minLsn: lsn });
    expect((await settled(read)).done).toBe(false);
    proposer.applyNext();
    expect((await read).results[0]!.rows).toEqual([[70n]]);
    await write;
    const tooFar = reader.run([statement('SELECT v FROM kv')], { minLsn: lsnOf(store.appliedIndex() + 5n, 0) });
    expect((await failureOf(tooFar)).code).toBe('LSN_NOT_REACHED');
  });
});
