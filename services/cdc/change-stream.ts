// One subscriber's change stream: optionally the current rows at one consistent position,
// then every committed change of the tables it selected, in log order, each once, with a
// progress event at a fixed interval, busy or idle. It pulls from the changelog at the pace
// its subscriber reads: while the subscriber's socket holds streamBufferBytesMax unread, the
// stream reads nothing more, so a slow subscriber costs bounded memory and never slows
// writes; one that reads nothing for streamStallMsMax is cut off with the position to resume
// from.
import { isTideError } from '../base/errors.js';
import type { ErrorCode } from '../base/errors.js';
import { streamBufferBytesMax, streamStallMsMax } from '../base/limits.js';
import { TimeSlice } from '../base/time-slice.js';
import { isDdlRecord } from '../storage/types.js';
import type { ChangeRecord, ChangelogRecord, DdlRecord, Row, TableDef } from '../storage/types.js';
import { entryEndLsn } from './change-feed.js';
import type { ChangeFeed } from './change-feed.js';
import type { ParkedStream } from './stream-dispatch.js';
import { changeEvent, ddlEvent, schemaEvent, snapshotEvent } from './stream-events.js';
import type { ChangeEvent, ChangeShape, ProgressEvent, StreamEvent } from './stream-events.js';

// Where the subscriber's events go: an HTTP response framed as SSE or NDJSON.
export interface StreamSink {
  // `resumeId` is the position a client resumes after, when this event is one to resume
  // after (SSE's event id); null for events in the middle of a snapshot.
  send(event: StreamEvent, resumeId: string | null): void;
  bufferedBytes(): number;
  // Writes out now what this turn's sends have held back (they leave together in one write at
  // the turn's end otherwise): a stream flushes what an apply brought it, so that the socket
  // write is done within its own slice of work, not after the whole pass.
  flush(): void;
  // Resolves true once the buffer has drained, false if it has not within `timeoutMs`.
  drained(timeoutMs: number): Promise<boolean>;
  // Resolves when the subscriber goes away.
  readonly closed: Promise<void>;
  // Ends the response; the sink closes.
  finish(): void;
}

// Which tables a stream carries: named ones, every table of one database, or every table.
export interface StreamSelection {
  readonly tables: ReadonlySet<string> | null; // `<database>.<table>`
  readonly database: string | null;
}

export type StreamStart =
  | { readonly kind: 'after'; readonly lsn: bigint }
  | { readonly kind: 'now' }
  | { readonly kind: 'snapshot' };

// A subscriber's `where=` and `columns=`. `selects` is asked of a row in the shape of the table
// version that wrote it, and throws a TideError when the filter cannot apply to that version
// (a column it names was dropped): the stream then ends with that error.
export interface StreamFilter {
  selects(table: TableDef, row: Row): boolean;
  readonly columns: ReadonlySet<string> | null;
  // Whether other streams hold the same filter object now: only then is what it makes of a
  // change worth keeping for them.
  readonly shared: boolean;
}

export interface ChangeStreamOptions {
  readonly selection: StreamSelection;
  readonly filter?: StreamFilter | null;
  readonly start: StreamStart;
  readonly progressMs: number;
  // How long a full buffer may stay undrained before the subscriber counts as stalled.
  readonly stallMs?: number;
}

// The event of a record as the streams that select the same changes of its entry see it: a
// thousand subscribers of one table share one event object (and the sink its JSON text).
// Streams with one filter (the same object: the route shares the filters of identical
// requests) share what it made of each record and the events built from that; a filtered
// stream that takes a change whole, with every column, shares the unfiltered event.
const unfiltered = {};
const eventsByFilter = new WeakMap<object, WeakMap<ChangeRecord, ChangeEvent>>();
const shapesByFilter = new WeakMap<StreamFilter, WeakMap<ChangeRecord, ChangeShape | null>>();

function cacheOf<K extends object, V>(caches: WeakMap<K, WeakMap<ChangeRecord, V>>, key: K): WeakMap<ChangeRecord, V> {
  let cache = caches.get(key);
  if (cache === undefined) {
    cache = new WeakMap();
    caches.set(key, cache);
  }
  return cache;
}

