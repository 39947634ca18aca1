// SQL text → the parser's AST, with the statements of one text cached by that text: clients
// send the same parameterized statements again and again, and parsing dominates a point write.
// node-sql-parser was chosen by measurement (docs/sql-parser.md).
import NodeSqlParser from 'node-sql-parser';
import { TideError } from '../base/errors.js';
import { sqlCacheEntriesMax, sqlCacheTextLengthMax } from '../base/limits.js';

export type AstNode = Readonly<Record<string, unknown>>;

const parser = new NodeSqlParser.Parser();
const parseOptions = { database: 'MySQL' } as const;
const cache = new Map<string, readonly AstNode[]>();

// Parses one SQL text into its statements (a text may hold several, separated by `;`).
// The returned ASTs are shared through the cache and must not be mutated.
export function parseSql(sql: string): readonly AstNode[] {
  const cached = cache.get(sql);
  if (cached !== undefined) {
    // Re-insert to keep the map in least-recently-used order.
    cache.delete(sql);
    cache.set(sql, cached);
    return cached;
  }
  const statements = parseUncached(sql);
  // Long texts are one-offs (bulk inserts) and would make the cache's memory unbounded.
  if (sql.length > sqlCacheTextLengthMax) return statements;
  if (cache.size >= sqlCacheEntriesMax) cache.delete(cache.keys().next().value as string);
  cache.set(sql, statements);
  return statements;
}

function parseUncached(sql: string): readonly AstNode[] {
  let ast: unknown;
  try {
    ast = parser.astify(sql, parseOptions);
  } catch (error) {
    throw syntaxError(error);
  }
  const statements = (Array.isArray(ast) ? ast : [ast]).filter((node): node is AstNode => node !== null && typeof node === 'object');
  if (statements.length === 0) throw new TideError('SQL_SYNTAX', 'empty statement');
  return Object.freeze(statements);
}

// The text of an expression, as a result column's name: MySQL names an unaliased column by the
// expression as written, which the parser can print back (without its identifier quotes).
export function expressionText(expr: AstNode): string {
  try {
    return parser.exprToSQL(expr as never, parseOptions).replace(/`([^`]*)`/g, '$1');
  } catch {
    return 'expr';
  }
}

interface PegLocation {
  readonly start: { readonly offset: number; readonly line: number; readonly column: number };
}

function syntaxError(error: unknown): TideError {
  const location = (error as { location?: PegLocation }).location;
  const found = (error as { found?: unknown }).found;
  if (location === undefined) return new TideError('SQL_SYNTAX', 'syntax error');
  const { offset, line, column } = location.start;
  const near = typeof found === 'string' ? ` near '${found}'` : ' at end of input';
  return new TideError('SQL_SYNTAX', `syntax error at line ${line}, column ${column}${near}`, {
    position: { offset, line, column },
  });
}
