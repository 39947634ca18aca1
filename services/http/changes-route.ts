// GET /v1/changes: a table's committed changes as they apply, as Server-Sent Events (for
// `Accept: text/event-stream`) or newline-delimited JSON. Everything the request could get
// wrong is checked before the stream opens, so errors keep the usual status and body; after
// that, the stream itself says how it ends (an `end` event with a code and the lsn to resume
// from).
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { TideError } from '../base/errors.js';
import { isIdentifier } from '../base/identifiers.js';
import { streamFilterLengthMax, streamProgressMsDefault, streamProgressMsMax, streamProgressMsMin, streamTablesMax } from '../base/limits.js';
import { selects } from '../cdc/change-stream.js';
import type { ChangeStreamOptions, StreamSink, StreamStart } from '../cdc/change-stream.js';
import type { ReadView } from '../sql/read-view.js';
import type { ChangeStreams } from '../cdc/change-streams.js';
import type { StreamEvent } from '../cdc/stream-events.js';
import { checkStreamPrivileges } from '../users/route-privileges.js';
import type { AccountView } from '../users/route-privileges.js';
import type { Principal } from '../users/privilege-check.js';
import { principalOf } from './authentication.js';
import { toJson } from './json-body.js';
import { StreamFilters } from './stream-filters.js';
import type { HeldFilter } from './stream-filters.js';

export interface ChangesRouteOptions {
  readonly streams: ChangeStreams;
  // What `where=` filters bind against (the applied catalog).
  readonly readView: ReadView;
  // The database of a table named without one.
  readonly defaultDatabase: string;
  // With authentication: whose SELECT privileges a stream needs (users/route-privileges.ts).
  readonly accounts?: AccountView;
}

const lsnPattern = '^[0-9]{1,20}$';
const querySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    table: {
      anyOf: [
        { type: 'string', minLength: 1 },
        { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, maxItems: streamTablesMax },
      ],
    },
    database: { type: 'string', minLength: 1 },
    from: { type: 'string', pattern: `^now$|${lsnPattern}` },
    snapshot: { type: 'string', enum: ['true', 'false'] },
    progress_ms: { type: 'string', pattern: '^[0-9]{1,9}$' },
    // A SQL boolean expression over the row, as a SELECT's WHERE; `?` bound from `params`, a
    // JSON array.
    where: { type: 'string', minLength: 1, maxLength: streamFilterLengthMax },
    params: { type: 'string', minLength: 2, maxLength: streamFilterLengthMax },
    // Columns to send, comma-separated; the key's always come too.
    columns: { type: 'string', minLength: 1, maxLength: streamFilterLengthMax },
  },
} as const;

interface ChangesQuery {
  readonly table?: string | readonly string[];
  readonly database?: string;
  readonly from?: string;
  readonly snapshot?: 'true' | 'false';
  readonly progress_ms?: string;
  readonly where?: string;
  readonly params?: string;
  readonly columns?: string;
}

export function changesRoute(app: FastifyInstance, options: ChangesRouteOptions): void {
  const filters = new StreamFilters(options.readView);
  app.get<{ Querystring: ChangesQuery }>('/v1/changes', { schema: { summary: 'Stream committed changes (NDJSON, or SSE for Accept: text/event-stream)', querystring: querySchema } }, async (request, reply) => {
    const { streamOptions, filter } = parseRequest(request.query, request.headers['last-event-id'], options, filters, principalOf(request));
    try {
      await serve(streamOptions, request.headers.accept, reply, options.streams);
    } finally {
      filter.release();
    }
  });
}

// Opens the stream's response and runs the stream to its end.
async function serve(streamOptions: ChangeStreamOptions, accept: string | undefined, reply: FastifyReply, streams: ChangeStreams): Promise<void> {
  streams.admit();
  const format = (accept ?? '').includes('text/event-stream') ? 'sse' : 'ndjson';
  reply.hijack();
  const response = reply.raw;
  response.writeHead(200, {
    'content-type': format === 'sse' ? 'text/event-stream; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    'cache-control': 'no-store',
    // Proxies that buffer responses (nginx) would hold events back.
    'x-accel-buffering': 'no',
  });
  response.flushHeaders();
  const description = describe(streamOptions);
  await streams.run(new ResponseSink(response, format), streamOptions, description);
}

