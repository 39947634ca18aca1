// The `where=`, `params=` and `columns=` of change streams, bound by the SQL engine and shared:
// streams that ask for the same filter get the same StreamFilter object, and the stream side
// (cdc/change-stream.ts) evaluates a shared filter once per change for all of them, and
// builds their events once. A filter lives while a stream uses it.
import { TideError } from '../base/errors.js';
import type { StreamFilter } from '../cdc/change-stream.js';
import type { ReadView } from '../sql/read-view.js';
import { bindRowFilter } from '../sql/row-filter.js';
import type { RowFilter } from '../sql/row-filter.js';
import { isVisible } from '../storage/types.js';
import type { Row, TableDef, Value } from '../storage/types.js';

export interface FilterTexts {
  readonly where?: string;
  readonly params?: string;
  readonly columns?: string;
}

// A filter a stream holds until it calls release().
export interface HeldFilter {
  readonly filter: StreamFilter | null;
  release(): void;
}

export class StreamFilters {
  private readonly shared = new Map<string, BoundStreamFilter>();

  constructor(private readonly readView: ReadView) {}

  // The filter of these texts, checked against the tables the stream selects now, so that a
  // bad one is a 400 before the stream opens (later versions of a table are bound as their
  // rows arrive; one the filter no longer fits ends the stream).
  hold(texts: FilterTexts, tables: readonly TableDef[]): HeldFilter {
    if (texts.where === undefined && texts.columns === undefined) {
      if (texts.params !== undefined) throw new TideError('REQUEST_INVALID', 'params= goes with where=');
      return { filter: null, release: () => undefined };
    }
    const key = JSON.stringify([texts.where ?? null, texts.params ?? null, texts.columns ?? null]);
    const filter = this.shared.get(key) ?? new BoundStreamFilter(texts, this.readView);
    filter.check(tables);
    this.shared.set(key, filter);
    filter.users++;
    let released = false;
    return {
      filter,
      release: () => {
        if (released) return;
        released = true;
        if (--filter.users === 0) this.shared.delete(key);
      },
    };
  }

  get size(): number {
    return this.shared.size;
  }
}

class BoundStreamFilter implements StreamFilter {
  readonly columns: ReadonlySet<string> | null;
  // The streams holding it.
  users = 0;
  private readonly params: readonly Value[];
  // By table id and version.
  private readonly bound = new Map<string, RowFilter>();

  constructor(private readonly texts: FilterTexts, private readonly readView: ReadView) {
    this.params = texts.params === undefined ? [] : filterParams(texts.params);
    this.columns = texts.columns === undefined ? null : new Set(texts.columns.split(',').map((name) => name.trim()));
  }

  check(tables: readonly TableDef[]): void {
    for (const table of tables) {
      this.rowFilter(table);
      for (const name of this.columns ?? []) {
        if (!table.columns.some((column) => column.name === name && isVisible(column))) throw new TideError('COLUMN_NOT_FOUND', `table '${table.database}.${table.name}' has no column '${name}'`);
      }
    }
  }

  get shared(): boolean {
    return this.users > 1;
  }

  selects(table: TableDef, row: Row): boolean {
    return this.rowFilter(table)?.matches(row, this.params) ?? true;
  }

  // The last table version asked about, and its filter: a stream's changes come in runs of one
  // table version, and this is asked for every change.
  private lastTable: TableDef | null = null;
  private lastFilter: RowFilter | null = null;

  private rowFilter(table: TableDef): RowFilter | null {
    const where = this.texts.where;
    if (where === undefined) return null;
    if (table === this.lastTable) return this.lastFilter;
    const versionKey = `${table.id}/${table.version}`;
    let filter = this.bound.get(versionKey);
    if (filter === undefined) {
      filter = bindRowFilter(where, table, this.readView);
      if (filter.paramCount !== this.params.length) throw new TideError('PARAM_COUNT_MISMATCH', `the filter has ${filter.paramCount} placeholders but ${this.params.length} params were given`);
      this.bound.set(versionKey, filter);
    }
    this.lastTable = table;
    this.lastFilter = filter;
    return filter;
  }
}

function filterParams(text: string): Value[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new TideError('REQUEST_INVALID', 'params= must be a JSON array');
  }
  if (!Array.isArray(parsed) || parsed.some((item) => item !== null && !['string', 'number', 'boolean'].includes(typeof item))) {
    throw new TideError('REQUEST_INVALID', 'params= must be a JSON array of strings, numbers, booleans and nulls');
  }
  // As in POST /v1/sql: a JSON integer is an exact SQL integer, another number a DOUBLE.
  return (parsed as (string | number | boolean | null)[]).map((item) => (typeof item === 'number' && Number.isSafeInteger(item) ? BigInt(item) : item));
}
