// TideDB's client: SQL over HTTP against any node of a cluster, atomic batches, change
// streams that survive their node, and live copies of a table.
import { subscribe } from './changes.js';
import type { StreamEvent, SubscribeOptions } from './changes.js';
import { LiveQuery } from './live-query.js';
import type { LiveQueryOptions } from './live-query.js';
import { Nodes } from './nodes.js';
import type { NodesOptions } from './nodes.js';
import { runStatements } from './sql.js';
import type { BatchResult, QueryResult, SqlRow, SqlValue, Statement } from './sql.js';

export { TideClientError } from './errors.js';
export type { ChangeEvent, DdlEvent, ProgressEvent, SchemaEvent, SnapshotEndEvent, SnapshotRestartEvent, StreamEvent, SubscribeOptions, TransactionPlace } from './changes.js';
export type { LiveQuery, LiveQueryOptions } from './live-query.js';
export type { NodesOptions } from './nodes.js';
export type { BatchResult, QueryResult, SqlRow, SqlValue, Statement, StatementResult } from './sql.js';

export class TideClient {
  private readonly nodes: Nodes;

  constructor(options: NodesOptions) {
    this.nodes = new Nodes(options);
  }

  // One statement. A node that cannot be reached, or answers that it cannot serve, is left for
  // the next; a request that was sent and got no answer rejects with OUTCOME_UNKNOWN and is
  // never sent again by the client (a write may have committed).
  async query<Row extends SqlRow = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<QueryResult<Row>> {
    const { results, lsn } = await runStatements(this.nodes, [{ sql, params }]);
    return { ...(results[0] as QueryResult<Row>), lsn };
  }

  // Several statements as one atomic transaction: all take effect or none.
  batch(statements: readonly Statement[]): Promise<BatchResult> {
    return runStatements(this.nodes, statements);
  }

  // The changes of tables, as they commit, for as long as the caller iterates.
  subscribe<Row = Record<string, unknown>>(options: SubscribeOptions): AsyncGenerator<StreamEvent<Row>> {
    return subscribe<Row>(this.nodes, options);
  }

  // A local copy of a table, kept in sync; close() stops it.
  liveQuery<Row extends Record<string, unknown> = Record<string, unknown>>(table: string, options: LiveQueryOptions = {}): LiveQuery<Row> {
    return new LiveQuery<Row>(this.nodes, table, options);
  }
}
