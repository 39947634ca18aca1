// GET /v1/changes on one node, over real sockets: what a subscriber receives from each start
// point, that resuming from any position gives exactly the rest, that a snapshot taken under
// concurrent writes and the changes after it add up to the table, and the stream's bounds.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { streamBufferBytesMax } from '../../services/base/limits.js';
import { startInProcessNode } from '../http/in-process-node.js';
import type { InProcessNode } from '../http/in-process-node.js';
import { subscribe } from './stream-client.js';
import type { StreamedEvent, StreamSubscriber } from './stream-client.js';

let node: InProcessNode;
let port: number;
const open: StreamSubscriber[] = [];

async function sql(statement: string, params: unknown[] = []): Promise<Record<string, unknown>> {
  const response = await node.sql({ sql: statement, params });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
}

async function stream(query: string, headers: Record<string, string> = {}): Promise<StreamSubscriber> {
  const subscriber = await subscribe(port, query, headers);
  open.push(subscriber);
  return subscriber;
}

const changes = (events: readonly StreamedEvent[]): StreamedEvent[] => events.filter((event) => event.type === 'change');

beforeAll(async () => {
  node = await startInProcessNode({ streamsMax: 4, streamStallMs: 2_000 });
  port = await node.listen();
  await sql('CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, qty INT)');
  await sql('CREATE TABLE other (id INT PRIMARY KEY)');
});
afterEach(() => {
  for (const subscriber of open.splice(0)) subscriber.close();
});
afterAll(async () => node.close());

