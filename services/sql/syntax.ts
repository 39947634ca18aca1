// SQL text → the parser's syntax trees, with every limit on a statement's shape checked on both
// sides of the parser: the text before it runs (statement-shape.ts), the tree before anything
// recurses over it (syntax-tree-shape.ts). Used on the event loop for short texts and on the
// parse worker for long ones, so both give the same answers. node-sql-parser was chosen by
// measurement (docs/sql-parser.md).
import { withExecutableComments } from './executable-comments.js';
import NodeSqlParser from 'node-sql-parser';
import { TideError } from '../base/errors.js';
import { fixParserGaps } from './parser-gaps.js';
import { checkStatementText } from './statement-shape.js';
import type { Rewrite } from './statement-shape.js';
import { readShowStatement } from './show-syntax.js';
import { readAccountStatement } from './accounts/account-syntax.js';
import { checkStrictSyntax } from './strict-syntax.js';
import { positionAt } from './syntax-error.js';
import { checkSyntaxTree } from './syntax-tree-shape.js';

export type AstNode = Readonly<Record<string, unknown>>;

const parser = new NodeSqlParser.Parser();
// Locations on table references, SELECTs and column references give strict-syntax.ts the
// positions of stray tokens; they cost nothing measurable.
const parseOptions = { database: 'MySQL', parseOptions: { includeLocations: true } } as const;
// MySQL names an unaliased result column by its text, cut to this many characters.
const columnNameLengthMax = 256;

// The FOR SHARE the text scan took off the end of the text (TextFacts.forShare) given back to
// the SELECT it ended, as the parser gives FOR UPDATE; refused on anything else.
function withForShare(statements: AstNode[], clause: string): void {
  const last = statements.at(-1)!;
  if (last['type'] !== 'select' || (last['locking_read'] ?? null) !== null) throw new TideError('SQL_SYNTAX', `${clause} ends only a SELECT`);
  statements[statements.length - 1] = { ...last, locking_read: clause };
}

// Parses one SQL text into its statements (a text may hold several, separated by `;`).
export function parseChecked(text: string): readonly AstNode[] {
  const whole = withExecutableComments(text);
  // The parser skips the blanks a text starts with and counts its offsets from the character
  // after them: so is the text read here, every mark and location in one count, and a position
  // an error names is given back in the whole text.
  const sql = whole.trimStart();
  const lead = whole.length - sql.length;
  try {
    return parseFromFirstWord(sql);
  } catch (error) {
    throw lead > 0 ? positionMoved(error, whole, (offset) => offset + lead) : error;
  }
}

