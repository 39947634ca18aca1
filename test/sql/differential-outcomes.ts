// What a statement did on MariaDB and on TideDB, in one comparable form (rows as text, or the
// MySQL error number), and the database a differential test works in: shared by the
// differential tests that run the same statements on both.
import type { Connection, ConnectionOptions } from 'mysql2/promise';
import { afterAll, beforeAll, expect } from 'vitest';
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
// dropped after them; `extra`: connection options beyond the usual ones.
export function useMariadbDatabase(name: string, extra: ConnectionOptions = {}): () => Connection {
  let maria: Connection | undefined;
  beforeAll(async () => {
    const connection = await connectMariadb(extra);
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

// A fixed script on both sides: `schema` run on each, then every statement of `statements`
// must have the same outcome on TideDB as on MariaDB (a write's shows in a later query).
export async function expectSameOutcomes(store: Store, maria: Connection, schema: readonly string[], statements: readonly string[]): Promise<void> {
  for (const sql of schema) {
    await maria.query(sql);
    await runOnStoreAsync(store, sql);
  }
  for (const sql of statements) {
    const expected = await outcomeOnMaria(maria, sql);
    expect(await outcomeOnTide(store, sql), sql).toEqual(expected);
  }
}

// A write's outcome as `affected <rows>` or `error <MySQL number>`, on either side; MariaDB's
// numbers go through `sameFailure` as in outcomeOnMaria.
export async function affectedOnTide(store: Store, sql: string): Promise<string> {
  try {
    return `affected ${(await runOnStoreAsync(store, sql)).rowsAffected}`;
  } catch (error) {
    if (!(error instanceof TideError)) throw error;
    return `error ${mysqlErrorOf(error.code)?.errno ?? error.code}`;
  }
}

export async function affectedOnMaria(maria: Connection, sql: string, sameFailure: Readonly<Record<number, number>> = {}): Promise<string> {
  try {
    const [result] = await maria.query(sql);
    return `affected ${(result as { affectedRows: number }).affectedRows}`;
  } catch (error) {
    const errno = (error as { errno?: number }).errno;
    return `error ${errno === undefined ? 'unknown' : sameFailure[errno] ?? errno}`;
  }
}

// A table's rows in key order, as text (null for NULL), on TideDB and on MariaDB: what a
// differential test of writes compares after each statement.
export async function tableOnBoth(store: Store, maria: Connection, table: string): Promise<{ ours: (string | null)[][]; theirs: (string | null)[][] }> {
  const select = `SELECT * FROM ${table} ORDER BY id`;
  const [rows] = await maria.query({ sql: select, rowsAsArray: true });
  const text = (values: readonly (readonly unknown[])[]): (string | null)[][] => values.map((row) => row.map((value) => (value === null ? null : String(value))));
  return { ours: text((await runOnStoreAsync(store, select)).rows), theirs: text(rows as unknown[][]) };
}

// A seeded script of writes for both sides: per round, `setup(round)` (a schema, rows), then
// `statementsPerRound` statements from `statement()`.
export interface WriteScript {
  readonly seed: number;
  readonly rounds: number;
  readonly statementsPerRound: number;
  readonly tables: readonly string[];
  setup(round: number): readonly string[];
  statement(): string;
  // TideDB's outcome for a statement MySQL (followed here) answers otherwise than MariaDB, or null.
  readonly mysqlAnswer?: (sql: string) => string | null;
  readonly sameFailure?: Readonly<Record<number, number>>;
}

// Runs the script on both sides: each statement's outcome must agree, then every table. Returns
// how often each outcome came, for the caller to check that the script reached what it tests.
export async function compareWrites(store: Store, maria: Connection, script: WriteScript): Promise<Map<string, number>> {
  const { seed } = script;
  const outcomes = new Map<string, number>();
  for (let round = 0; round < script.rounds; round++) {
    for (const sql of script.setup(round)) {
      await maria.query(sql);
      await runOnStoreAsync(store, sql);
    }
    for (let at = 0; at < script.statementsPerRound; at++) {
      const sql = script.statement();
      const ours = await affectedOnTide(store, sql);
      const mysqlAnswer = script.mysqlAnswer?.(sql) ?? null;
      if (mysqlAnswer !== null) {
        expect({ seed, round, sql, outcome: ours }).toEqual({ seed, round, sql, outcome: mysqlAnswer });
        continue;
      }
      const theirs = await affectedOnMaria(maria, sql, script.sameFailure);
      expect({ seed, round, sql, outcome: ours }).toEqual({ seed, round, sql, outcome: theirs });
      outcomes.set(ours, (outcomes.get(ours) ?? 0) + 1);
      for (const table of script.tables) {
        const { ours: rows, theirs: expected } = await tableOnBoth(store, maria, table);
        expect({ seed, round, sql, table, rows }).toEqual({ seed, round, sql, table, rows: expected });
      }
    }
  }
  return outcomes;
}
