// A syntax error at an offset of the statement's text, in the one shape every check uses:
// the position (0-based offset, 1-based line and column) and a short quote of what is there.
import { TideError } from '../base/errors.js';

export function syntaxErrorAt(sql: string, offset: number, why: string): TideError {
  const position = positionAt(sql, offset);
  const near = sql.slice(offset, offset + 24).split(/\s/)[0] ?? '';
  return new TideError('SQL_SYNTAX', `syntax error at line ${position.line}, column ${position.column} near '${near}': ${why}`, { position });
}

export function positionAt(sql: string, offset: number): { offset: number; line: number; column: number } {
  const before = sql.slice(0, offset);
  return { offset, line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}
