// Statement texts → syntax trees, cached by text: clients send the same parameterized
// statements again and again, and parsing dominates a point write. A request's uncached texts
// are parsed on the event loop while they are short, and on the parse worker otherwise, so
// that no request's parsing holds the loop for long (base/limits.ts, eventLoopSliceMsMax).
import { TideError } from '../base/errors.js';
import { parseOnLoopCharsMax, parseOnLoopTokensMax, sqlCacheEntriesMax, sqlCacheTextLengthMax } from '../base/limits.js';
import { ParsePool } from './parse-pool.js';
import type { ParseOutcome } from './parse-pool.js';
import { parseChecked } from './syntax.js';
import type { AstNode } from './syntax.js';

export type { AstNode } from './syntax.js';
export { expressionText } from './syntax.js';

// Each text's statements, or the error that text failed with.
export type ParsedText = readonly AstNode[] | TideError;

const cache = new Map<string, readonly AstNode[]>();
const pool = new ParsePool();

// Parses one SQL text on the event loop (a text may hold several statements, separated by
// `;`). The returned trees are shared through the cache and must not be mutated.
export function parseSql(sql: string): readonly AstNode[] {
  const cached = cachedStatements(sql);
  if (cached !== undefined) return cached;
  const statements = Object.freeze(parseChecked(sql));
  remember(sql, statements);
  return statements;
}

// Parses the texts of one request, on the loop or on the worker by their total length. The
// answer is synchronous when the loop parsed them, so that a short request runs to its
// proposal without yielding (the write path orders transactions by the loop's turns).
export function parseTexts(texts: readonly string[]): readonly ParsedText[] | Promise<readonly ParsedText[]> {
  const parsed: (ParsedText | undefined)[] = texts.map(cachedStatements);
  const uncached = texts.filter((_, at) => parsed[at] === undefined);
  const uncachedChars = uncached.reduce((sum, text) => sum + text.length, 0);
  if (uncachedChars <= parseOnLoopCharsMax && tokenCount(uncached) <= parseOnLoopTokensMax) return texts.map((text, at) => parsed[at] ?? parseCatching(text));
  return pool.parse(uncached).then((outcomes) => withWorkerOutcomes(texts, parsed, outcomes));
}

// Words and single punctuation marks: close enough to the parser's tokens to bound its time
// (a quoted string's words count too, which only sends such a text to the worker sooner).
function tokenCount(texts: readonly string[]): number {
  return texts.reduce((sum, text) => sum + (text.match(tokenPattern)?.length ?? 0), 0);
}

const tokenPattern = /\w+|[^\s\w]/g;

function withWorkerOutcomes(texts: readonly string[], parsed: readonly (ParsedText | undefined)[], outcomes: readonly ParseOutcome[]): readonly ParsedText[] {
  let next = 0;
  return texts.map((text, at) => {
    const known = parsed[at];
    if (known !== undefined) return known;
    const outcome = outcomes[next++]!;
    if (outcome.kind === 'failed') return new TideError(outcome.code, outcome.message, outcome.details);
    const statements = Object.freeze(outcome.statements);
    remember(text, statements);
    return statements;
  });
}

export async function closeParser(): Promise<void> {
  await pool.close();
}

function parseCatching(sql: string): ParsedText {
  try {
    return parseSql(sql);
  } catch (error) {
    if (error instanceof TideError) return error;
    throw error;
  }
}

function cachedStatements(sql: string): readonly AstNode[] | undefined {
  const cached = cache.get(sql);
  if (cached === undefined) return undefined;
  // Re-insert to keep the map in least-recently-used order.
  cache.delete(sql);
  cache.set(sql, cached);
  return cached;
}

function remember(sql: string, statements: readonly AstNode[]): void {
  // Long texts are one-offs (bulk inserts) and would make the cache's memory unbounded.
  if (sql.length > sqlCacheTextLengthMax) return;
  if (cache.size >= sqlCacheEntriesMax) cache.delete(cache.keys().next().value as string);
  cache.set(sql, statements);
}
