// Which tables publish to Kafka (--kafka-include, --kafka-exclude): comma-separated patterns
// over `database.table`, where `*` stands for any run of characters. A table publishes when
// it matches an include pattern (all tables when none is given) and no exclude pattern.
// Names compare case-insensitively, as the catalog's do.

// A selection as its flags gave it, normalized: what the Kafka checkpoint keeps, so that a
// publisher restarted with another selection knows which tables are new to it.
export interface SelectionPatterns {
  readonly include: string;
  readonly exclude: string;
}

// The longest include and exclude patterns together: the checkpoint's metadata in Kafka holds
// them twice beside a snapshot's progress, within the broker's offset.metadata.max.bytes.
export const selectionPatternsLengthMax = 500;

export class TableSelection {
  private constructor(
    private readonly include: readonly RegExp[],
    private readonly exclude: readonly RegExp[],
    readonly text: string,
    readonly patterns: SelectionPatterns,
    // The database halves of the include patterns, and the databases whose every table an
    // exclude pattern takes (`<database>.*`): what publishesDatabase reads.
    private readonly includeDatabases: readonly RegExp[] = [],
    private readonly excludeDatabases: readonly RegExp[] = [],
  ) {}

  static readonly all = new TableSelection([], [], 'all tables', { include: '', exclude: '' });

  // Throws a plain Error naming the bad pattern; the caller says which flag it came from.
  static parse(include: string, exclude: string): TableSelection {
    const includes = patterns(include);
    const excludes = patterns(exclude);
    if (includes.length === 0 && excludes.length === 0) return TableSelection.all;
    const normalized = { include: includes.join(','), exclude: excludes.join(',') };
    if (normalized.include.length + normalized.exclude.length > selectionPatternsLengthMax) {
      throw new Error(`the include and exclude patterns are ${normalized.include.length + normalized.exclude.length} characters; at most ${selectionPatternsLengthMax} (Kafka keeps them with the publisher's checkpoint)`);
    }
    const text = `${includes.length === 0 ? 'all tables' : includes.join(', ')}${excludes.length === 0 ? '' : ` except ${excludes.join(', ')}`}`;
    const databaseOf = (pattern: string): string => pattern.split('.')[0]!;
    const wholeDatabases = excludes.filter((pattern) => pattern.split('.')[1] === '*').map(databaseOf);
    return new TableSelection(includes.map(compile), excludes.map(compile), text, normalized, includes.map(databaseOf).map(compile), wholeDatabases.map(compile));
  }

  static of(patterns: SelectionPatterns): TableSelection {
    return TableSelection.parse(patterns.include, patterns.exclude);
  }

  sameAs(patterns: SelectionPatterns): boolean {
    return this.patterns.include === patterns.include && this.patterns.exclude === patterns.exclude;
  }

  // Whether a database's own schema changes (CREATE and DROP DATABASE) publish: unless include
  // patterns are given and none names the database, or an exclude pattern takes every table of
  // it (`<database>.*`).
  publishesDatabase(database: string): boolean {
    const included = this.include.length === 0 || this.includeDatabases.some((pattern) => pattern.test(database));
    return included && !this.excludeDatabases.some((pattern) => pattern.test(database));
  }

  publishes(database: string, table: string): boolean {
    const name = `${database}.${table}`;
    return (this.include.length === 0 || this.include.some((pattern) => pattern.test(name))) && !this.exclude.some((pattern) => pattern.test(name));
  }
}

function patterns(list: string): string[] {
  const items = list.split(',').map((item) => item.trim()).filter((item) => item !== '');
  for (const item of items) {
    const parts = item.split('.');
    if (parts.length !== 2 || parts.some((part) => part === '')) throw new Error(`'${item}' is not a database.table pattern (use * for any run of characters, e.g. app.* or *.audit_log)`);
  }
  return items;
}

function compile(pattern: string): RegExp {
  const body = pattern.split('*').map((literal) => literal.replace(/[\\^$.|?+()[\]{}]/g, '\\$&')).join('.*');
  return new RegExp(`^${body}$`, 'i');
}
