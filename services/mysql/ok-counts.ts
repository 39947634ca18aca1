// What a write's OK packet says, as MySQL counts it: the rows affected — changed, or found when
// the client asked for CLIENT_FOUND_ROWS (mysql2 does by default) — the insert id, and an
// UPDATE's "Rows matched" info, which drivers read for the rows changed (mysql2's changedRows).
import type { StatementResult } from '../sql/executor.js';

export interface OkCounts {
  readonly affectedRows: number;
  readonly insertId: bigint;
  readonly info?: string;
}

// `result`: null for a statement the session answered itself.
export function okCounts(result: StatementResult | null, foundRows: boolean, warnings: number): OkCounts {
  if (result === null) return { affectedRows: 0, insertId: 0n };
  const matched = result.rowsMatched;
  const affectedRows = foundRows && matched !== undefined ? matched.rows : result.rowsAffected;
  // The id the statement generated; else, as MySQL's OK packet, the AUTO_INCREMENT value of the
  // last row it wrote (an id given explicitly), which LAST_INSERT_ID() does not take.
  const insertId = result.lastInsertId ?? result.autoIncrementValue ?? 0n;
  if (matched?.statement !== 'update') return { affectedRows, insertId };
  return { affectedRows, insertId, info: `Rows matched: ${matched.rows}  Changed: ${result.rowsAffected}  Warnings: ${warnings}` };
}
