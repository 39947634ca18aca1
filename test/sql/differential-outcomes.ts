// What a statement did on MariaDB and on TideDB, in one comparable form (rows as text, or the
// MySQL error number), and the database a differential test works in: shared by the
// differential tests that run the same statements on both.
import type { Connection } from 'mysql2/promise';
import { afterAll, beforeAll } from 'vitest';
import { TideError } from '../../services/base/errors.js';
import { mysqlErrorOf } from '../../services/base/mysql-errors.js';
import type { Store } from '../../services/storage/store.js';
import type { Value } from '../../services/storage/types.js';
import { toJsonValue } from '../../services/values/json-value.js';
import { connectMariadb } from '../support/mariadb.js';
import { runOnStoreAsync } from './run-on-store.js';

export type Outcome = { readonly rows: (string | null)[][] } | { readonly errno: number };

// A value as MariaDB's client shows it: booleans as 1 and 0, the rest as JSON text.
export function outcomeText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const json = toJsonValue(value as Value);
  return typeof json === 'boolean' ? (json ? '1' : '0') : String(json);
}

// A connection to MariaDB in a fresh database `name` (utf8mb4_bin) for the tests of the file,
// dropped after them.
export function useMariadbDatabase(name: string): () => Connection {
  let maria: Connection | undefined;
  beforeAll(async () => {
    const connection = await connectMariadb();
    if (typeof connection === 'string') throw new Error(connection);
    maria = connection;
    await maria.query(`DROP DATABASE IF EXISTS ${name}`);
    await maria.query(`CREATE DATABASE ${name} COLLATE utf8mb4_bin`);
    await maria.query(`USE ${name}`);
  });
  afterAll(async () => {
    await maria?.query(`DROP DATABASE IF EXISTS ${name}`);
    await maria?.end();
  });
  return () => maria!;
}

// `sameFailure` maps MariaDB's number for a failure to MySQL's where the two differ.
export async function outcomeOnMaria(maria: Connection, sql: string, sameFailure: Readonly<Record<number, number>> = {}): Promise<Outcome> {
  try {
    const [rows] = await maria.query({ sql, rowsAsArray: true });
    return { rows: Array.isArray(rows) ? (rows as unknown[][]).map((row) => row.map(outcomeText)) : [] };
  } catch (error) {
    const errno = (error as { errno?: number }).errno;
    if (errno === undefined) throw error;
    return { errno: sameFailure[errno] ?? errno };
  }
}

export async function outcomeOnTide(store: Store, sql: string): Promise<Outcome> {
  try {
    const result = await runOnStoreAsync(store, sql);
    return { rows: result.rows.map((row) => row.map(outcomeText)) };
  } catch (error) {
    if (!(error instanceof TideError)) throw error;
    return { errno: mysqlErrorOf(error.code)?.errno ?? -1 };
  }
}