describe('a change stream', () => {
  it('delivers each change of its tables once, with its transaction, after a schema event', async () => {
    const subscriber = await stream('table=items');
    expect(subscriber.status).toBe(200);
    expect(subscriber.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const write = await node.sql({
      statements: [
        { sql: 'INSERT INTO items VALUES (1, ?, 5), (2, ?, 7)', params: ['cup', 'pot'] },
        { sql: 'INSERT INTO other VALUES (1)' },
        { sql: 'UPDATE items SET qty = qty - 1 WHERE id = 1' },
      ],
    });
    await sql('DELETE FROM items WHERE id = 2');
    await subscriber.waitFor((event) => event.op === 'd');
    const [schema, ...rest] = subscriber.events.filter((event) => event.type !== 'progress');
    expect(schema).toMatchObject({ type: 'schema', table: 'items', schema_version: 1 });
    const transactionId = String(BigInt(write.body['lsn'] as string) >> 20n);
    expect(rest.map(({ op, key, before, after, transaction }) => ({ op, key, before, after, transaction }))).toEqual([
      { op: 'c', key: { id: 1 }, before: null, after: { id: 1, name: 'cup', qty: 5 }, transaction: { id: transactionId, order: 1, total: 3 } },
      { op: 'c', key: { id: 2 }, before: null, after: { id: 2, name: 'pot', qty: 7 }, transaction: { id: transactionId, order: 2, total: 3 } },
      { op: 'u', key: { id: 1 }, before: { id: 1, name: 'cup', qty: 5 }, after: { id: 1, name: 'cup', qty: 4 }, transaction: { id: transactionId, order: 3, total: 3 } },
      { op: 'd', key: { id: 2 }, before: { id: 2, name: 'pot', qty: 7 }, after: null, transaction: expect.objectContaining({ order: 1, total: 1 }) },
    ]);
    const lsns = rest.map((event) => BigInt(event.lsn!));
    expect([...lsns].sort((a, b) => (a < b ? -1 : 1))).toEqual(lsns);
  });

  it('resumes after any position with exactly the changes that follow it', async () => {
    const first = await stream('table=items&from=0');
    await sql('INSERT INTO items VALUES (10, ?, 1), (11, ?, 1), (12, ?, 1)', ['a', 'b', 'c']);
    await first.waitFor((event) => event.key?.['id'] === 12);
    const all = changes(first.events);
    for (const cut of [0, 1, all.length - 2, all.length - 1]) {
      const resumed = await stream(`table=items&from=${all[cut]!.lsn}`);
      await resumed.waitFor((event) => event.type === 'progress' || event.key?.['id'] === 12);
      if (cut < all.length - 1) await resumed.waitFor((event) => event.key?.['id'] === 12);
      // Resuming inside a transaction keeps each event's place in the whole transaction.
      expect(changes(resumed.events)).toEqual(all.slice(cut + 1));
      resumed.close();
    }
  });

  it('sends progress while idle, and from=now starts after what has applied', async () => {
    const subscriber = await stream('table=items&from=now&progress_ms=100');
    const progress = await subscriber.waitFor((event) => event.type === 'progress');
    const second = await subscriber.waitFor((event) => event.type === 'progress' && event !== progress);
    expect(BigInt(second.lsn!)).toBeGreaterThanOrEqual(BigInt(progress.lsn!));
    expect(changes(subscriber.events)).toEqual([]);
    const write = await sql('INSERT INTO items VALUES (20, ?, 1)', ['late']);
    await subscriber.waitFor((event) => event.key?.['id'] === 20);
    // Progress after the write covers it: a client resuming from there skips nothing.
    const covering = await subscriber.waitFor((event) => event.type === 'progress' && BigInt(event.lsn!) >= BigInt(write['lsn'] as string));
    expect(BigInt(covering.lsn!)).toBeGreaterThanOrEqual(BigInt(subscriber.events.find((event) => event.key?.['id'] === 20)!.lsn!));
  });

  it('speaks SSE with resume ids, and Last-Event-ID resumes where the client was', async () => {
    const subscriber = await stream('table=items', { accept: 'text/event-stream' });
    expect(subscriber.headers['content-type']).toMatch(/^text\/event-stream/);
    await sql('INSERT INTO items VALUES (30, ?, 1), (31, ?, 1)', ['x', 'y']);
    const first = await subscriber.waitFor((event) => event.key?.['id'] === 30);
    expect(first.sseId).toBe(first.lsn);
    const resumed = await stream('table=items', { accept: 'text/event-stream', 'last-event-id': first.lsn! });
    const next = await resumed.waitFor((event) => event.type === 'change');
    expect(next.key).toEqual({ id: 31 });
  });
});

// A write of the snapshot test and what the node answered: its lsn (null if it failed, as an
// INSERT of a key that exists does) and how many rows it changed.
interface StockWrite {
  readonly kind: 'delete' | 'bump' | 'insert';
  readonly id: number;
  readonly lsn: bigint | null;
  readonly rowsAffected: number;
}

// The stock table as of each lsn, replayed from the writes. Sound because each writer owns its
// own keys and waits for each answer before its next write: per key, lsn order is the order
// the writes were issued in, and each write's effect follows from the row before it. The model
// checks itself against every answer's rows_affected, so a wrong model fails rather than agrees.
class StockModel {
  readonly rows = new Map<number, number>();
  private next = 0;
  private readonly writes: StockWrite[];

  constructor(initial: Iterable<[number, number]>, writes: readonly StockWrite[]) {
    for (const [id, qty] of initial) this.rows.set(id, qty);
    this.writes = writes.filter((write) => write.lsn !== null).sort((a, b) => (a.lsn! < b.lsn! ? -1 : 1));
  }

  // Applies every write at or below `lsn` not applied yet.
  advanceTo(lsn: bigint): void {
    for (; this.next < this.writes.length && this.writes[this.next]!.lsn! <= lsn; this.next++) {
      const { kind, id, rowsAffected } = this.writes[this.next]!;
      const qty = this.rows.get(id);
      expect(rowsAffected, `${kind} ${id}`).toBe(kind === 'insert' ? 1 : qty === undefined ? 0 : 1);
      if (kind === 'delete') this.rows.delete(id);
      else if (kind === 'bump' && qty !== undefined) this.rows.set(id, qty + 1);
      else if (kind === 'insert') this.rows.set(id, 0);
    }
  }
}

const sorted = (rows: Map<number, number>): [number, number][] => [...rows.entries()].sort((a, b) => a[0] - b[0]);

describe('a snapshot', () => {
  it.each([7, 1_234])('and the changes after it equal the table at every progress lsn, with writes running throughout (seed %i)', async (seed) => {
    const table = `stock${seed}`;
    await sql(`CREATE TABLE ${table} (id INT PRIMARY KEY, qty INT NOT NULL)`);
    const initial = Array.from({ length: 400 }, (_, id): [number, number] => [id, id]);
    const insertAll = await sql(`INSERT INTO ${table} VALUES ${initial.map(([id, qty]) => `(${id}, ${qty})`).join(', ')}`);
    let writing = true;
    let random = seed;
    const next = (): number => (random = (random * 1_103_515_245 + 12_345) % 2 ** 31);
    const writes: StockWrite[] = [];
    // Two writers, on the even and the odd keys.
    const writer = async (parity: number): Promise<void> => {
      while (writing) {
        const id = (next() % 250) * 2 + parity;
        const kind = (['delete', 'bump', 'insert'] as const)[next() % 3]!;
        const statement = { delete: `DELETE FROM ${table} WHERE id = ?`, bump: `UPDATE ${table} SET qty = qty + 1 WHERE id = ?`, insert: `INSERT INTO ${table} VALUES (?, 0)` }[kind];
        const response = await node.sql({ sql: statement, params: [id] });
        const ok = response.status === 200;
        if (!ok) expect(response.body, `seed ${seed}`).toMatchObject({ error: { code: 'DUPLICATE_KEY' } });
        const result = ok ? (response.body['results'] as { rows_affected: number }[])[0]! : null;
        writes.push({ kind, id, lsn: ok ? BigInt(response.body['lsn'] as string) : null, rowsAffected: result?.rows_affected ?? 0 });
      }
    };
    const writers = Promise.all([writer(0), writer(1)]);
    // Some writes land before the snapshot's position, many after it, and the stream sends
    // several progress events while they run; counted, not timed, so a slow machine only waits.
    await expect.poll(() => writes.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(5);
    const subscriber = await stream(`table=${table}&snapshot=true&progress_ms=50`);
    const end = await subscriber.waitFor((event) => event.type === 'snapshot_end');
    await expect.poll(() => writes.filter((write) => write.lsn !== null && write.lsn > BigInt(end.lsn!)).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(20);
    await expect.poll(() => subscriber.events.filter((event) => event.type === 'progress').length, { timeout: 10_000 }).toBeGreaterThanOrEqual(5);
    writing = false;
    await writers;
    const final = await sql(`SELECT id, qty FROM ${table} ORDER BY id`);
    const finalLsn = BigInt(final['lsn'] as string);
    await subscriber.waitFor((event) => event.type === 'progress' && BigInt(event.lsn!) >= finalLsn);

    // The client's copy, built event by event, against the model at each point where the
    // stream says it is complete: the snapshot's end and every progress event after it.
    const model = new StockModel(initial, writes);
    const copy = new Map<number, number>();
    let afterSnapshot = false;
    let checkpoints = 0;
    for (const event of subscriber.events) {
      if (event.type === 'snapshot_end' || (afterSnapshot && event.type === 'progress')) {
        afterSnapshot = true;
        model.advanceTo(BigInt(event.lsn!));
        expect(sorted(copy), `seed ${seed}, ${event.type} at ${event.lsn}`).toEqual(sorted(model.rows));
        checkpoints++;
      }
      if (event.type !== 'change') continue;
      expect(event.op === 'r').toBe(!afterSnapshot);
      if (event.op === 'r') expect(event.lsn).toBe(end.lsn);
      else expect(BigInt(event.lsn!)).toBeGreaterThan(BigInt(end.lsn!));
      const id = event.key!['id'] as number;
      if (event.op === 'd') copy.delete(id);
      else copy.set(id, event.after!['qty'] as number);
    }
    // The model is the table: the final read agrees with it.
    model.advanceTo(finalLsn);
    expect(sorted(model.rows)).toEqual((final['results'] as { rows: [number, number][] }[])[0]!.rows);
    // Writes ran before the snapshot's position and after it, and the copy was compared often.
    expect(writes.filter((write) => write.lsn !== null && write.lsn > BigInt(end.lsn!)).length, `seed ${seed}`).toBeGreaterThan(3);
    expect(writes.filter((write) => write.lsn !== null && write.lsn < BigInt(end.lsn!)).length, `seed ${seed}`).toBeGreaterThan(0);
    expect(checkpoints).toBeGreaterThan(3);
    expect(BigInt(end.lsn!)).toBeGreaterThan(BigInt(insertAll['lsn'] as string));
  });
});

describe('a filtered stream', () => {
  it("keeps a subscriber's copy equal to SELECT … WHERE of its filter through random updates, rows moving in and out", async () => {
    await sql('CREATE TABLE goods (id INT PRIMARY KEY, qty INT NOT NULL, label VARCHAR(20))');
    let random = 11;
    const next = (): number => (random = (random * 1_103_515_245 + 12_345) % 2 ** 31);
    await sql(`INSERT INTO goods VALUES ${Array.from({ length: 40 }, (_, id) => `(${id}, ${next() % 10}, 'g${id}')`).join(', ')}`);
    const subscriber = await stream(`table=goods&snapshot=true&progress_ms=50&where=${encodeURIComponent('qty > ? AND label IS NOT NULL')}&params=${encodeURIComponent('[5]')}&columns=qty`);
    await subscriber.waitFor((event) => event.type === 'snapshot_end');
    for (let step = 0; step < 120; step++) {
      const id = next() % 50;
      const choice = next() % 4;
      if (choice === 0) await node.sql({ sql: 'DELETE FROM goods WHERE id = ?', params: [id] });
      else if (choice === 1) await node.sql({ sql: 'INSERT INTO goods VALUES (?, ?, ?)', params: [id, next() % 10, `g${id}`] });
      else await node.sql({ sql: 'UPDATE goods SET qty = ? WHERE id = ?', params: [next() % 10, id] });
    }
    const final = await sql('SELECT id, qty FROM goods WHERE qty > 5 ORDER BY id');
    await subscriber.waitFor((event) => event.type === 'progress' && BigInt(event.lsn!) >= BigInt(final['lsn'] as string));
    const copy = new Map<number, unknown>();
    for (const event of changes(subscriber.events)) {
      const id = event.key!['id'] as number;
      // Projection: the key and the asked-for column, nothing else.
      for (const image of [event.before, event.after]) if (image !== null && image !== undefined) expect(Object.keys(image).sort()).toEqual(['id', 'qty']);
      if (event.op === 'd') {
        expect(copy.has(id), `delete of a row the subscriber does not hold (${id})`).toBe(true);
        copy.delete(id);
      } else {
        if (event.op === 'c' || event.op === 'r') expect(copy.has(id), `create of a row the subscriber holds (${id})`).toBe(false);
        expect(event.after!['qty'] as number).toBeGreaterThan(5);
        copy.set(id, event.after!['qty']);
      }
    }
    const expected = (final['results'] as { rows: [number, number][] }[])[0]!.rows;
    expect([...copy.entries()].sort((a, b) => a[0] - b[0])).toEqual(expected);
    expect(changes(subscriber.events).some((event) => event.op === 'd')).toBe(true);
  });
});

describe('a filter whose column is gone', () => {
  it('ends the stream with COLUMN_NOT_FOUND and the position to resume after, once the table is re-created without it', async () => {
    await sql('CREATE TABLE shaped (id INT PRIMARY KEY, v INT)');
    const first = await sql('INSERT INTO shaped VALUES (1, 5)');
    const subscriber = await stream(`table=shaped&from=0&where=${encodeURIComponent('v > 1')}`);
    await subscriber.waitFor((event) => event.type === 'change' && event.lsn === first['lsn']);
    await sql('DROP TABLE shaped');
    await sql('CREATE TABLE shaped (id INT PRIMARY KEY)');
    const second = await sql('INSERT INTO shaped VALUES (2)');
    const end = await subscriber.waitFor((event) => event.type === 'end');
    expect(end.code).toBe('COLUMN_NOT_FOUND');
    // Everything before the row the filter cannot read was delivered: resume right before it.
    expect(BigInt(end.lsn!)).toBe(BigInt(second['lsn'] as string) - 1n);
    expect(changes(subscriber.events).map((event) => event.lsn)).toEqual([first['lsn']]);
  });
});

describe('what a stream refuses', () => {
  it.each([
    ['table=nope', 404, 'TABLE_NOT_FOUND'],
    ['table=items&database=app', 400, 'REQUEST_INVALID'],
    ['table=items&from=-1', 400, 'REQUEST_INVALID'],
    ['table=items&from=1&snapshot=true', 400, 'REQUEST_INVALID'],
    ['table=items&progress_ms=1', 400, 'REQUEST_INVALID'],
    ['table=a.b.c', 400, 'REQUEST_INVALID'],
    ['table=items&where=nope>1', 400, 'COLUMN_NOT_FOUND'],
    ['table=items&where=qty = = 1', 400, 'SQL_SYNTAX'],
    ['table=items&where=qty IN (SELECT id FROM other)', 400, 'SQL_UNSUPPORTED'],
    ['table=items&where=qty>1 ORDER BY id', 400, 'REQUEST_INVALID'],
    ['table=items&where=qty>?', 400, 'PARAM_COUNT_MISMATCH'],
    ['table=items&where=qty>?&params=[1', 400, 'REQUEST_INVALID'],
    ['table=items&columns=name,nope', 400, 'COLUMN_NOT_FOUND'],
  ])('%s → %i %s', async (query, status, code) => {
    const subscriber = await stream(query.replace(/ /g, '%20').replace(/>/g, '%3E'));
    expect(subscriber.status).toBe(status);
    expect(await subscriber.errorBody()).toMatchObject({ error: { code } });
  });

  it("places a filter's syntax error in the filter's own text", async () => {
    const subscriber = await stream(`table=items&where=${encodeURIComponent('qty = = 1')}`);
    expect(await subscriber.errorBody()).toMatchObject({ error: { code: 'SQL_SYNTAX', position: { offset: 6, line: 1, column: 7 } } });
  });

  it('answers 503 STREAMS_TOO_MANY past the cap, and admits again once one closes', async () => {
    const held = await Promise.all([1, 2, 3, 4].map(() => stream('table=items')));
    for (const subscriber of held) expect(subscriber.status).toBe(200);
    const refused = await stream('table=items');
    expect(refused.status).toBe(503);
    expect(await refused.errorBody()).toMatchObject({ error: { code: 'STREAMS_TOO_MANY' } });
    held[0]!.close();
    await expect.poll(async () => (await stream('table=items')).status).toBe(200);
  });
});

interface StreamStatus {
  readonly id: number;
  readonly buffered_bytes: number;
}

async function streamStatus(): Promise<StreamStatus[]> {
  const response = await node.app.inject({ method: 'GET', url: '/v1/status' });
  return (response.json() as { change_streams: StreamStatus[] }).change_streams;
}

describe('subscribers that read slowly or not at all', () => {
  it('cuts off the one that stalls with its resume position, not the slow one within its buffer, and holds bounded memory for each', async () => {
    await sql('CREATE TABLE bulk (id INT PRIMARY KEY, body TEXT)');
    const stalled = await stream('table=bulk');
    stalled.pause();
    // Reads in bursts with pauses of 150 ms, under the node's 2 s stall limit: its buffer
    // fills while it rests, and drains when it reads again.
    const slow = await stream('table=bulk');
    let resting = false;
    const throttle = setInterval(() => {
      resting = !resting;
      if (resting) slow.pause();
      else slow.resume();
    }, 150);
    const body = 'z'.repeat(2_000);
    // About 24 MB of events: more than the socket buffers and the stream's 1 MiB together. The
    // writes all complete while one subscriber reads nothing: a subscriber never holds them.
    let bufferedMax = 0;
    for (let first = 0; first < 12_000; first += 400) {
      const values = Array.from({ length: 400 }, () => '(?, ?)').join(', ');
      await sql(`INSERT INTO bulk VALUES ${values}`, Array.from({ length: 400 }, (_, at) => [first + at, body]).flat());
      for (const { buffered_bytes } of await streamStatus()) bufferedMax = Math.max(bufferedMax, buffered_bytes);
    }
    // What a subscriber leaves unread is bounded by the stream's buffer plus one entry's events
    // (the stream checks its buffer between entries; an entry here is 400 rows, about 0.9 MB),
    // however much is written: the stalled one would otherwise hold all 24 MB.
    const entryBytes = 1024 * 1024;
    expect(bufferedMax).toBeGreaterThan(0);
    expect(bufferedMax).toBeLessThanOrEqual(streamBufferBytesMax + entryBytes);
    // The node cuts the stalled stream off on its own; the slow one stays.
    await expect.poll(async () => (await streamStatus()).length, { timeout: 15_000 }).toBe(1);
    clearInterval(throttle);
    slow.resume();
    // The slow subscriber was not cut off: it has every row, in order, and no end event.
    await slow.waitFor((event) => event.key?.['id'] === 11_999, 30_000);
    const slowRows = changes(slow.events).map((event) => event.key!['id']);
    expect(slowRows).toEqual(Array.from({ length: 12_000 }, (_, id) => id));
    expect(slow.events.some((event) => event.type === 'end')).toBe(false);
    // The node has ended the stalled stream and dropped the connection on its own: reading now
    // gets what the socket held, then the close.
    stalled.resume();
    await stalled.ended;
    expect(changes(stalled.events).length).toBeLessThan(12_000);
    const end = stalled.events.find((event) => event.type === 'end');
    // The end event, if it got through before the connection was dropped, says where to resume.
    if (end !== undefined) expect(end).toMatchObject({ code: 'STREAM_STALLED', lsn: expect.stringMatching(/^\d+$/) });
    // A snapshot read by a subscriber that keeps up is not cut off either.
    const reader = await stream('table=bulk&snapshot=true');
    await reader.waitFor((event) => event.type === 'snapshot_end', 30_000);
    expect(changes(reader.events).length).toBe(12_000);
  });
});

describe('a node that stops', () => {
  it('ends each stream with SHUTTING_DOWN and the position to resume after', async () => {
    const stopping = await startInProcessNode();
    const stoppingPort = await stopping.listen();
    await stopping.sql({ sql: 'CREATE TABLE t (id INT PRIMARY KEY)' });
    const subscriber = await subscribe(stoppingPort, 'table=t&progress_ms=50');
    open.push(subscriber);
    await stopping.sql({ sql: 'INSERT INTO t VALUES (1)' });
    const change = await subscriber.waitFor((event) => event.type === 'change');
    await stopping.close();
    const end = await subscriber.waitFor((event) => event.type === 'end');
    expect(end).toMatchObject({ code: 'SHUTTING_DOWN' });
    expect(BigInt(end.lsn!)).toBeGreaterThanOrEqual(BigInt(change.lsn!));
    await subscriber.ended;
  });
});
