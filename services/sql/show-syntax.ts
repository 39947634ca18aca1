// SHOW forms node-sql-parser does not read, recognized whole before it runs: `SHOW [FULL]
// TABLES [FROM|IN db] [LIKE 'pattern']` and `SHOW TABLE STATUS [FROM|IN db] [LIKE 'pattern']`.
// The tree given for them has the parser's shape for SHOW (`type: 'show'`, a `keyword`), plus
// `full`, `database` and `like` (the pattern's text with its escapes, as the parser leaves a
// string's), so the planner reads one shape whichever recognized the text.
import type { AstNode } from './syntax.js';

const name = '(?:`([^`]+)`|([A-Za-z_][A-Za-z0-9_]*))';
const pattern = "'((?:[^'\\\\]|\\\\.|'')*)'";
const tail = `(?:\\s+(?:FROM|IN)\\s+${name})?(?:\\s+LIKE\\s+${pattern})?\\s*;?\\s*$`;
const showTables = new RegExp(`^\\s*SHOW\\s+(FULL\\s+)?TABLES${tail}`, 'i');
const showTableStatus = new RegExp(`^\\s*SHOW\\s+TABLE\\s+STATUS${tail}`, 'i');

export function readShowStatement(sql: string): AstNode | null {
  const tables = showTables.exec(sql);
  if (tables !== null) return { type: 'show', keyword: 'tables', full: tables[1] !== undefined, database: tables[2] ?? tables[3] ?? null, like: tables[4] ?? null };
  const status = showTableStatus.exec(sql);
  if (status !== null) return { type: 'show', keyword: 'table_status', full: false, database: status[1] ?? status[2] ?? null, like: status[3] ?? null };
  return null;
}
