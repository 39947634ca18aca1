// Statements node-sql-parser accepts but MySQL refuses as syntax errors, refused here with the
// position of the stray token. Its grammar allows an optional alias or keyword in places where
// MySQL allows none, and a stray word there silently changed a statement's meaning:
// `DROP TABLE t1 t2` (a lost comma) dropped only t1, `DELETE x FROM t` emptied t. Each check
// names the field of the tree the stray token lands in; the cases were found by comparing the
// parser's acceptance with MariaDB's over mutated corpus statements (see
// test/sql/strict-syntax.test.ts). The parser records where table references, SELECTs and
// column references are (`loc`), which gives the positions.
import { TideError } from '../base/errors.js';
import { syntaxErrorAt } from './syntax-error.js';
import type { AstNode } from './syntax.js';

interface Location {
  readonly start: { readonly offset: number };
  readonly end: { readonly offset: number };
}

export function checkStrictSyntax(sql: string, statement: AstNode): void {
  if ('go' in statement) throw syntaxErrorAt(sql, findWord(sql, 'GO'), 'GO is not a statement separator here');
  switch (statement['type']) {
    case 'drop':
    case 'truncate':
      // DROP and TRUNCATE name tables; the parser reads them as table references, alias and all.
      for (const target of nodes(statement['name'])) {
        if (hasValue(target['as'])) throw syntaxErrorAt(sql, afterTableName(sql, target['loc']), 'a table to drop has no alias');
      }
      return;
    case 'delete':
      return checkDelete(sql, statement);
    case 'select':
      return checkSelect(sql, statement);
    case 'explain':
      return checkSelect(sql, statement['expr'] as AstNode);
    case 'create':
      // `IGNORE`, `REPLACE` and `AS` belong before a SELECT that fills the new table.
      if ((hasValue(statement['ignore_replace']) || hasValue(statement['as'])) && !hasValue(statement['query_expr'])) {
        throw syntaxErrorAt(sql, lastTokenStart(sql), `'${String(statement['ignore_replace'] ?? statement['as']).toUpperCase()}' needs a SELECT after it`);
      }
      return;
    default:
      return;
  }
}

function checkDelete(sql: string, statement: AstNode): void {
  const from = nodes(statement['from']);
  // The single-table form copies its table into `table`, marked as an addition; a target list
  // of the multi-table forms (`DELETE x FROM t`, or `DELETE FROM x USING t` as the text scan
  // rewrites it) has none, and the planner resolves it against FROM. `DELETE FROM t, x` without
  // USING leaves no target list at all.
  const targets = statement['table'];
  if (!Array.isArray(targets)) {
    const second = from[1]?.['loc'] as Location | undefined;
    if (second !== undefined) throw syntaxErrorAt(sql, commaBefore(sql, second.start.offset), 'DELETE FROM names one table (several need USING)');
    throw new TideError('SQL_SYNTAX', 'DELETE needs a table');
  }
  if (nodes(targets).every((target) => target['addition'] !== true)) return;
  const [table] = from;
  if (table !== undefined && hasValue(table['as'])) throw syntaxErrorAt(sql, afterTableName(sql, table['loc']), 'the table of a DELETE has no alias');
}

function checkSelect(sql: string, statement: AstNode): void {
  // A second ORDER BY or LIMIT lands in fields of its own, after where the SELECT ends.
  if (hasValue(statement['_orderby']) || hasValue(statement['_limit'])) {
    const end = (statement['loc'] as Location | undefined)?.end.offset ?? lastTokenStart(sql);
    throw syntaxErrorAt(sql, skipBlank(sql, end), 'a SELECT has one ORDER BY and one LIMIT');
  }
}

// --- positions in the text ------------------------------------------------------------------

const blank = /\s+|\/\*[\s\S]*?\*\/|#[^\n]*|--(?:[\s\x00-\x1f][^\n]*|$)/y;
const qualifiedName = /(?:`(?:[^`]|``)*`|[A-Za-z0-9_$\u0080-\uffff]+)(?:\s*\.\s*(?:`(?:[^`]|``)*`|[A-Za-z0-9_$\u0080-\uffff]+))?/y;

function skipBlank(sql: string, offset: number): number {
  let at = offset;
  for (;;) {
    blank.lastIndex = at;
    const match = blank.exec(sql);
    if (match === null || match[0] === '') return at;
    at += match[0].length;
  }
}

// The offset of what follows a table reference's name: its `AS` or alias.
function afterTableName(sql: string, loc: unknown): number {
  const location = loc as Location | undefined;
  if (location === undefined) return lastTokenStart(sql);
  const start = skipBlank(sql, location.start.offset);
  qualifiedName.lastIndex = start;
  const match = qualifiedName.exec(sql);
  return skipBlank(sql, start + (match?.[0].length ?? 0));
}

function commaBefore(sql: string, offset: number): number {
  const comma = sql.lastIndexOf(',', offset);
  return comma < 0 ? offset : comma;
}

function findWord(sql: string, word: string): number {
  const match = new RegExp(`\\b${word}\\b`, 'i').exec(sql);
  return match === null ? lastTokenStart(sql) : match.index;
}

// Where the text's last token starts, ignoring a trailing `;` and blanks. A backward scan:
// an anchored-at-end regular expression here retries from every offset (quadratic).
function lastTokenStart(sql: string): number {
  let end = sql.length;
  while (end > 0 && (isBlank(sql[end - 1]!) || sql[end - 1] === ';')) end--;
  if (end > 0 && '(),'.includes(sql[end - 1]!)) return end - 1;
  let start = end;
  while (start > 0 && !isBlank(sql[start - 1]!) && !'(),;'.includes(sql[start - 1]!)) start--;
  return start;
}

function isBlank(char: string): boolean {
  return /\s/.test(char);
}

function hasValue(value: unknown): boolean {
  return value !== null && value !== undefined;
}

function nodes(value: unknown): AstNode[] {
  return Array.isArray(value) ? (value as AstNode[]) : [];
}