function sharedChangeEvent(record: ChangeRecord, table: TableDef, transactionId: bigint, order: number, total: number, shape: ChangeShape, filter: StreamFilter | null): ChangeEvent {
  const columns = filter?.columns ?? null;
  const whole = filter === null || (shape === record && columns === null);
  if (!whole && !filter.shared) return changeEvent(record, table, transactionId, order, total, shape, columns);
  const events = cacheOf(eventsByFilter, whole ? unfiltered : filter);
  const known = events.get(record);
  const place = known?.transaction;
  if (known !== undefined && place?.order === order && place.total === total) return known;
  const event = changeEvent(record, table, transactionId, order, total, shape, columns);
  events.set(record, event);
  return event;
}

// Streams at one position send the same progress event object, and so one JSON text.
let lastProgress: ProgressEvent = { type: 'progress', lsn: '0' };

function progressEvent(lsn: bigint): ProgressEvent {
  const text = lsn.toString();
  if (lastProgress.lsn !== text) lastProgress = { type: 'progress', lsn: text };
  return lastProgress;
}

export function selects(selection: StreamSelection, table: TableDef): boolean {
  if (selection.tables !== null) return selection.tables.has(`${table.database}.${table.name}`);
  return selection.database === null || selection.database === table.database;
}

// A schema change of a table is selected as the table's changes are; one of a database (its
// creation or drop) by the streams of that database or of every table.
function selectsDdl(selection: StreamSelection, record: DdlRecord): boolean {
  if (record.table !== null) return selection.tables !== null ? selection.tables.has(`${record.database}.${record.table}`) : selection.database === null || selection.database === record.database;
  return selection.tables === null && (selection.database === null || selection.database === record.database);
}

export class ChangeStream implements ParkedStream {
  // Every selected change at or below this lsn has been sent.
  private positionValue: bigint;
  private stopped: { readonly code: ErrorCode; readonly message: string } | null = null;
  // Set while the stream is parked in the feed's dispatch: resumes its own loop.
  private resumeParked: (() => void) | null = null;
  private progressDueMs = 0;
  // The schema version last announced per table id: a row of another version is preceded by a
  // schema event.
  private readonly announced = new Map<number, number>();
  private gone = false;
  // An error the dispatch's pass met while sending for this stream.
  private failure: { readonly error: unknown } | null = null;

  constructor(private readonly feed: ChangeFeed, private readonly sink: StreamSink, private readonly options: ChangeStreamOptions) {
    const start = options.start;
    this.positionValue = start.kind === 'after' ? start.lsn : entryEndLsn(feed.source.appliedIndex());
    void sink.closed.then(() => {
      this.gone = true;
      this.unpark();
    });
  }

  get position(): bigint {
    return this.positionValue;
  }

  // Whether it is caught up and waits in the dispatch for the next apply.
  get parked(): boolean {
    return this.resumeParked !== null;
  }

  // What the subscriber has not read yet, held in the node's memory.
  get bufferedBytes(): number {
    return this.sink.bufferedBytes();
  }

  // Ends the stream with an end event naming `code`, at the next chance.
  stop(code: ErrorCode, message: string): void {
    this.stopped ??= { code, message };
    this.unpark();
  }

  async run(): Promise<void> {
    try {
      if (this.options.start.kind === 'snapshot') await this.sendSnapshot();
      this.progressDueMs = performance.now() + this.options.progressMs;
      let slice = new TimeSlice();
      for (;;) {
        const state = this.pump(slice);
        if (state === 'over') break;
        if (state === 'caught-up') {
          await this.park();
          if (this.failure !== null) throw this.failure.error;
          slice = new TimeSlice();
        } else if (state === 'full') {
          if (!(await this.roomInBuffer())) break;
        }
        // Other streams and requests get the loop once this turn's budget is spent.
        else await slice.yieldToLoop();
      }
    } catch (error) {
      // The filter cannot apply to a new version of a table (a column it names was dropped):
      // the stream ends saying so, at the last position it delivered.
      if (!isTideError(error)) throw error;
      this.stop(error.code, error.message);
    } finally {
      this.unpark();
      if (!this.gone) {
        const { code, message } = this.stopped ?? { code: 'SHUTTING_DOWN' as const, message: 'the stream ended' };
        const lsn = this.positionValue.toString();
        this.sink.send({ type: 'end', code, message, lsn }, lsn);
        this.sink.finish();
      }
    }
  }