function parseFromFirstWord(sql: string): readonly AstNode[] {
  // Before the text scan: an account statement's text is read by its own reader alone.
  const account = readAccountStatement(sql);
  if (account !== null) return [account];
  const facts = checkStatementText(sql);
  const { rewrites, explainAnalyze, alterColumnDefaults, placeholdersAt } = facts;
  const show = readShowStatement(sql);
  if (show !== null) return [show];
  // Positions the parser reports in its text are mapped back to the client's by `insertedAt`.
  const { text: parsed, insertedAt } = parserText(rewritten(sql, rewrites), facts.minusBeforeLongIntegerAt, placeholdersAt);
  const client = clientText(sql, insertedAt);
  try {
    let ast: unknown;
    try {
      ast = parser.astify(parsed, parseOptions);
    } catch (error) {
      throw syntaxError(error);
    }
    checkSyntaxTree(ast);
    if (placeholdersAt.length > 0) numberPlaceholders(ast, placeholdersAt.length);
    let statements = (Array.isArray(ast) ? ast : [ast]).filter((node): node is AstNode => node !== null && typeof node === 'object');
    if (statements.length === 0) throw new TideError('SQL_SYNTAX', 'empty statement');
    if (facts.forShare !== null) withForShare(statements, facts.forShare);
    if (facts.windowClause || facts.rangeFrameBoundsAt.length > 0 || facts.naturalJoinsAt.length > 0 || facts.setAllAt.length > 0 || facts.signedExponents.length > 0 || facts.nullSafeEqualsAt.length > 0) {
      // Marks are at the client's offsets; the parser's are past each space added above.
      const parsedAt = (at: number): number => at + insertedAt.filter((inserted) => inserted < at).length;
      fixParserGaps(statements, { rangeFrameBoundsAt: new Set(facts.rangeFrameBoundsAt.map(parsedAt)), naturalJoinsAt: new Set(facts.naturalJoinsAt.map(parsedAt)), setAllAt: new Set(facts.setAllAt.map(parsedAt)), signedExponentsAt: new Map(facts.signedExponents.map(({ at, text }) => [parsedAt(at), text])), nullSafeEqualsAt: facts.nullSafeEqualsAt.map(parsedAt) });
    }
    for (const statement of statements) checkStrictSyntax(parsed, statement);
    // EXPLAIN is a reserved word, so each one the text scan saw starts a statement, in order.
    let explains = 0;
    statements = statements.map((statement) => (statement['type'] === 'explain' ? { ...statement, analyze: explainAnalyze[explains++] === true } : statement));
    // The ALTER COLUMN … DEFAULT clauses of the text, which its ALTER TABLEs name by number.
    if (alterColumnDefaults.length > 0) statements = statements.map((statement) => (statement['type'] === 'alter' ? { ...statement, alter_column_defaults: alterColumnDefaults } : statement));
    for (const statement of statements) keepColumnSourceText(statement, client);
    return statements.map((statement) => withViewQueryText(statement, client, statements.length));
  } catch (error) {
    throw insertedAt.length > 0 ? positionMoved(error, sql, client.at) : error;
  }
}

// Where the parser's offsets stand in the client's text (both counted from its first word, see
// parseChecked): past the characters the scan inserted (a space after each marked minus sign, a
// name for each `?`: after client offsets `inserted`, in order).
interface ClientText {
  readonly sql: string;
  at(parserOffset: number): number;
}

function clientText(sql: string, inserted: readonly number[]): ClientText {
  // The k-th inserted character (after client offset inserted[k]) stands at parser offset
  // inserted[k] + 1 + k, which rises with k: those before an offset are found by bisection.
  const insertedBefore = (offset: number): number => {
    let low = 0;
    let high = inserted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (inserted[middle]! + 1 + middle < offset) low = middle + 1;
      else high = middle;
    }
    return low;
  };
  return { sql, at: (parserOffset) => parserOffset - insertedBefore(parserOffset) };
}

// MySQL names a result column without an alias by its expression as the client wrote it (`7/2`,
// `count(*)`, spaces and case kept). Each such expression of every SELECT in the tree keeps that
// text, found in the client's text by the parser's locations.
function keepColumnSourceText(node: unknown, client: ClientText): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const item of node) keepColumnSourceText(item, client);
    return;
  }
  const record = node as Record<string, unknown>;
  if (record['type'] === 'select' && Array.isArray(record['columns'])) {
    for (const column of record['columns'] as unknown[]) {
      if (column === null || typeof column !== 'object') continue;
      const { as, expr } = column as { as?: unknown; expr?: Record<string, unknown> };
      const loc = expr?.['loc'] as { start?: { offset?: number }; end?: { offset?: number } } | undefined;
      if (typeof as === 'string' || expr === undefined || loc?.start?.offset === undefined || loc.end?.offset === undefined) continue;
      const text = writtenText(client.sql, client.at(loc.start.offset), client.at(loc.end.offset), expr['parentheses'] === true);
      if (text !== '') expr[sourceTextKey] = text;
    }
  }
  for (const value of Object.values(record)) keepColumnSourceText(value, client);
}

