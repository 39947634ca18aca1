// What a SELECT answers, held to the limits of one answer (base/limits.ts): a number of rows,
// and a size as JSON, counted as the rows are taken so that a runaway result fails early.
import { TideError } from '../../base/errors.js';
import { resultBytesMax, rowsPerResultMax } from '../../base/limits.js';
import type { Row } from '../../storage/types.js';
import type { ColumnOrigin } from './logical-plan.js';

export interface SelectResult {
  readonly columns: readonly string[];
  readonly rows: readonly Row[];
  readonly origins?: readonly (ColumnOrigin | null)[];
}

export class ResultBounds {
  private rows = 0;
  private bytes = 0;

  // Counts one more row of the result; throws RESULT_TOO_LARGE past either limit.
  admit(row: Row): void {
    if (this.rows >= rowsPerResultMax) throw new TideError('RESULT_TOO_LARGE', `a result has at most ${rowsPerResultMax} rows; add a LIMIT or narrow the WHERE`);
    this.rows++;
    for (const value of row) this.bytes += typeof value === 'string' ? value.length + 3 : 24;
    if (this.bytes > resultBytesMax) throw new TideError('RESULT_TOO_LARGE', `a result is at most ${resultBytesMax} bytes as JSON; add a LIMIT or select fewer columns`);
  }
}

export function checkResultBytes(rows: readonly Row[]): void {
  const bounds = new ResultBounds();
  for (const row of rows) bounds.admit(row);
}
