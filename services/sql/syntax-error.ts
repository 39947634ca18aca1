// A syntax error at an offset of the statement's text, in the one shape every check uses:
// the position (0-based offset, 1-based line and column) and a short quote of what is there.
import { TideError } from '../base/errors.js';

export function syntaxErrorAt(sql: string, offset: number, why: string): TideError {
  const before = sql.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  const near = sql.slice(offset, offset + 24).split(/\s/)[0] ?? '';
  return new TideError('SQL_SYNTAX', `syntax error at line ${line}, column ${column} near '${near}': ${why}`, {
    position: { offset, line, column },
  });
}