// The text of [start, end), less the comments that follow it, which the parser's end takes in,
// and with the parentheses of a parenthesized expression, which its start and end leave out
// (every pair: `((1+2))` is named so).
function writtenText(sql: string, start: number, end: number, parenthesized: boolean): string {
  let to = start + withoutTrailingComments(sql.slice(start, end)).length;
  let from = start;
  while (parenthesized) {
    let before = from;
    while (before > 0 && /\s/.test(sql[before - 1]!)) before--;
    let after = to;
    while (after < sql.length && /\s/.test(sql[after]!)) after++;
    if (sql[before - 1] !== '(' || sql[after] !== ')') break;
    [from, to] = [before - 1, after + 1];
  }
  return sql.slice(from, to).trim();
}

// Comments are looked for only after the text's last quote: one inside a string is its text.
function withoutTrailingComments(text: string): string {
  const tail = Math.max(text.lastIndexOf("'"), text.lastIndexOf('"'), text.lastIndexOf('`')) + 1;
  let kept = text.slice(tail);
  for (let comment = trailingComment.exec(kept); comment !== null; comment = trailingComment.exec(kept)) kept = kept.slice(0, comment.index);
  return (text.slice(0, tail) + kept).trimEnd();
}

const trailingComment = /\s*(?:\/\*[\s\S]*?\*\/|--\s[^\n]*|#[^\n]*)\s*$/;

const sourceTextKey = 'source_text';

// CREATE VIEW keeps its SELECT as the client wrote it (sql/DESIGN.md, "Views"): the text from
// the SELECT's first character to the statement's end, found in the client's text. The parser's
// end of a SELECT leaves out a trailing ORDER BY, so the statement's end is the text's, less a
// final `;`.
function withViewQueryText(statement: AstNode, client: ClientText, count: number): AstNode {
  if (statement['type'] !== 'create' || statement['keyword'] !== 'view') return statement;
  if (count !== 1) throw new TideError('SQL_UNSUPPORTED', 'CREATE VIEW is not supported yet in a text of several statements');
  const start = ((statement['select'] as AstNode | null)?.['loc'] as { start?: { offset?: number } } | undefined)?.start?.offset;
  if (start === undefined) throw new TideError('SQL_SYNTAX', 'CREATE VIEW needs AS SELECT …');
  const query = client.sql.slice(client.at(start)).trim().replace(/;\s*$/, '').trimEnd();
  return { ...statement, select_text: query };
}

// Rewrites come in text order and never overlap; one pass joins the pieces.
function rewritten(sql: string, rewrites: readonly Rewrite[]): string {
  if (rewrites.length === 0) return sql;
  const pieces: string[] = [];
  let from = 0;
  for (const { at, text } of rewrites) {
    pieces.push(sql.slice(from, at), text);
    from = at + text.length;
  }
  pieces.push(sql.slice(from));
  return pieces.join('');
}

// The parser's trees do not say where a `?` stood, and a statement's parameters bind in the
// order of its text, whatever order the binder meets them in (`SELECT ?, a FROM t WHERE b = ?`
// binds its select list's first). So each `?` reaches the parser as a named parameter that
// carries its number, and comes back as a `?` node with its `ordinal`. The name is one no
// MySQL text uses (MySQL has no named parameters); a text that wrote one anyway is refused.
const placeholderPrefix = 'tide_placeholder_';

function placeholderName(ordinal: number): string {
  return `:${placeholderPrefix}${ordinal}`;
}

// The text the parser reads, from the client's (after its same-length rewrites), in one pass: a
// space after each marked minus sign (the parser reads `-9223372036854775807` as one number and
// rounds it to a double; with the space it negates the exact digits), and each `?` as its
// numbered name. `insertedAt` lists, in order, the client's offset after which each added
// character stands, one entry per character.
function parserText(sql: string, spacesAt: readonly number[], placeholdersAt: readonly number[]): { text: string; insertedAt: readonly number[] } {
  if (spacesAt.length === 0 && placeholdersAt.length === 0) return { text: sql, insertedAt: spacesAt };
  // Each edit replaces the one character at `at` (a minus sign, a `?`) with a longer text.
  const edits = [...spacesAt.map((at) => ({ at, text: `${sql[at]!} ` })), ...placeholdersAt.map((at, ordinal) => ({ at, text: placeholderName(ordinal) }))].sort((left, right) => left.at - right.at);
  const insertedAt: number[] = [];
  let text = '';
  let from = 0;
  for (const edit of edits) {
    text += sql.slice(from, edit.at) + edit.text;
    from = edit.at + 1;
    for (let extra = 1; extra < edit.text.length; extra++) insertedAt.push(edit.at);
  }
  return { text: text + sql.slice(from), insertedAt };
}

// Turns the numbered parameters back into `?` nodes with their ordinals, in place; every
// placeholder of the text must come back exactly once.
function numberPlaceholders(ast: unknown, count: number): void {
  const seen = new Set<number>();
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    const record = node as Record<string, unknown>;
    if (record['type'] === 'param' && typeof record['value'] === 'string' && record['value'].startsWith(placeholderPrefix)) {
      const ordinal = Number(record['value'].slice(placeholderPrefix.length));
      if (!Number.isInteger(ordinal) || ordinal >= count || seen.has(ordinal)) throw new TideError('SQL_SYNTAX', `'${placeholderPrefix}' names are TideDB's own; write ? for a parameter`);
      seen.add(ordinal);
      record['type'] = 'origin';
      record['value'] = '?';
      record['ordinal'] = ordinal;
      return;
    }
    for (const value of Object.values(record)) visit(value);
  };
  visit(ast);
  if (seen.size !== count) throw new TideError('SQL_SYNTAX', `the statement's ${count} ? placeholders did not all parse as values`);
}

