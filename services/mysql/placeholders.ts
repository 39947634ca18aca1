import { paramsPerStatementMax } from '../base/limits.js';

// The parameters a prepared statement takes, counted when it is prepared (the prepare-OK reply
// announces them before the engine has parsed anything): its `?` marks outside quoted text,
// quoted names and comments.
export function placeholderCount(sql: string): number {
  let count = 0;
  for (let index = 0; index < sql.length; index++) {
    const char = sql[index]!;
    if (char === "'" || char === '"' || char === '`') {
      for (index++; index < sql.length && sql[index] !== char; index++) if (sql[index] === '\\' && char !== '`') index++;
    } else if (char === '-' && sql.startsWith('-- ', index)) {
      index = sql.indexOf('\n', index) < 0 ? sql.length : sql.indexOf('\n', index);
    } else if (char === '#') {
      index = sql.indexOf('\n', index) < 0 ? sql.length : sql.indexOf('\n', index);
    } else if (char === '/' && sql[index + 1] === '*') {
      const end = sql.indexOf('*/', index + 2);
      index = end < 0 ? sql.length : end + 1;
    } else if (char === '?') {
      count++;
    }
  }
  return count;
}

// The prepare-OK counts parameters in 2 bytes: a statement with more than it holds is refused
// (MySQL's 1390), as is one with more than the node runs (limits.ts), which would otherwise be
// refused at every execute.
const placeholdersProtocolMax = 65_535;

export function placeholdersRefusal(count: number): { readonly errno: number; readonly sqlstate: string; readonly message: string } | null {
  if (count > placeholdersProtocolMax) return { errno: 1390, sqlstate: 'HY000', message: 'Prepared statement contains too many placeholders' };
  if (count > paramsPerStatementMax) return { errno: 1390, sqlstate: 'HY000', message: `Prepared statement contains too many placeholders (${count}; TideDB runs at most ${paramsPerStatementMax})` };
  return null;
}
