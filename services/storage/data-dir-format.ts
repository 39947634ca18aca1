// The format stamp of a store's LMDB environment: one number that names the layout of every
// sub-database (keys, row and changelog headers, the catalog) and of the batches the Raft log
// beside it carries. A store opens only a directory that has exactly this stamp, or one that
// holds nothing yet (which it stamps). Anything else was written by another TideDB and would
// be misread, not merely read slowly, so it is refused before a byte of it is decoded.
//
// 1 is the layout before stamps existed (untagged keys, rows without a schema version); no
// release ever shipped it, so there is no migration, only a clear refusal.
export const dataFormatVersion = 2;

// Where the stamp lives: meta's `format_version`, as MessagePack. A later format must keep the
// stamp here, in this encoding, so that every TideDB can tell which format a directory has.
export const formatVersionKey = 'format_version';

// A data directory this build cannot read. An expected failure (an operator pointed a new
// build at an old directory), so it is an error with what to do, never an assert.
export class DataDirFormatError extends Error {
  constructor(
    readonly path: string,
    readonly found: string | null,
  ) {
    const written = found === null ? 'an earlier TideDB format that had no format stamp' : `data format ${found}`;
    super(
      `the data directory ${path} was written by ${written}; this TideDB reads data format ${dataFormatVersion} only. ` +
        'There is no migration between these formats: start with an empty --data-dir, or move this one aside (or delete it) and restart.',
    );
    this.name = 'DataDirFormatError';
  }
}

// What the stamp check needs to know about the environment.
export interface StampedEnvironment {
  // The stamp, as stored (undefined when absent).
  readonly stamp: unknown;
  // True when no sub-database holds a key: a directory that never stored anything.
  readonly empty: boolean;
}

// 'stamp': a new directory, to be stamped now; 'open': stamped with this format.
export function checkDataDirFormat(path: string, environment: StampedEnvironment): 'stamp' | 'open' {
  const { stamp } = environment;
  if (stamp === undefined) {
    if (environment.empty) return 'stamp';
    throw new DataDirFormatError(path, null);
  }
  if (stamp === dataFormatVersion) return 'open';
  throw new DataDirFormatError(path, typeof stamp === 'string' ? JSON.stringify(stamp) : String(stamp));
}
