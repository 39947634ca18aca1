// CREATE DATABASE and DROP DATABASE on a real store: databases are catalog objects that last
// across a reopen and travel in a state snapshot; a database also exists while a table names
// it (never created), as it always did; DROP DATABASE drops its tables with their rows; each
// error has its code and MySQL number, and changes nothing.
import { describe, expect, it } from 'vitest';
import { mysqlErrorOf } from '../../services/base/mysql-errors.js';
import { Store } from '../../services/storage/store.js';
import { readStateSnapshot } from '../support/state-snapshot-chunks.js';
import { useTempStores } from '../support/temp-stores.js';
import { errorCodeOfSql, runOnStoreAsync } from './run-on-store.js';

const stores = useTempStores('tidedb-databases-');

async function rowsOf(store: Store, sql: string): Promise<unknown> {
  return (await runOnStoreAsync(store, sql)).rows;
}

describe('CREATE DATABASE and DROP DATABASE', () => {
  it('creates a database that SHOW DATABASES lists beside those with tables, and keeps it across a reopen', async () => {
    const dir = stores.dir();
    let store = Store.open(`${dir}/db`);
    expect((await runOnStoreAsync(store, 'CREATE DATABASE shop')).rowsAffected).toBe(1);
    await runOnStoreAsync(store, 'CREATE SCHEMA IF NOT EXISTS crm CHARACTER SET utf8mb4');
    await runOnStoreAsync(store, 'CREATE TABLE loose.t (id INT PRIMARY KEY)');
    expect(await rowsOf(store, 'SHOW DATABASES')).toEqual([['crm'], ['loose'], ['shop']]);
    await store.close();
    store = Store.open(`${dir}/db`);
    try {
      expect(store.createdDatabases()).toEqual(['crm', 'shop']);
      expect(await rowsOf(store, 'SHOW DATABASES')).toEqual([['crm'], ['loose'], ['shop']]);
    } finally {
      await store.close();
    }
  });

  it('answers IF NOT EXISTS and IF EXISTS with nothing changed, and 1007 / 1008 without them', async () => {
    const store = stores.open();
    await runOnStoreAsync(store, 'CREATE DATABASE shop');
    await runOnStoreAsync(store, 'CREATE TABLE app.t (id INT PRIMARY KEY)');
    const applied = store.appliedIndex();
    expect((await runOnStoreAsync(store, 'CREATE DATABASE IF NOT EXISTS shop')).rowsAffected).toBe(0);
    // A database a table names exists, created or not.
    expect((await runOnStoreAsync(store, 'CREATE DATABASE IF NOT EXISTS app')).rowsAffected).toBe(0);
    expect((await runOnStoreAsync(store, 'DROP DATABASE IF EXISTS nowhere')).rowsAffected).toBe(0);
    expect(store.appliedIndex()).toBe(applied);
    expect(await errorCodeOfSql(store, 'CREATE DATABASE shop')).toBe('DATABASE_EXISTS');
    expect(await errorCodeOfSql(store, 'CREATE DATABASE app')).toBe('DATABASE_EXISTS');
    expect(await errorCodeOfSql(store, 'DROP DATABASE nowhere')).toBe('DATABASE_NOT_FOUND');
    expect(await errorCodeOfSql(store, 'CREATE DATABASE shop COLLATE latin1_swedish_ci')).toBe('COLLATION_UNKNOWN');
    expect(store.appliedIndex()).toBe(applied);
    expect(mysqlErrorOf('DATABASE_EXISTS')).toEqual({ errno: 1007, sqlstate: 'HY000' });
    expect(mysqlErrorOf('DATABASE_NOT_FOUND')).toEqual({ errno: 1008, sqlstate: 'HY000' });
  });

  it('drops a database with its tables and their rows, leaving other databases alone; a database never created drops too', async () => {
    const store = stores.open();
    await runOnStoreAsync(store, 'CREATE DATABASE shop');
    await runOnStoreAsync(store, 'CREATE TABLE shop.items (id INT PRIMARY KEY, name VARCHAR(8), INDEX by_name (name))');
    await runOnStoreAsync(store, 'CREATE TABLE shop.orders (id INT PRIMARY KEY)');
    await runOnStoreAsync(store, 'CREATE TABLE app.items (id INT PRIMARY KEY)');
    await runOnStoreAsync(store, "INSERT INTO shop.items VALUES (1, 'pen'), (2, 'ink')");
    await runOnStoreAsync(store, 'INSERT INTO app.items VALUES (1)');
    const dropped = store.table('shop', 'items')!;
    expect((await runOnStoreAsync(store, 'DROP DATABASE shop')).rowsAffected).toBe(2);
    expect(store.table('shop', 'items')).toBeUndefined();
    expect(store.table('shop', 'orders')).toBeUndefined();
    expect([...store.scanRows(dropped)]).toEqual([]);
    expect(await rowsOf(store, 'SHOW DATABASES')).toEqual([['app']]);
    expect(await rowsOf(store, 'SELECT id FROM app.items')).toEqual([[1n]]);
    expect(await errorCodeOfSql(store, 'SELECT * FROM shop.items')).toBe('TABLE_NOT_FOUND');
    // Created again, it starts empty; app was never created, and DROP DATABASE takes it all the same.
    await runOnStoreAsync(store, 'CREATE DATABASE shop');
    expect(await rowsOf(store, 'SHOW DATABASES')).toEqual([['app'], ['shop']]);
    expect(store.table('shop', 'items')).toBeUndefined();
    expect((await runOnStoreAsync(store, 'DROP SCHEMA app')).rowsAffected).toBe(1);
    expect(await rowsOf(store, 'SHOW DATABASES')).toEqual([['shop']]);
  });

  it('carries created databases in a state snapshot', async () => {
    const source = stores.open();
    await runOnStoreAsync(source, 'CREATE DATABASE shop');
    const target = stores.open();
    await runOnStoreAsync(target, 'CREATE DATABASE gone');
    const { chunks } = readStateSnapshot(source, 64 * 1024);
    await target.installStateSnapshot(chunks);
    expect(target.createdDatabases()).toEqual(['shop']);
  });

  it('answers DATABASE() and SCHEMA() with the database unqualified names resolve in', async () => {
    const store = stores.open();
    expect(await rowsOf(store, 'SELECT DATABASE(), SCHEMA() AS s')).toEqual([['app', 'app']]);
  });

  it('reads a quoted keyword as a table qualifier, as Kysely\'s introspection writes it', async () => {
    const store = stores.open();
    await runOnStoreAsync(store, 'CREATE TABLE app.t (id INT PRIMARY KEY)');
    expect(await rowsOf(store, "SELECT `tables`.`TABLE_NAME` FROM `information_schema`.`tables` AS `tables` WHERE `tables`.`TABLE_SCHEMA` = DATABASE()")).toEqual([['t']]);
  });
});
