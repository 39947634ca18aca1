// A connection to the MariaDB that differential tests compare against (127.0.0.1:3306, root),
// or the reason there is none, so a test can skip itself saying why instead of failing.
import mysql from 'mysql2/promise';
import type { Connection, ConnectionOptions } from 'mysql2/promise';
import { afterAll, beforeAll } from 'vitest';

export const mariadbOptions = { host: '127.0.0.1', port: 3306, user: 'root', supportBigNumbers: true, bigNumberStrings: true, dateStrings: true, connectTimeout: 2_000 } as const;

// `extra`: options beyond mariadbOptions (jsonStrings, to read a JSON value as its text).
export async function connectMariadb(extra: ConnectionOptions = {}): Promise<Connection | string> {
  try {
    const connection = await mysql.createConnection({ ...mariadbOptions, ...extra });
    // The session in UTC and strict, as TideDB always is.
    await connection.query("SET time_zone = '+00:00', sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ZERO_DATE,NO_ZERO_IN_DATE'");
    return connection;
  } catch (error) {
    return (error as Error).message;
  }
}

// One row of `expressions`, each as MariaDB's text (null for SQL NULL): one round trip for many cases.
export async function selectTexts(connection: Connection, expressions: readonly string[]): Promise<(string | null)[]> {
  const [rows] = await connection.query({ sql: `SELECT ${expressions.join(', ')}`, rowsAsArray: true });
  const row = (rows as unknown[][])[0];
  if (row === undefined) throw new Error('MariaDB returned no row');
  return row.map((value) => (value === null ? null : String(value)));
}

// A case of a differential test: SQL for MariaDB and TideDB's answer as MariaDB's text would be.
export interface DifferentialCase {
  readonly sql: string;
  readonly expected: () => string | null;
}

// The cases whose answers differ, as readable lines, asking MariaDB many expressions per query;
// `knownDifference` names the differences the test lists (and so accepts) by their shape.
export async function differentialMismatches(
  connection: Connection,
  cases: readonly DifferentialCase[],
  knownDifference: (ours: string | null, theirs: string | null) => boolean,
  expressionsPerQuery = 150,
): Promise<string[]> {
  const mismatches: string[] = [];
  for (let start = 0; start < cases.length; start += expressionsPerQuery) {
    const chunk = cases.slice(start, start + expressionsPerQuery);
    const answers = await selectTexts(connection, chunk.map((item) => item.sql));
    chunk.forEach((item, at) => {
      const ours = item.expected();
      const theirs = answers[at] ?? null;
      if (ours !== theirs && !knownDifference(ours, theirs)) mismatches.push(`${item.sql}: MariaDB ${theirs}, TideDB ${ours}`);
    });
  }
  return mismatches;
}

// Why MariaDB cannot be reached, or null when it can.
export async function mariadbUnreachable(options: ConnectionOptions, testName: string): Promise<string | null> {
  try {
    const connection = await mysql.createConnection(options);
    await connection.end();
    return null;
  } catch (error) {
    const reason = (error as Error).message;
    console.warn(`${testName} skipped: MariaDB at ${options.host}:${options.port} is unreachable (${reason})`);
    return reason;
  }
}

// A database of one test file's own on MariaDB, made before its tests with TideDB's collation
// (utf8mb4_bin) and dropped after them; the returned function gives the connection using it.
export function useScratchDatabase(options: ConnectionOptions, database: string): () => Connection {
  let connection: Connection | undefined;
  beforeAll(async () => {
    connection = await mysql.createConnection(options);
    await connection.query(`DROP DATABASE IF EXISTS ${database}`);
    await connection.query(`CREATE DATABASE ${database} COLLATE utf8mb4_bin`);
    await connection.query(`USE ${database}`);
  });
  afterAll(async () => {
    await connection?.query(`DROP DATABASE IF EXISTS ${database}`);
    await connection?.end();
  });
  return () => connection!;
}
