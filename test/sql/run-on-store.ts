// One statement run the way the write path runs a one-statement transaction, straight on a
// Store: parsed, planned and executed in an overlay, and what it changed applied as the next
// entry. For tests of SQL semantics that need real storage but no Raft log.
import { TideError } from '../../services/base/errors.js';
import type { ErrorCode } from '../../services/base/errors.js';
import { mysqlErrorOf } from '../../services/base/mysql-errors.js';
import { execute } from '../../services/sql/executor.js';
import type { StatementResult } from '../../services/sql/executor.js';
import { OverlayView } from '../../services/sql/overlay-view.js';
import { parseSql } from '../../services/sql/parser.js';
import { planStatement } from '../../services/sql/planner.js';
import { encodeBatch } from '../../services/storage/batch-codec.js';
import type { Store } from '../../services/storage/store.js';
import type { BatchChange, Value } from '../../services/storage/types.js';

export function runOnStore(store: Store, sql: string, params: readonly Value[] = [], proposedAtMs = 0): { result: StatementResult; changes: readonly BatchChange[] } {
  const { result, changes, applied } = executeAndApply(store, sql, params, proposedAtMs);
  if (applied instanceof Promise) throw new Error('runOnStore applies small entries only (synchronously)');
  return { result, changes };
}

// As runOnStore, for entries that apply in slices too (index builds and table drops always do).
export async function runOnStoreAsync(store: Store, sql: string, params: readonly Value[] = []): Promise<StatementResult> {
  return (await runOnStoreSliced(store, sql, params)).result;
}

export async function runOnStoreSliced(store: Store, sql: string, params: readonly Value[] = []): Promise<{ result: StatementResult; changes: readonly BatchChange[] }> {
  const { result, changes, applied } = executeAndApply(store, sql, params, 0);
  await applied;
  return { result, changes };
}

function executeAndApply(store: Store, sql: string, params: readonly Value[], proposedAtMs: number): { result: StatementResult; changes: readonly BatchChange[]; applied: void | Promise<void> } {
  const [statement] = parseSql(sql);
  const view = new OverlayView(store);
  const { plan } = planStatement(statement!, view, 'app');
  // The statement's time is the batch's, when a test gives one.
  const result = execute(plan, params, view, proposedAtMs === 0 ? Date.now() : proposedAtMs);
  const changes = [...view.changes()];
  if (changes.length === 0) return { result, changes, applied: undefined };
  const index = store.appliedIndex() + 1n;
  return { result, changes, applied: store.apply([{ index, term: 1n, kind: 'batch', data: encodeBatch({ proposedAtMs, changes }) }]) };
}

// The code of the TideError a statement fails with, or 'no error'.
export async function errorCodeOfSql(store: Store, sql: string): Promise<ErrorCode | 'no error'> {
  try {
    await runOnStoreAsync(store, sql);
  } catch (error) {
    if (error instanceof TideError) return error.code;
    throw error;
  }
  return 'no error';
}

// The code a TideError thrown by `action` carries, or 'no error'.
export function errorCodeOf(action: () => unknown): ErrorCode | 'no error' {
  try {
    action();
  } catch (error) {
    if (error instanceof TideError) return error.code;
    throw error;
  }
  return 'no error';
}

// MySQL's error number for the TideError `action` throws (-1 for a code without one), or 'no error'.
export function mysqlErrnoOf(action: () => unknown): number | 'no error' {
  const code = errorCodeOf(action);
  return code === 'no error' ? code : mysqlErrorOf(code)?.errno ?? -1;
}