  // Sends what the changelog holds past the position, synchronously, until the stream is
  // caught up, its subscriber's buffer is full, the slice is spent (more to read), or it is over.
  private pump(slice: TimeSlice): 'caught-up' | 'full' | 'more' | 'over' {
    try {
      return this.send(slice);
    } finally {
      this.sink.flush();
    }
  }

  private send(slice: TimeSlice): 'caught-up' | 'full' | 'more' | 'over' {
    for (;;) {
      if (this.over()) return 'over';
      if (this.sink.bufferedBytes() > streamBufferBytesMax) return 'full';
      if (!this.feed.keeps(this.positionValue)) {
        this.stop('CHANGES_EXPIRED', `changes after ${this.positionValue} are past retention; the oldest position kept is ${this.feed.source.changelogPrunedThrough()}: start again with snapshot=true`);
        return 'over';
      }
      const read = this.feed.read(this.positionValue);
      for (const entry of read.entries) {
        this.sendEntry(entry.index, entry.records);
        if (this.sink.bufferedBytes() > streamBufferBytesMax) return 'full';
      }
      this.positionValue = read.coveredLsn;
      // A progress event due soon leaves with the changes, in the same socket write, rather
      // than in one of its own from the ticker a moment later.
      const now = performance.now();
      if (now >= this.progressDueMs - (read.entries.length > 0 ? this.options.progressMs / 4 : 0)) this.sendProgress(now);
      // Caught up once the read reached the served index: a stream woken in the dispatch's
      // pass stays parked then, whatever the pass's slice, and the pass slices between streams.
      if (read.entries.length === 0 || this.positionValue >= entryEndLsn(this.feed.servedIndex)) return 'caught-up';
      if (slice.expired()) return 'more';
    }
  }

  // Waits, parked in the feed's dispatch, until an apply leaves it more than it can send at
  // once, or the stream stops or its subscriber leaves. Applies it can keep up with are sent
  // by the dispatch's pass (catchUp) without waking this loop.
  private park(): Promise<void> {
    if (this.over()) return Promise.resolve();
    return new Promise((resolve) => {
      this.resumeParked = resolve;
      this.feed.dispatch.park(this);
    });
  }

  private unpark(): void {
    const resume = this.resumeParked;
    if (resume === null) return;
    this.resumeParked = null;
    this.feed.dispatch.unpark(this);
    resume();
  }

  // ParkedStream: called by the dispatch's pass after an apply. What goes wrong here is this
  // stream's, not the pass's: its own loop takes the error up, as if it had sent this itself.
  catchUp(slice: TimeSlice): boolean {
    let state: ReturnType<ChangeStream['pump']>;
    try {
      state = this.pump(slice);
    } catch (error) {
      this.failure = { error };
      state = 'over';
    }
    if (state === 'caught-up') return true;
    this.unpark();
    return false;
  }

  // ParkedStream: called by the dispatch's ticker.
  tick(nowMs: number): void {
    if (nowMs < this.progressDueMs) return;
    this.sendProgress(nowMs);
    this.sink.flush();
  }

  private over(): boolean {
    return this.gone || this.stopped !== null;
  }

  // The selected changes of one entry: the ones past the position, each told its place among
  // the entry's selected events, which it counts whole even when resuming inside it. Schema
  // changes of the selected tables (or, for a stream of a database or of all, of the database)
  // are events in that order too.
  private sendEntry(index: bigint, records: readonly ChangelogRecord[]): void {
    const selected: ({ record: ChangeRecord; table: TableDef; shape: ChangeShape } | { record: DdlRecord })[] = [];
    for (const record of records) {
      if (isDdlRecord(record)) {
        if (selectsDdl(this.options.selection, record)) selected.push({ record });
        continue;
      }
      const table = this.feed.source.tableVersion(record.tableId, record.schemaVersion);
      if (table === undefined || !selects(this.options.selection, table)) continue;
      const shape = this.filtered(record, table);
      if (shape !== null) selected.push({ record, table, shape });
    }
    const filter = this.options.filter ?? null;
    selected.forEach((item, at) => {
      if (item.record.lsn <= this.positionValue) return;
      if (!('table' in item)) {
        const event = ddlEvent(item.record, index, at + 1, selected.length);
        this.sink.send(event, event.lsn);
        return;
      }
      this.announce(item.table);
      const event = sharedChangeEvent(item.record, item.table, index, at + 1, selected.length, item.shape, filter);
      this.sink.send(event, event.lsn);
    });
    this.positionValue = entryEndLsn(index);
  }

