// POST /v1/sql from the client: one statement, or several as one atomic transaction. Rows
// come back as objects keyed by column name, typed as the caller says.
import { errorOf } from './nodes.js';
import type { Nodes } from './nodes.js';

export type SqlValue = null | number | string | boolean;
export type SqlRow = Record<string, unknown>;

export interface Statement {
  readonly sql: string;
  readonly params?: readonly SqlValue[];
}

export interface StatementResult<Row extends SqlRow = SqlRow> {
  readonly columns: readonly string[];
  readonly rows: Row[];
  readonly rowsAffected: number;
  readonly lastInsertId: number | null;
}

export interface QueryResult<Row extends SqlRow = SqlRow> extends StatementResult<Row> {
  // The transaction's position in the log: pass it to a read on another node (min_lsn) or
  // compare it with a change stream's positions.
  readonly lsn: string;
}

export interface BatchResult {
  readonly results: readonly StatementResult[];
  readonly lsn: string;
}

// The wire shape of a response (the node's HTTP contract).
interface WireResult {
  readonly columns: string[];
  readonly rows: unknown[][];
  readonly rows_affected: number;
  readonly last_insert_id: number | null;
}
interface WireResponse {
  readonly results: WireResult[];
  readonly lsn: string;
}

export async function runStatements(nodes: Nodes, statements: readonly Statement[]): Promise<BatchResult> {
  const body = statements.length === 1 ? statements[0]! : { statements };
  const answer = await nodes.withFailover(async (url) => {
    const response = await fetch(`${url}/v1/sql`, { method: 'POST', headers: { ...nodes.headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) throw await errorOf(response);
    return (await response.json()) as WireResponse;
  });
  return { results: answer.results.map((result) => toResult(result)), lsn: answer.lsn };
}

function toResult<Row extends SqlRow>(wire: WireResult): StatementResult<Row> {
  return {
    columns: wire.columns,
    rows: wire.rows.map((values) => Object.fromEntries(wire.columns.map((column, at) => [column, values[at]])) as Row),
    rowsAffected: wire.rows_affected,
    lastInsertId: wire.last_insert_id,
  };
}
