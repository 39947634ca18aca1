// Planning and executing a request's statements over a view, one after another, shared by
// autocommit requests (sequencer.ts) and interactive transactions (transaction.ts). A failed
// statement's error carries its index among several; `USE db` moves the database for the
// statements after it.
import { TideError, isTideError } from '../base/errors.js';
import type { Steps } from '../base/time-slice.js';
import { executeSteps } from '../sql/executor.js';
import type { StatementResult } from '../sql/executor.js';
import type { OverlayView } from '../sql/overlay-view.js';
import type { AstNode, ParsedText } from '../sql/parser.js';
import { CatalogReads } from '../sql/plan-cache.js';
import type { CachedPlan, PlanCache } from '../sql/plan-cache.js';
import { planSteps } from '../sql/planner.js';
import type { ReadView } from '../sql/read-view.js';
import { directRead, readsDirectly } from '../sql/select/direct-read.js';
import type { Value } from '../storage/types.js';
import { checkPrivileges, RecordingView } from '../users/privilege-check.js';
import type { Principal } from '../users/privilege-check.js';

export interface Statement {
  readonly sql: string;
  readonly params: readonly Value[];
}

export interface ExecutionContext {
  // Where unqualified names resolve, until a `USE`.
  readonly database: string;
  readonly nowMs: () => number;
  // Whose privileges each statement needs (users/privilege-check.ts); undefined: the node's own.
  readonly principal: Principal | undefined;
  // Which of several the first statement is, for the index an error names (a transaction runs
  // a request's statements one at a time), and how many there are.
  readonly indexBase?: number;
  readonly count?: number;
  // LAST_INSERT_ID() before the first statement (an interactive transaction's, from its earlier
  // requests); null or absent: none yet.
  readonly lastInsertId?: bigint | null;
  // Where plans are kept between runs (sql/plan-cache.ts), for a view whose catalog is the
  // applied one at `epoch`; absent: every statement is planned.
  readonly plans?: { readonly cache: PlanCache; readonly epoch: number };
}

export function* executeStatements(statements: readonly Statement[], parsed: readonly AstNode[], view: OverlayView, context: ExecutionContext): Steps<{ results: StatementResult[]; database: string; lastInsertId: bigint | null }> {
  const { nowMs, principal, indexBase = 0, count = statements.length } = context;
  let database = context.database;
  let lastInsertId = context.lastInsertId ?? null;
  const results: StatementResult[] = [];
  for (const [at, statement] of statements.entries()) {
    try {
      // What LAST_INSERT_ID() answers, bound as the statement is planned.
      view.lastInsertId = lastInsertId;
      const { plan, paramCount, tables } = yield* planOf(parsed[at]!, view, database, principal !== undefined, context.plans);
      checkPrivileges(plan, tables, principal, view);
      if (paramCount !== statement.params.length) {
        throw new TideError('PARAM_COUNT_MISMATCH', `statement has ${paramCount} placeholders but ${statement.params.length} params were given`);
      }
      view.statementText = statement.sql;
      view.currentAccount = principal ?? null;
      // The statement's time, read once here: rows carry its value to followers.
      const result = yield* executeSteps(plan, statement.params, view, nowMs());
      results.push(result);
      if (result.lastInsertId !== null) lastInsertId = result.lastInsertId;
      if (plan.kind === 'use') database = plan.database;
    } catch (error) {
      throw tagged(stackOverflowAsLimit(error), indexBase + at, count);
    }
  }
  return { results, database, lastInsertId };
}

// A single SELECT whose kept plan reads a few rows by a key, answered at once over `view`
// (sql/select/direct-read.ts); null when it is not one, or not for these values, and
// executeStatements runs it. Its error is tagged as executeStatements tags one.
export function keptDirectRead(statement: Statement, ast: AstNode, view: ReadView, context: Pick<ExecutionContext, 'database' | 'principal' | 'indexBase' | 'count'> & Required<Pick<ExecutionContext, 'plans'>>): StatementResult | null {
  const kept = context.plans.cache.lookup(ast, context.database, context.plans.epoch);
  if (kept === undefined || kept.plan.kind !== 'select' || kept.paramCount !== statement.params.length || !readsDirectly(kept.plan.query)) return null;
  try {
    checkPrivileges(kept.plan, kept.tables, context.principal, view);
    readTablesOf(kept, view);
    const selected = directRead(kept.plan.query, statement.params, view);
    if (selected === null) return null;
    return { columns: selected.columns, rows: selected.rows, rowsAffected: 0, lastInsertId: null, ...(selected.origins === undefined ? {} : { columnOrigins: selected.origins }) };
  } catch (error) {
    throw tagged(stackOverflowAsLimit(error), context.indexBase ?? 0, context.count ?? 1);
  }
}

// A kept plan, or a new one (kept when it may be). Planning through a recording view notes every
// table and view the statement reads, which the privilege check needs.
function* planOf(ast: AstNode, view: OverlayView, database: string, checksPrivileges: boolean, plans: ExecutionContext['plans']): Steps<CachedPlan> {
  if (plans === undefined) {
    const recording = checksPrivileges ? new RecordingView() : null;
    const planned = yield* planSteps(ast, recording === null ? view : recording.wrap(view), database);
    return { ...planned, tables: recording?.tables() ?? [] };
  }
  const kept = plans.cache.lookup(ast, database, plans.epoch);
  if (kept !== undefined) {
    readTablesOf(kept, view);
    return kept;
  }
  const recording = new RecordingView();
  const reads = new CatalogReads();
  const planned = { ...(yield* planSteps(ast, recording.wrap(reads.wrap(view)), database)), tables: recording.tables() };
  plans.cache.keep(ast, database, plans.epoch, reads, planned);
  return planned;
}

// A kept plan's tables looked up again as planning looked them up: a view that notes what is read
// of it (a transaction's read set, which holds the tables its statements use) must see them read.
function readTablesOf(kept: CachedPlan, view: ReadView): void {
  for (const { database, name } of kept.tables) view.table(database, name);
}

export function oneStatement(text: ParsedText): AstNode {
  if (text instanceof TideError) throw text;
  const statements = text;
  if (statements.length !== 1) throw new TideError('REQUEST_INVALID', 'put one SQL statement in each entry of "statements"');
  return statements[0]!;
}

// The limits on a statement's shape keep the planner's and evaluator's recursion far from the
// stack's end; should a shape they missed still get there, the statement fails alone — it has
// only written to its own overlay view, which is dropped — instead of as an internal error.
function stackOverflowAsLimit(error: unknown): unknown {
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return new TideError('EXPRESSION_TOO_DEEP', 'the statement nests too deeply to run');
  }
  return error;
}

// Tags an error from statement `at` of a multi-statement request with its index.
export function withIndex<T>(at: number, count: number, run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw tagged(error, at, count);
  }
}

export function tagged(error: unknown, at: number, count: number): unknown {
  return count > 1 && isTideError(error) ? error.withDetails({ statement_index: at }) : error;
}
