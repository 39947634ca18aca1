// Proves a change stream delivers TRUNCATE as one event of op `t` in order with the row changes
// around it (live, resumed from before it, and through a filter, whose rows it empties), and the
// schema changes of its tables as `ddl` events in log order, over real sockets on one node.
import { describe, expect, it } from 'vitest';
import { useStreamNode } from './stream-client.js';
import type { StreamedEvent } from './stream-client.js';

const { sql, request, stream } = useStreamNode();

// Change and ddl events, as (op or ddl kind, key) pairs.
function shape(events: readonly StreamedEvent[]): string[] {
  return events
    .filter((event) => event.type === 'change' || event.type === 'ddl')
    .map((event) => {
      const record = event as unknown as Record<string, unknown>;
      return event.type === 'ddl' ? `ddl ${String(record['kind'])}` : `${event.op} ${JSON.stringify(event.key)}`;
    });
}


describe('TRUNCATE in a change stream', () => {
  it('arrives as one keyless op t event between the changes before and after it, live and resumed', async () => {
    await sql('CREATE TABLE items (id INT PRIMARY KEY, qty INT)');
    const created = BigInt((await sql('SELECT 1')).lsn as string);
    const live = await stream('table=items&from=now');
    const filtered = await stream(`table=items&from=now&where=${encodeURIComponent('qty > 5')}`);
    await sql('INSERT INTO items VALUES (1, 10)');
    await sql('INSERT INTO items VALUES (2, 1)');
    const truncated = await sql('TRUNCATE TABLE items');
    await sql('INSERT INTO items VALUES (3, 7)');
    await live.waitFor((event) => event.op === 'c' && event.key?.['id'] === 3);
    const expected = ['c {"id":1}', 'c {"id":2}', 't null', 'c {"id":3}'];
    expect(shape(live.events)).toEqual(expected);
    const truncate = live.events.find((event) => event.op === 't')!;
    expect(truncate).toMatchObject({ type: 'change', table: 'items', schema_version: 1, key: null, before: null, after: null });
    expect(truncate.lsn).toBe(truncated.lsn);
    expect(truncate.transaction).toEqual({ id: String(BigInt(truncated.lsn as string) >> 20n), order: 1, total: 1 });
    // A filter's copy is emptied by the truncate too, whatever the filter.
    await filtered.waitFor((event) => event.op === 'c' && event.key?.['id'] === 3);
    expect(shape(filtered.events)).toEqual(['c {"id":1}', 't null', 'c {"id":3}']);
    // From before the truncate (the table's creation), and from between the changes before it.
    const resumed = await stream(`table=items&from=${created}`);
    await resumed.waitFor((event) => event.op === 'c' && event.key?.['id'] === 3);
    expect(shape(resumed.events)).toEqual(expected);
    const firstInsert = live.events.find((event) => event.op === 'c')!;
    const fromBetween = await stream(`table=items&from=${firstInsert.lsn}`);
    await fromBetween.waitFor((event) => event.op === 'c' && event.key?.['id'] === 3);
    expect(shape(fromBetween.events)).toEqual(expected.slice(1));
  });
});

describe('schema changes in a change stream', () => {
  it('come as ddl events in log order with the row changes, each with its statement', async () => {
    const all = await stream('from=now');
    const ofDatabase = await stream('database=shop&from=now');
    const createdDatabase = await sql('CREATE DATABASE shop');
    await sql('CREATE TABLE shop.orders (id INT PRIMARY KEY, total INT)');
    // A table's stream needs the table; from before its creation it replays that too.
    const ofTable = await stream(`table=shop.orders&from=${createdDatabase.lsn as string}`);
    await sql('INSERT INTO shop.orders VALUES (1, 5)');
    await sql('CREATE INDEX by_total ON shop.orders (total)');
    await request({ statements: [{ sql: 'INSERT INTO shop.orders VALUES (2, 6)' }, { sql: 'TRUNCATE shop.orders' }] });
    await sql('DROP TABLE shop.orders');
    await sql('DROP DATABASE shop');
    await all.waitFor((event) => event.type === 'ddl' && (event as unknown as Record<string, unknown>)['kind'] === 'drop_database');
    expect(shape(all.events)).toEqual([
      'ddl create_database',
      'ddl create_table',
      'c {"id":1}',
      'ddl create_index',
      'c {"id":2}',
      't null',
      'ddl drop_table',
      'ddl drop_database',
    ]);
    const ddl = all.events.filter((event) => event.type === 'ddl') as unknown as Record<string, unknown>[];
    expect(ddl[1]).toMatchObject({ database: 'shop', table: 'orders', schema_version: 1, ddl: 'CREATE TABLE shop.orders (id INT PRIMARY KEY, total INT)' });
    expect(ddl[2]).toMatchObject({ table: 'orders', schema_version: 2, ddl: 'CREATE INDEX by_total ON shop.orders (total)' });
    expect(ddl[3]).toMatchObject({ kind: 'drop_table', table: 'orders', schema_version: 2, ddl: 'DROP TABLE shop.orders' });
    expect(ddl[0]).toMatchObject({ table: null, schema_version: null, ddl: 'CREATE DATABASE shop' });
    // The insert and the truncate of one request: one transaction, both placed in it.
    const [second, truncate] = all.events.filter((event) => event.type === 'change').slice(1);
    expect(second!.transaction).toEqual({ id: truncate!.transaction!.id, order: 1, total: 2 });
    expect(truncate!.transaction).toMatchObject({ order: 2, total: 2 });
    // A stream of the table sees its own schema changes, not the database's.
    await ofTable.waitFor((event) => event.type === 'ddl' && (event as unknown as Record<string, unknown>)['kind'] === 'drop_table');
    expect(shape(ofTable.events)).toEqual(['ddl create_table', 'c {"id":1}', 'ddl create_index', 'c {"id":2}', 't null', 'ddl drop_table']);
    // A stream of the database sees the database's too; other databases' stay out of it.
    await sql('CREATE TABLE elsewhere (id INT PRIMARY KEY)');
    await ofDatabase.waitFor((event) => event.type === 'ddl' && (event as unknown as Record<string, unknown>)['kind'] === 'drop_database');
    expect(shape(ofDatabase.events)).toEqual(shape(all.events).slice(0, 8));
  });
});