function parseRequest(query: ChangesQuery, lastEventId: string | string[] | undefined, options: ChangesRouteOptions, filters: StreamFilters, principal: Principal | undefined): { streamOptions: ChangeStreamOptions; filter: HeldFilter } {
  const source = options.streams.feed.source;
  const names = query.table === undefined ? [] : typeof query.table === 'string' ? [query.table] : query.table;
  if (names.length > 0 && query.database !== undefined) throw new TideError('REQUEST_INVALID', 'name tables with table= or a whole database with database=, not both');
  const tables = new Set<string>();
  for (const name of names) {
    const [database, table] = name.includes('.') ? name.split('.', 2) as [string, string] : [options.defaultDatabase, name];
    if (!isIdentifier(database) || !isIdentifier(table) || name.split('.').length > 2) throw new TideError('REQUEST_INVALID', `'${name}' is not a table name (table or database.table)`);
    if (source.table(database, table) === undefined) throw new TideError('TABLE_NOT_FOUND', `table '${database}.${table}' does not exist`);
    tables.add(`${database}.${table}`);
  }
  if (query.database !== undefined && !isIdentifier(query.database)) throw new TideError('REQUEST_INVALID', `'${query.database}' is not a database name`);
  const progressMs = query.progress_ms === undefined ? streamProgressMsDefault : Number(query.progress_ms);
  if (progressMs < streamProgressMsMin || progressMs > streamProgressMsMax) {
    throw new TideError('REQUEST_INVALID', `progress_ms must be from ${streamProgressMsMin} to ${streamProgressMsMax}`);
  }
  const start = startOf(query, lastEventId);
  if (start.kind === 'after' && !options.streams.feed.keeps(start.lsn)) {
    const oldest = source.changelogPrunedThrough().toString();
    throw new TideError('CHANGES_EXPIRED', `changes after ${start.lsn} are past the changelog's retention; resume after ${oldest} or later, or start with snapshot=true`, { oldest_lsn: oldest });
  }
  const selection = { tables: tables.size > 0 ? tables : null, database: query.database ?? null };
  // Before the stream opens: a refusal keeps the usual status and body.
  if (options.accounts !== undefined) checkStreamPrivileges(principal, selection, options.accounts);
  const filter = filters.hold(query, source.allTables().filter((table) => source.table(table.database, table.name)?.id === table.id && selects(selection, table)));
  return { streamOptions: { selection, filter: filter.filter, start, progressMs }, filter };
}

// An EventSource reconnecting sends the id of the last event it got: the position after which
// to go on, whatever the URL's own start says (a snapshot it had finished included, since
// snapshot rows carry no id).
function startOf(query: ChangesQuery, lastEventId: string | string[] | undefined): StreamStart {
  if (typeof lastEventId === 'string' && lastEventId !== '') {
    if (!new RegExp(lsnPattern).test(lastEventId)) throw new TideError('REQUEST_INVALID', 'Last-Event-ID must be an lsn');
    return { kind: 'after', lsn: BigInt(lastEventId) };
  }
  const snapshot = query.snapshot === 'true';
  if (snapshot && query.from !== undefined) throw new TideError('REQUEST_INVALID', 'a stream starts from a snapshot or from a position, not both');
  if (snapshot) return { kind: 'snapshot' };
  if (query.from === undefined || query.from === 'now') return { kind: 'now' };
  return { kind: 'after', lsn: BigInt(query.from) };
}

function describe(options: ChangeStreamOptions): string {
  const { tables, database } = options.selection;
  if (tables !== null) return [...tables].join(',');
  return database === null ? '*' : `${database}.*`;
}

// Streams that share an event object (cdc/change-stream.ts) share its framed text too: the
// NDJSON line, or the SSE frame after its id line.
const framesByEvent = new WeakMap<StreamEvent, { ndjson?: string; sse?: string }>();

// Frames events onto the response and reports its buffer, which is how the stream tells a
// slow subscriber from a stalled one.
class ResponseSink implements StreamSink {
  readonly closed: Promise<void>;
  // Frames sent this turn, not yet written: they leave in one write (one HTTP chunk, one
  // system call), however many events a stream sent for an apply.
  private pending: string[] = [];
  private pendingLength = 0;

  constructor(private readonly response: ServerResponse, private readonly format: 'sse' | 'ndjson') {
    this.closed = new Promise((resolve) => response.once('close', () => resolve()));
  }

  send(event: StreamEvent, resumeId: string | null): void {
    let frames = framesByEvent.get(event);
    if (frames === undefined) {
      frames = {};
      framesByEvent.set(event, frames);
    }
    let frame = frames[this.format];
    if (frame === undefined) {
      const json = toJson(event);
      frame = this.format === 'ndjson' ? `${json}\n` : `event: ${event.type}\ndata: ${json}\n\n`;
      frames[this.format] = frame;
    }
    // The stream flushes once it has sent what an apply brought it; anything else sent in a
    // turn leaves at the turn's end.
    if (this.pending.length === 0) process.nextTick(() => this.flush());
    if (this.format === 'sse' && resumeId !== null) this.hold(`id: ${resumeId}\n`);
    this.hold(frame);
  }

  private hold(text: string): void {
    this.pending.push(text);
    this.pendingLength += text.length;
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const text = this.pending.length === 1 ? this.pending[0]! : this.pending.join('');
    this.pending = [];
    this.pendingLength = 0;
    this.response.write(text);
  }

  // Held frames count by their length in characters: close to their bytes, and to the memory
  // they take, for the ASCII that JSON of most rows is.
  bufferedBytes(): number {
    return this.response.writableLength + this.pendingLength;
  }

  drained(timeoutMs: number): Promise<boolean> {
    this.flush();
    if (this.response.writableLength === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (drained: boolean): void => {
        clearTimeout(timer);
        this.response.off('drain', onDrain);
        this.response.off('close', onClose);
        resolve(drained);
      };
      const onDrain = (): void => done(true);
      const onClose = (): void => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.response.once('drain', onDrain);
      this.response.once('close', onClose);
    });
  }

  // A subscriber that stopped reading would keep an ended response open for ever: what it has
  // not taken within a second is dropped with the connection.
  finish(): void {
    this.flush();
    this.response.end();
    if (this.response.writableFinished) return;
    const timer = setTimeout(() => this.response.destroy(), 1_000);
    timer.unref();
    this.response.once('finish', () => clearTimeout(timer));
  }
}
