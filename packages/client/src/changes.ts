// A change stream as an async iterator that outlives connections: when its node goes away it
// reconnects — to the next node if that one is gone — and resumes after the last position it
// delivered, so the caller sees every change once, in order, across failovers.
import { TideClientError } from './errors.js';
import { errorOf, neverSent, tlsFailure } from './nodes.js';
import type { Nodes } from './nodes.js';

export interface TransactionPlace {
  readonly id: string;
  // This event's place among the events of its transaction that the stream delivers (1-based),
  // and how many those are: a client applying whole transactions waits for order === total.
  readonly order: number;
  readonly total: number;
}

export interface ChangeEvent<Row = Record<string, unknown>> {
  readonly type: 'change';
  readonly lsn: string;
  readonly database: string;
  readonly table: string;
  readonly schema_version: number;
  // `t`: TRUNCATE emptied the table; its key, before and after are null.
  readonly op: 'c' | 'u' | 'd' | 'r' | 't';
  readonly key: Record<string, unknown> | null;
  readonly before: Row | null;
  readonly after: Row | null;
  readonly ts_ms: number | null;
  readonly transaction: TransactionPlace | null;
}

// A schema change of a selected table (or, on a database-wide stream, of the database), in log
// order with the row changes and placed in its transaction as they are. TRUNCATE is a change
// event of op `t` instead.
export interface DdlEvent {
  readonly type: 'ddl';
  readonly lsn: string;
  readonly database: string;
  readonly table: string | null;
  readonly kind: 'create_table' | 'drop_table' | 'alter_table' | 'create_index' | 'drop_index' | 'create_database' | 'drop_database';
  readonly schema_version: number | null;
  readonly ddl: string | null;
  readonly ts_ms: number;
  readonly transaction: TransactionPlace;
}

export interface SchemaEvent {
  readonly type: 'schema';
  readonly database: string;
  readonly table: string;
  readonly schema_version: number;
  readonly columns: readonly { readonly name: string; readonly type: string; readonly nullable: boolean }[];
  readonly primary_key: readonly string[];
}

// Every change at or below `lsn` has been delivered: a safe place to resume after.
export interface ProgressEvent {
  readonly type: 'progress';
  readonly lsn: string;
}

// The snapshot's rows are all delivered; changes after `lsn` follow.
export interface SnapshotEndEvent {
  readonly type: 'snapshot_end';
  readonly lsn: string;
}

// The stream was cut in the middle of its snapshot and takes it again: forget the snapshot
// rows received so far (the client's own event, never the node's).
export interface SnapshotRestartEvent {
  readonly type: 'snapshot_restart';
}

export type StreamEvent<Row = Record<string, unknown>> = ChangeEvent<Row> | DdlEvent | SchemaEvent | ProgressEvent | SnapshotEndEvent | SnapshotRestartEvent;

export interface SubscribeOptions {
  // Tables as `name` (the node's default database) or `database.name`; or a whole database.
  readonly tables?: readonly string[];
  readonly database?: string;
  // Start after this lsn, or from now (the default); or with a snapshot of the current rows.
  readonly from?: string;
  readonly snapshot?: boolean;
  readonly progressMs?: number;
  // Only the rows for which this SQL condition holds, as a SELECT's WHERE over the table's
  // columns, with `?` bound from `params`. An update that moves a row into the condition arrives
  // as an insert (`c`), one that moves it out as a delete (`d`).
  readonly where?: string;
  readonly params?: readonly (null | number | string | boolean)[];
  readonly signal?: AbortSignal;
}

// Codes of an `end` event or an error status after which the same stream may be asked again.
const resumable = new Set(['SHUTTING_DOWN', 'STREAM_STALLED', 'STREAMS_TOO_MANY', 'NOT_LEADER', 'OVERLOADED']);

export async function* subscribe<Row = Record<string, unknown>>(nodes: Nodes, options: SubscribeOptions): AsyncGenerator<StreamEvent<Row>> {
  let position: string | null = options.from ?? null;
  let snapshotPending = options.snapshot === true;
  let snapshotStarted = false;
  let pauseMs = 50;
  for (;;) {
    options.signal?.throwIfAborted();
    const controller = new AbortController();
    const abort = (): void => controller.abort();
    options.signal?.addEventListener('abort', abort);
    try {
      if (snapshotPending && snapshotStarted) yield { type: 'snapshot_restart' };
      const response = await fetch(`${nodes.url}/v1/changes?${query(options, position, snapshotPending)}`, { headers: nodes.headers, signal: controller.signal });
      if (!response.ok) {
        const error = await errorOf(response);
        if (!resumable.has(error.code)) throw error;
        throw new Reconnect();
      }
      snapshotStarted = snapshotPending;
      for await (const event of ndjsonEvents(response)) {
        if (event.type === 'end') {
          const code = String(event['code']);
          if (!resumable.has(code)) throw new TideClientError(code, String(event['message']), null, { lsn: event['lsn'] });
          break;
        }
        if (event.type === 'snapshot_end') snapshotPending = false;
        // Snapshot rows are not a place to resume from: the snapshot is taken whole or again.
        if (typeof event['lsn'] === 'string' && !(event.type === 'change' && event['op'] === 'r')) position = event['lsn'];
        pauseMs = 50;
        yield event as unknown as StreamEvent<Row>;
      }
    } catch (error) {
      if (options.signal?.aborted === true) return;
      if (error instanceof TideClientError) throw error;
      // Not a lost connection: reconnecting would fail the same way for ever.
      const tls = tlsFailure(nodes.url, error);
      if (tls !== null) throw tls;
      if (!(error instanceof Reconnect) && !neverSent(error) && !isConnectionLoss(error)) throw error;
    } finally {
      options.signal?.removeEventListener('abort', abort);
      controller.abort();
    }
    // The node went away or asked to be left: the next one, after a pause once all were tried.
    if (nodes.next()) {
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      pauseMs = Math.min(pauseMs * 2, 2_000);
    }
  }
}

class Reconnect extends Error {}

function isConnectionLoss(error: unknown): boolean {
  return error instanceof TypeError || (error as { name?: string } | null)?.name === 'SocketError' || (error as { code?: string } | null)?.code === 'ECONNRESET';
}

function query(options: SubscribeOptions, position: string | null, snapshot: boolean): string {
  const params = new URLSearchParams();
  for (const table of options.tables ?? []) params.append('table', table);
  if (options.database !== undefined) params.set('database', options.database);
  if (snapshot) params.set('snapshot', 'true');
  else if (position !== null) params.set('from', position);
  if (options.progressMs !== undefined) params.set('progress_ms', String(options.progressMs));
  if (options.where !== undefined) params.set('where', options.where);
  if (options.params !== undefined) params.set('params', JSON.stringify(options.params));
  return params.toString();
}

async function* ndjsonEvents(response: Response): AsyncGenerator<{ type: string } & Record<string, unknown>> {
  if (response.body === null) return;
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let at: number;
    while ((at = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, at);
      buffer = buffer.slice(at + 1);
      if (line !== '') yield JSON.parse(line) as { type: string } & Record<string, unknown>;
    }
  }
  // A stream the node ended sends `end` first; a body that just stops is a lost connection.
  throw new Reconnect();
}
