// A fresh TideDB Store and a MariaDB connection on a fresh database, strict as TideDB is: the two
// sides of a differential test that runs the same statements on both.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import type { Connection, ConnectionOptions } from 'mysql2/promise';
import { afterAll, beforeAll } from 'vitest';
import { Store } from '../../services/storage/store.js';

export interface StoreBesideMariadb {
  readonly store: Store;
  readonly connection: Connection;
  // Drops the MariaDB database and removes the store's files.
  close(): Promise<void>;
}

export async function openStoreBesideMariadb(database: string, options: ConnectionOptions): Promise<StoreBesideMariadb> {
  const dir = mkdtempSync(join(tmpdir(), `tidedb-${database}-`));
  const store = Store.open(join(dir, 'db'));
  const connection = await mysql.createConnection(options);
  await connection.query("SET sql_mode = 'STRICT_ALL_TABLES'");
  await connection.query(`DROP DATABASE IF EXISTS ${database}`);
  await connection.query(`CREATE DATABASE ${database} COLLATE utf8mb4_bin`);
  await connection.query(`USE ${database}`);
  return {
    store,
    connection,
    async close() {
      await connection.query(`DROP DATABASE IF EXISTS ${database}`);
      await connection.end();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// The two sides for the tests of the enclosing `describe`: opened before them, closed after.
// Read `sides()` inside a test, once they are open.
export function useStoreBesideMariadb(database: string, options: ConnectionOptions): () => StoreBesideMariadb {
  let sides: StoreBesideMariadb | null = null;
  beforeAll(async () => {
    sides = await openStoreBesideMariadb(database, options);
  });
  afterAll(async () => {
    await sides?.close();
  });
  return () => {
    if (sides === null) throw new Error('the store and MariaDB are opened before the tests');
    return sides;
  };
}
