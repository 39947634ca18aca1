// The format stamp of a store's LMDB environment: one number that names the layout of every
// sub-database (keys, row and changelog headers, the catalog) and of the batches the Raft log
// beside it carries. A store opens only a directory that has exactly this stamp, or one that
// holds nothing yet (which it stamps). Anything else was written by another TideDB and would
// be misread, not merely read slowly, so it is refused before a byte of it is decoded.
//
// 1 is the layout before stamps existed (untagged keys, rows without a schema version); no
// release ever shipped it, so there is no migration, only a clear refusal. 3 adds view records
// to the catalog and per-table row counts to meta; a format 2 directory is a format 3 one
// without them, so it opens, and the store adds the counts and restamps it as 3 before use
// (a build of format 2 would stop on the first view record instead of refusing the directory).
// 4 adds account records to the catalog (services/users/DESIGN.md) and their changes to
// batches; a format 3 directory is a format 4 one without accounts, so it opens and is
// restamped the same way (its row counts are taken again, to the same values).
// 5 adds collations: a text column, a table or a database may be utf8mb4_general_ci (a field
// absent before, so a format 4 directory reads unchanged and is restamped the same way), and
// such a column's key parts hold the collation's sort key under tag 0x31. A format 4 build would
// read those definitions as utf8mb4_bin and key lookups and UNIQUE checks by the text's bytes,
// answering wrongly rather than stopping, so it must refuse the directory: hence the new number.
export const dataFormatVersion = 5;

// The earlier formats this build opens, upgrading them in place (see above).
export const upgradableFormatVersion = 2;
const upgradableFormatVersions: readonly number[] = [upgradableFormatVersion, 3, 4];

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

// 'stamp': a new directory, to be stamped now; 'open': stamped with this format; 'upgrade':
// stamped with an upgradable format, to be brought to this one.
export function checkDataDirFormat(path: string, environment: StampedEnvironment): 'stamp' | 'open' | 'upgrade' {
  const { stamp } = environment;
  if (stamp === undefined) {
    if (environment.empty) return 'stamp';
    throw new DataDirFormatError(path, null);
  }
  if (stamp === dataFormatVersion) return 'open';
  if (typeof stamp === 'number' && upgradableFormatVersions.includes(stamp)) return 'upgrade';
  throw new DataDirFormatError(path, typeof stamp === 'string' ? JSON.stringify(stamp) : String(stamp));
}
