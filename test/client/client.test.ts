// The TypeScript client against a real node process: typed rows, atomic batches, errors with
// their codes, failover past an unreachable node, a write whose answer never came reported as
// OUTCOME_UNKNOWN and not resent, and a subscription and a live query that survive the
// node's restart (SIGTERM and SIGKILL) with every change exactly once, and a subscription
// filtered by where=.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TideClient, TideClientError } from '../../packages/client/src/index.js';
import type { ChangeEvent, StreamEvent } from '../../packages/client/src/index.js';
import { NodeProcess, freePort, temporaryDir } from '../system/node-process.js';

const dir = temporaryDir('client');
let node: NodeProcess;
let client: TideClient;

beforeAll(async () => {
  node = new NodeProcess(dir.path, await freePort());
  await node.start();
  client = new TideClient({ nodes: [node.url] });
  await client.query('CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, karma INT)');
});
afterAll(async () => {
  await node.stop();
  dir.remove();
});

describe('queries', () => {
  it('returns rows as typed objects, and a batch takes effect whole or not at all', async () => {
    const batch = await client.batch([
      { sql: 'INSERT INTO users VALUES (?, ?, ?)', params: [1, 'ada', 10] },
      { sql: 'INSERT INTO users VALUES (?, ?, ?)', params: [2, 'bob', 3] },
    ]);
    expect(batch.results.map((result) => result.rowsAffected)).toEqual([1, 1]);
    const result = await client.query<{ id: number; name: string; karma: number }>('SELECT id, name, karma FROM users ORDER BY id');
    expect(result.rows).toEqual([{ id: 1, name: 'ada', karma: 10 }, { id: 2, name: 'bob', karma: 3 }]);
    expect(result.lsn).toMatch(/^\d+$/);

    const failed = client.batch([
      { sql: 'INSERT INTO users VALUES (?, ?, ?)', params: [3, 'cy', 1] },
      { sql: 'INSERT INTO users VALUES (?, ?, ?)', params: [1, 'dup', 1] },
    ]);
    await expect(failed).rejects.toMatchObject({ code: 'DUPLICATE_KEY', status: 409, details: { mysql_errno: 1062, statement_index: 1 } });
    expect((await client.query('SELECT id FROM users WHERE id = 3')).rows).toEqual([]);
  });

  it('goes past a node it cannot reach to one it can', async () => {
    const unreachable = `http://127.0.0.1:${await freePort()}`;
    const failover = new TideClient({ nodes: [unreachable, node.url] });
    expect((await failover.query('SELECT name FROM users WHERE id = 1')).rows).toEqual([{ name: 'ada' }]);
  });

  it('reports a write that got no answer as OUTCOME_UNKNOWN, sending it only once', async () => {
    let received = 0;
    const silent = createServer((request) => {
      received += 1;
      request.socket.destroy();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    const doomed = new TideClient({ nodes: [`http://127.0.0.1:${port}`, node.url] });
    const error = await doomed.query('INSERT INTO users VALUES (9, ?, 0)', ['maybe']).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TideClientError);
    expect(error).toMatchObject({ code: 'OUTCOME_UNKNOWN', retriable: false });
    expect(received).toBe(1);
    silent.close();
  });
});

describe('a subscription', () => {
  it('continues across a clean stop and a kill -9 of its node with every change once, in order', async () => {
    const abort = new AbortController();
    const events = client.subscribe({ tables: ['users'], progressMs: 100, signal: abort.signal });
    const received: StreamEvent[] = [];
    const reading = (async () => {
      for await (const event of events) received.push(event);
    })();
    const ids: number[] = [];
    const write = async (id: number): Promise<void> => {
      await client.query('INSERT INTO users VALUES (?, ?, 0)', [id, `u${id}`]);
      ids.push(id);
    };
    await expect.poll(() => received.some((event) => event.type === 'progress')).toBe(true);
    for (let id = 100; id < 110; id++) await write(id);
    await node.stop();
    await node.start();
    for (let id = 110; id < 120; id++) await write(id);
    // At least, then exactly: a change delivered twice fails on the list, which names it.
    await expect.poll(() => changesOf(received).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(20);
    expect(changesOf(received).map((event) => event.key?.['id'])).toEqual(ids);
    await node.kill();
    await node.start();
    for (let id = 120; id < 130; id++) await write(id);
    await expect.poll(() => changesOf(received).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(30);
    abort.abort();
    await reading;
    // Each change with its lsn, and every event's type and lsn, for a failure to show where a
    // change came again.
    const trail = received.map((event) => `${event.type}@${'lsn' in event ? event.lsn : ''}`).join(' ');
    expect(changesOf(received).map((event) => event.key?.['id']), trail).toEqual(ids);
  });
});

describe('a filtered subscription', () => {
  it('gets only the rows its where= selects, with params; a row updated into it arrives as an insert', async () => {
    const abort = new AbortController();
    const events = client.subscribe({ tables: ['users'], where: 'karma >= ? AND id >= 200', params: [50], progressMs: 100, signal: abort.signal });
    const received: StreamEvent[] = [];
    const reading = (async () => {
      for await (const event of events) received.push(event);
    })();
    await expect.poll(() => received.some((event) => event.type === 'progress')).toBe(true);
    await client.query('INSERT INTO users VALUES (200, ?, 10), (201, ?, 60)', ['low', 'high']);
    await client.query('UPDATE users SET karma = 70 WHERE id = 200');
    await expect.poll(() => changesOf(received).length, { timeout: 15_000 }).toBe(2);
    abort.abort();
    await reading;
    expect(changesOf(received).map((event) => [event.op, event.key?.['id'], event.after?.['karma']])).toEqual([
      ['c', 201, 60],
      ['c', 200, 70],
    ]);
  });
});

describe('a live query', () => {
  it('keeps a copy equal to the table, through writes and a restart', async () => {
    const live = client.liveQuery<{ id: number; name: string; karma: number | null }>('users', { progressMs: 100 });
    await live.ready;
    const select = async (): Promise<unknown[]> => (await client.query('SELECT id, name, karma FROM users ORDER BY id')).rows;
    const sorted = (): unknown[] => live.rows().sort((a, b) => a.id - b.id);
    expect(sorted()).toEqual(await select());
    await client.batch([{ sql: 'UPDATE users SET karma = karma + 1 WHERE id < 105' }, { sql: 'DELETE FROM users WHERE id >= 125' }]);
    await node.stop();
    await node.start();
    const last = await client.query('INSERT INTO users VALUES (200, ?, NULL)', ['late']);
    await expect.poll(() => BigInt(live.lsn ?? '0') >= BigInt(last.lsn), { timeout: 15_000 }).toBe(true);
    expect(sorted()).toEqual(await select());
    await live.close();
  });
});

function changesOf(events: readonly StreamEvent[]): ChangeEvent[] {
  return events.filter((event): event is ChangeEvent => event.type === 'change');
}