// An error's position moved to where `move` puts its offset in `text`, its message with it.
function positionMoved(error: unknown, text: string, move: (offset: number) => number): unknown {
  if (!(error instanceof TideError) || error.details.position === undefined) return error;
  const position = positionAt(text, move(error.details.position.offset));
  const message = error.message.replace(/line \d+, column \d+/, `line ${position.line}, column ${position.column}`);
  return new TideError(error.code, message, { ...error.details, position });
}

// An expression's SQL with quoted names, to be parsed again (a CHECK constraint is kept so).
export function expressionSql(expr: AstNode): string {
  return parser.exprToSQL(expr as never, parseOptions);
}

// The text of an expression, as a result column's name: MySQL names an unaliased column by the
// expression as written, which a select list's expressions keep (keepColumnSourceText); any
// other the parser prints back (without its identifier quotes).
export function expressionText(expr: AstNode): string {
  const source = expr[sourceTextKey];
  if (typeof source === 'string') return source.slice(0, columnNameLengthMax);
  try {
    return parser.exprToSQL(expr as never, parseOptions).replace(/`([^`]*)`/g, '$1').slice(0, columnNameLengthMax);
  } catch {
    return 'expr';
  }
}

interface PegLocation {
  readonly start: { readonly offset: number; readonly line: number; readonly column: number };
}

function syntaxError(error: unknown): TideError {
  // The text checks bound the parser's recursion; this is the backstop if they ever miss.
  if (error instanceof RangeError) return new TideError('EXPRESSION_TOO_DEEP', 'the statement nests too deeply to parse');
  const location = (error as { location?: PegLocation }).location;
  const found = (error as { found?: unknown }).found;
  if (location === undefined) return new TideError('SQL_SYNTAX', 'syntax error');
  const { offset, line, column } = location.start;
  const near = typeof found === 'string' ? ` near '${found.slice(0, 32)}'` : ' at end of input';
  return new TideError('SQL_SYNTAX', `syntax error at line ${line}, column ${column}${near}`, {
    position: { offset, line, column },
  });
}