  // What the subscriber's filter makes of a change (filteredShape), once per filter object.
  private filtered(record: ChangeRecord, table: TableDef): ChangeShape | null {
    const filter = this.options.filter ?? null;
    if (filter === null) return record;
    if (!filter.shared) return filteredShape(filter, record, table);
    const shapes = cacheOf(shapesByFilter, filter);
    let shape = shapes.get(record);
    if (shape === undefined) {
      shape = filteredShape(filter, record, table);
      shapes.set(record, shape);
    }
    return shape;
  }

  private announce(table: TableDef): void {
    if (this.announced.get(table.id) === table.version) return;
    this.announced.set(table.id, table.version);
    this.sink.send(schemaEvent(table), null);
  }

  // The rows of every selected table as of one applied index, then the position right after it.
  private async sendSnapshot(): Promise<void> {
    const source = this.feed.source;
    const snapshot = source.openSnapshot();
    try {
      const lsn = entryEndLsn(snapshot.appliedIndex);
      // The catalog in memory is the one at the snapshot's index: entries that change it apply
      // in one piece, never while this synchronous block runs.
      const tables = source.allTables().filter((table) => source.table(table.database, table.name)?.id === table.id && selects(this.options.selection, table));
      const slice = new TimeSlice();
      for (const table of tables) {
        this.announce(table);
        const filter = this.options.filter ?? null;
        for (const { row } of snapshot.scanRows(table)) {
          if (filter !== null && !filter.selects(table, row)) continue;
          this.sink.send(snapshotEvent(row, table, lsn, filter?.columns ?? null), null);
          if (this.sink.bufferedBytes() > streamBufferBytesMax && !(await this.roomInBuffer())) return;
          if (this.over()) return;
          if (slice.expired()) await slice.yieldToLoop();
        }
      }
      this.positionValue = lsn;
      this.sink.send({ type: 'snapshot_end', lsn: lsn.toString() }, lsn.toString());
    } finally {
      snapshot.done();
    }
  }

  private sendProgress(nowMs: number): void {
    const event = progressEvent(this.positionValue);
    this.sink.send(event, event.lsn);
    this.progressDueMs = nowMs + this.options.progressMs;
  }

  // False when the subscriber has stalled (the stream is then stopped).
  private async roomInBuffer(): Promise<boolean> {
    if (this.sink.bufferedBytes() <= streamBufferBytesMax) return true;
    const stallMs = this.options.stallMs ?? streamStallMsMax;
    if (await this.sink.drained(stallMs)) return true;
    this.stop('STREAM_STALLED', `the subscriber read nothing for ${stallMs} ms with ${streamBufferBytesMax} bytes unread`);
    return false;
  }
}

// What a filter makes of a change, so that a subscriber's copy of the filtered rows stays
// exact: an update that moves a row out of the filter is a delete of the image it was last
// sent (the before-image, which matched), one that moves a row in is a create; a delete is
// matched against its before-image. Null: the subscriber sees nothing of it.
function filteredShape(filter: StreamFilter, record: ChangeRecord, table: TableDef): ChangeShape | null {
  // A truncate empties every filter's set of rows.
  if (record.op === 't') return record;
  const before = record.before !== null && filter.selects(table, record.before);
  const after = record.after !== null && filter.selects(table, record.after);
  // The record itself whenever the filter takes it as it is (an insert whose row matches, a
  // delete whose row did): streams whose filters differ then still share its event.
  if (before && after) return record;
  if (before) return record.after === null ? record : { op: 'd', before: record.before, after: null };
  if (after) return record.before === null ? record : { op: 'c', before: null, after: record.after };
  return null;
}
