// The limits on a statement's text, checked by one linear scan before the parser sees it: the
// parser's time and the planner's recursion grow with a statement's length, its nesting, its
// names and its IN lists, and a hostile statement must be refused before it costs anything.
// The scan knows just enough of MySQL's lexical rules (strings, quoted names, comments) not to
// count what is inside them; it never decides what the statement means, so an odd text it
// lets through still meets the parser, which has the last word on syntax.
import { TideError } from '../base/errors.js';
import { identifierLengthMax } from '../base/identifiers.js';
import { expressionNestingMax, inListItemsMax, paramsPerStatementMax, statementLengthMax } from '../base/limits.js';
import { syntaxErrorAt } from './syntax-error.js';

// Words after which a `-`, `+`, `~`, `!` or NOT starts an operand rather than following one.
const expressionStarters = new Set([
  'SELECT', 'WHERE', 'AND', 'OR', 'XOR', 'NOT', 'ON', 'WHEN', 'THEN', 'ELSE', 'CASE', 'IS', 'LIKE',
  'IN', 'BETWEEN', 'BY', 'VALUES', 'VALUE', 'SET', 'HAVING', 'DIV', 'MOD', 'LIMIT', 'OFFSET', 'INTERVAL',
  'RETURN', 'DISTINCT', 'ALL', 'ANY', 'SOME', 'EXISTS', 'REGEXP', 'RLIKE', 'ESCAPE',
]);
const prefixOperators = new Set(['-', '+', '~', '!']);
const numberPattern = /^(?:\d+\.?\d*(?:[eE][+-]?\d+)?|0[xX][0-9a-fA-F]+|0[bB][01]+)$/;
const signedExponentInteger = /^\d+[eE][+-]\d+$/;

interface Group {
  readonly depth: number; // nesting of what is inside this group
  readonly inList: boolean;
  items: number;
  // The function whose arguments the group holds, by its name in capitals, if it is a call's.
  readonly call?: string;
}

// What the previous token was, as far as prefix operators care.
type Previous = 'start' | 'operand' | 'operator';

// What the scan learned that parsing needs.
export interface TextFacts {
  // Offsets of a `-` written right before an integer literal too long for a double (16 digits
  // or more). The parser reads `-9223372036854775807` as one number and rounds it to a double;
  // with a space after the sign it reads the digits exactly and negates them.
  readonly minusBeforeLongIntegerAt: readonly number[];
  // Same-length rewrites of words the parser's grammar lacks, so that positions stay those of
  // the client's text: `SELECT ALL` and `COUNT(ALL x)` lose the ALL (the default, meaning
  // nothing), and `SUM(DISTINCT x)` (also AVG, MIN, MAX) becomes `SUM_DISTINCT(x)`-like
  // `SUM_DIST(x)`, which the binder reads as the DISTINCT aggregate.
  readonly rewrites: readonly Rewrite[];
  // For each EXPLAIN of the text, in order: whether it is EXPLAIN ANALYZE. The parser knows
  // only EXPLAIN, so ANALYZE after it becomes spaces (a rewrite) and is remembered here.
  readonly explainAnalyze: readonly boolean[];
  // What the tree fix-ups (parser-gaps.ts) need: whether the text has a WINDOW clause, where
  // the first bound of each RANGE frame starts (RANGE becomes ROWS for the parser), and where
  // the right side of each NATURAL join starts (NATURAL becomes spaces), and where the SELECT
  // after each INTERSECT ALL or EXCEPT ALL starts (ALL becomes spaces), and each number with no
  // point and a signed exponent (`1e-7`, which the parser reads as a name `1e`, a sign and 7),
  // by where it starts: it becomes a name of underscores, as long.
  readonly windowClause: boolean;
  readonly rangeFrameBoundsAt: readonly number[];
  readonly naturalJoinsAt: readonly number[];
  readonly setAllAt: readonly number[];
  readonly signedExponents: readonly { readonly at: number; readonly text: string }[];
  // Where each NULL-safe `<=>` stands (it becomes ` = ` for the parser; parser-gaps.ts puts it back).
  readonly nullSafeEqualsAt: readonly number[];
  // ALTER TABLE's `ALTER [COLUMN] c SET DEFAULT v` and `… DROP DEFAULT`, which the parser's
  // grammar lacks, in text order: each clause becomes `DROP INDEX <alterDefaultMarker><k>` of the
  // same length (spaces after), which the ALTER TABLE reader turns back into entry k.
  readonly alterColumnDefaults: readonly AlterColumnDefault[];
  // Offsets of the `?` placeholders, in text order: the parser's trees do not say where each
  // one stood, and a statement's parameters bind in the order of its text.
  readonly placeholdersAt: readonly number[];
  // MySQL 8's `FOR SHARE` (with NOWAIT or SKIP LOCKED after it) ending the text's one SELECT,
  // which the parser does not read: it becomes spaces, and the clause is given back to the
  // statement as its locking read. Elsewhere in a text it is left to the parser, which refuses it.
  readonly forShare: string | null;
}

export interface AlterColumnDefault {
  readonly column: string;
  // The default's SQL text (a literal, NULL or CURRENT_TIMESTAMP), or null for DROP DEFAULT.
  readonly value: string | null;
}

export const alterDefaultMarker = 'DEFLT_';

// `ALTER [COLUMN] name SET DEFAULT literal` or `… DROP DEFAULT`, from the word ALTER on; the
// literal is a quoted string, a number, a word (NULL, TRUE, CURRENT_TIMESTAMP) or a call of
// one with an integer (NOW(3)). Other defaults are left to the parser, which refuses them.
const alterColumnDefault = /ALTER\s+(?:COLUMN\s+)?(`[^`]+`|\w+)\s+(?:SET\s+DEFAULT\s+('(?:[^'\\]|\\.|'')*'|[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\w+(?:\s*\(\s*\d*\s*\))?)|DROP\s+DEFAULT)(?=\s*(?:,|;|$))/iy;

export interface Rewrite {
  readonly at: number;
  readonly text: string;
}

// Aggregates whose DISTINCT form the parser does not read (COUNT(DISTINCT …) it does).
const distinctAggregates = new Set(['SUM', 'AVG', 'MIN', 'MAX']);
const allAggregates = new Set(['COUNT', 'SUM', 'AVG', 'MIN', 'MAX']);
export const distinctAggregateSuffix = '_DIST';

const substringCalls = new Set(['SUBSTRING', 'SUBSTR']);

export function checkStatementText(sql: string): TextFacts {
  if (sql.length > statementLengthMax) {
    throw new TideError('STATEMENT_TOO_LONG', `a statement is at most ${statementLengthMax} characters; this one has ${sql.length}`);
  }
  const scan = new TextScan(sql);
  scan.run();
  const { minusBeforeLongIntegerAt, rewrites, explainAnalyze, windowClause, rangeFrameBoundsAt, naturalJoinsAt, setAllAt, signedExponents, nullSafeEqualsAt, alterColumnDefaults, placeholdersAt, forShare } = scan;
  return { minusBeforeLongIntegerAt, rewrites, explainAnalyze, windowClause, rangeFrameBoundsAt, naturalJoinsAt, setAllAt, signedExponents, nullSafeEqualsAt, alterColumnDefaults, placeholdersAt, forShare };
}

const longIntegerAhead = /\d{16,}(?![\d.eE\w$])/y;
// What may follow FOR SHARE to the end of the text: its options, then at most a `;`.
const forShareEnd = /^(\s*(NOWAIT|SKIP\s+LOCKED)?)\s*;?\s*$/i;

// The call `DEFAULT` becomes where it stands for a column's default in VALUES: as long as the
// word with its parentheses, so positions do not move.
export const defaultKeywordCall = 'DEFLT';

class TextScan {
  private at = 0;
  private readonly groups: Group[] = [{ depth: 0, inList: false, items: 1 }];
  private prefixRun = 0; // prefix operators in a row, each one nesting what follows
  private previous: Previous = 'start';
  private previousWord = '';
  readonly placeholdersAt: number[] = [];
  readonly minusBeforeLongIntegerAt: number[] = [];
  readonly rewrites: Rewrite[] = [];
  readonly explainAnalyze: boolean[] = [];
  windowClause = false;
  readonly rangeFrameBoundsAt: number[] = [];
  readonly naturalJoinsAt: number[] = [];
  readonly setAllAt: number[] = [];
  readonly signedExponents: { readonly at: number; readonly text: string }[] = [];
  readonly nullSafeEqualsAt: number[] = [];
  forShare: string | null = null;
  readonly alterColumnDefaults: AlterColumnDefault[] = [];
  // A DELETE's target list being read: from DELETE to FROM, or from `DELETE FROM` to the
  // USING of its multi-table form: where `FROM` started (null in the first form), and the
  // `.*` after targets, rewritten once the form is known.
  private deleteTargets: { readonly fromAt: number | null; readonly stars: number[] } | null = null;
  // No token read yet in this statement (the text's start, or after `;`).
  private statementStart = true;
  // The word right before the `(` just read, and where it started; null once another token came.
  private call: { readonly name: string; readonly at: number } | null = null;
  private previousWordAt = 0;

  constructor(private readonly sql: string) {}

  run(): void {
    const { sql } = this;
    while (this.at < sql.length) {
      const char = sql[this.at]!;
      if (isSpace(char)) this.at++;
      else if (char === '#' || (char === '-' && sql[this.at + 1] === '-' && isSpaceOrEnd(sql[this.at + 2]))) this.skipLine();
      else if (char === '-' && sql[this.at + 1] === '-') {
        // MySQL reads `5--3` as 5 - -3; the parser would read a comment and drop the rest.
        throw syntaxErrorAt(sql, this.at, "'--' starts a comment only when a space follows it");
      } else if (char === '/' && sql[this.at + 1] === '*') this.skipBlockComment();
      else if (char === "'" || char === '"') {
        this.skipQuoted(char);
        this.setPrevious('operand');
      }
      else if (char === '`') this.quotedName();
      else if (isWordChar(char)) this.word();
      else this.symbol(char);
    }
  }

  private symbol(char: string): void {
    this.at++;
    if (char === '.' && this.maybeTargetStar()) return;
    this.statementStart = char === ';';
    if (char === ';') this.deleteTargets = null;
    switch (char) {
      case '(': {
        const depth = this.currentDepth() + 1;
        if (depth > expressionNestingMax) throw tooDeep();
        const call = this.previousWord === '' ? null : { name: this.previousWord, at: this.previousWordAt };
        this.groups.push({ depth, inList: this.previousWord === 'IN', items: 1, ...(call === null ? {} : { call: call.name }) });
        this.setPrevious('start');
        this.call = call;
        return;
      }
      case ')':
        if (this.groups.length > 1) this.groups.pop();
        this.setPrevious('operand');
        return;
      case ',': {
        const group = this.groups.at(-1)!;
        group.items++;
        if (group.inList && group.items > inListItemsMax) {
          throw new TideError('IN_LIST_TOO_LONG', `an IN list has at most ${inListItemsMax} items`);
        }
        this.setPrevious('start');
        return;
      }
      case '?':
        this.placeholdersAt.push(this.at - 1);
        if (this.placeholdersAt.length > paramsPerStatementMax) {
          throw new TideError('PARAMS_TOO_MANY', `a statement has at most ${paramsPerStatementMax} parameters`);
        }
        this.setPrevious('operand');
        return;
      default:
        if (char === '<' && this.sql.startsWith('=>', this.at)) {
          // `<=>`, which the parser does not read: `=` for it, the operator marked by its place.
          this.nullSafeEqualsAt.push(this.at - 1);
          this.rewrites.push({ at: this.at - 1, text: ' = ' });
          this.at += 2;
          this.setPrevious('operator');
        } else if (prefixOperators.has(char) && this.previous !== 'operand') {
          longIntegerAhead.lastIndex = this.at;
          if (char === '-' && longIntegerAhead.test(this.sql)) this.minusBeforeLongIntegerAt.push(this.at - 1);
          this.prefix();
        } else {
          this.setPrevious('operator');
        }
    }
  }

  private word(): void {
    const start = this.at;
    const numeric = isDigit(this.sql[start]!);
    while (this.at < this.sql.length && (isWordChar(this.sql[this.at]!) || (numeric && this.numberContinues()))) this.at++;
    const text = this.sql.slice(start, this.at);
    if (numeric && numberPattern.test(text)) {
      if (signedExponentInteger.test(text)) {
        this.signedExponents.push({ at: start, text });
        this.rewrites.push({ at: start, text: '_'.repeat(text.length) });
      }
      return this.setPrevious('operand');
    }
    if (codePointLength(text) > identifierLengthMax) throw tooLongName(text);
    const upper = text.toUpperCase();
    if (upper === 'ALTER' && this.maybeAlterColumnDefault(start)) return;
    this.maybeRewrite(upper, start);
    if (upper === 'NOT' && this.previous !== 'operand') {
      this.prefix();
    } else if (expressionStarters.has(upper)) {
      this.setPrevious('start');
    } else {
      this.setPrevious('operand');
    }
    this.previousWord = upper;
    this.previousWordAt = start;
  }

  private maybeRewrite(upper: string, start: number): void {
    const call = this.call;
    const first = this.statementStart;
    this.statementStart = false;
    if ((upper === 'DELETE' && first) || this.deleteTargets !== null) this.multiTableDelete(upper, start);
    if ((upper === 'FROM' || upper === 'FOR') && substringCalls.has(this.groups.at(-1)!.call ?? '')) {
      // SUBSTRING(s FROM n [FOR m]), which the parser does not read, is SUBSTRING(s, n[, m]).
      this.rewrites.push({ at: start, text: ','.padEnd(upper.length, ' ') });
    } else if (upper === 'EXPLAIN') {
      this.explainAnalyze.push(false);
    } else if (upper === 'ANALYZE' && this.previousWord === 'EXPLAIN') {
      this.explainAnalyze[this.explainAnalyze.length - 1] = true;
      this.rewrites.push({ at: start, text: ' '.repeat(upper.length) });
    } else if (upper === 'WINDOW') {
      this.windowClause = true;
    } else if (upper === 'RANGE') {
      this.maybeRangeFrame(start);
    } else if (upper === 'NATURAL') {
      this.naturalJoin(start);
    } else if (upper === 'SHARE' && this.previousWord === 'FOR' && this.groups.length === 1) {
      this.maybeForShare();
    } else if (upper === 'DEFAULT' && this.standsAlone(start)) {
      // `VALUES (1, DEFAULT)`: the parser has no DEFAULT value; a call of the same length does.
      this.rewrites.push({ at: start, text: `${defaultKeywordCall}()` });
    } else if (upper === 'ALL' && (this.previousWord === 'INTERSECT' || this.previousWord === 'EXCEPT')) {
      // The parser knows UNION ALL only: ALL goes, the SELECT after it is marked.
      this.rewrites.push({ at: start, text: '   ' });
      this.setAllAt.push(this.operandStart(this.at));
    } else if (upper === 'ALL' && (this.previousWord === 'SELECT' || (call !== null && allAggregates.has(call.name)))) {
      this.rewrites.push({ at: start, text: '   ' });
    } else if (upper === 'DISTINCT' && call !== null && distinctAggregates.has(call.name)) {
      const name = `${call.name}${distinctAggregateSuffix}(`;
      const length = this.at - call.at;
      this.rewrites.push({ at: call.at, text: name.padEnd(length, ' ') });
    }
  }

  // MySQL's `DELETE FROM t1, t2 USING <tables> …` means `DELETE t1, t2 FROM <tables> …`, the
  // form the parser reads: FROM becomes spaces and USING becomes `FROM `, the same length. The
  // statement's USING is the first word USING outside parentheses after `DELETE FROM` (a
  // join's USING comes after it). `t.*` in a target list loses its `.*`.
  private multiTableDelete(upper: string, start: number): void {
    const targets = this.deleteTargets;
    if (upper === 'DELETE') {
      const next = this.wordAhead(this.at);
      this.deleteTargets = { fromAt: next?.word === 'FROM' ? next.at : null, stars: [] };
    } else if (targets === null || this.groups.length > 1) {
      return;
    } else if (targets.fromAt === null && upper === 'FROM') {
      this.rewrites.push(...targets.stars.map((at) => ({ at, text: '  ' })));
      this.deleteTargets = null;
    } else if (targets.fromAt !== null && targets.fromAt !== start && upper === 'USING') {
      this.rewrites.push({ at: targets.fromAt, text: '    ' }, ...targets.stars.map((at) => ({ at, text: '  ' })), { at: start, text: 'FROM ' });
      this.deleteTargets = null;
    } else if (targets.fromAt !== null && ['WHERE', 'ORDER', 'LIMIT', 'RETURNING'].includes(upper)) {
      this.deleteTargets = null;
    }
  }

  // `t.*` in a DELETE's target list, at its `.`: MySQL's spelling of the target `t`.
  private maybeTargetStar(): boolean {
    if (this.deleteTargets === null || this.sql[this.at] !== '*' || this.groups.length > 1) return false;
    this.deleteTargets.stars.push(this.at - 1);
    this.at++;
    this.setPrevious('operand');
    return true;
  }

  // A window frame `RANGE [BETWEEN] UNBOUNDED …|CURRENT ROW …`, or `RANGE BETWEEN 2 PRECEDING
  // …` (an offset is a distance between ORDER BY values, range-frame.ts): the parser reads only
  // ROWS frames, so RANGE becomes `ROWS ` and the frame is marked where the parser notes a
  // place: its first bound's, or for an offset (a bound it places nowhere) the BETWEEN frame's.
  private maybeRangeFrame(start: number): void {
    let next = this.wordAhead(this.at);
    const between = next?.word === 'BETWEEN';
    if (between) next = this.wordAhead(next!.end);
    if (next === undefined) return;
    if (next.word === 'UNBOUNDED' || next.word === 'CURRENT') {
      this.rewrites.push({ at: start, text: 'ROWS ' });
      this.rangeFrameBoundsAt.push(next.at);
    } else if (isDigit(next.word[0] ?? '')) {
      if (!between) throw new TideError('SQL_UNSUPPORTED', 'a RANGE frame with an offset is read in its BETWEEN form only (RANGE BETWEEN 2 PRECEDING AND CURRENT ROW)');
      this.rewrites.push({ at: start, text: 'ROWS ' });
      this.rangeFrameBoundsAt.push(start);
    }
  }

  // `FOR SHARE [NOWAIT | SKIP LOCKED]` at the end of the text (a `;` may follow): spaces, and
  // the clause noted (TextFacts.forShare).
  private maybeForShare(): void {
    const rest = forShareEnd.exec(this.sql.slice(this.at));
    if (rest === null) return;
    const end = this.at + rest[1]!.length;
    this.forShare = `FOR SHARE${rest[2] === undefined ? '' : ` ${rest[2].toUpperCase().replace(/\s+/, ' ')}`}`;
    this.rewrites.push({ at: this.previousWordAt, text: ' '.repeat(end - this.previousWordAt) });
  }

  // `NATURAL [LEFT|RIGHT [OUTER]] JOIN x`: the parser has no NATURAL, so it becomes spaces and
  // the join is marked by where its right side starts (a table's name, or a derived table's
  // first word).
  private naturalJoin(start: number): void {
    let from = this.at;
    for (const expected of [['LEFT', 'RIGHT', 'INNER'], ['OUTER'], ['JOIN']]) {
      const next = this.wordAhead(from);
      if (next !== undefined && expected.includes(next.word)) from = next.end;
      else if (expected[0] !== 'JOIN') continue;
      else return;
    }
    this.rewrites.push({ at: start, text: ' '.repeat('NATURAL'.length) });
    this.naturalJoinsAt.push(this.operandStart(from));
  }

  // Where what follows `from` starts, past spaces and opening parentheses.
  private operandStart(from: number): number {
    let at = from;
    while (at < this.sql.length && (isSpace(this.sql[at]!) || this.sql[at] === '(')) at++;
    return at;
  }

  // The next plain word from `from` (spaces skipped), upper-cased.
  private wordAhead(from: number): { word: string; at: number; end: number } | undefined {
    let at = from;
    while (at < this.sql.length && isSpace(this.sql[at]!)) at++;
    const wordStart = at;
    while (at < this.sql.length && isWordChar(this.sql[at]!)) at++;
    return at === wordStart ? undefined : { word: this.sql.slice(wordStart, at).toUpperCase(), at: wordStart, end: at };
  }

  // A clause `ALTER [COLUMN] c SET|DROP DEFAULT …` from `start`: recorded and rewritten whole,
  // and the scan goes on after it.
  private maybeAlterColumnDefault(start: number): boolean {
    alterColumnDefault.lastIndex = start;
    const match = alterColumnDefault.exec(this.sql);
    if (match === null) return false;
    const marker = `DROP INDEX ${alterDefaultMarker}${this.alterColumnDefaults.length}`;
    if (marker.length > match[0].length) return false;
    this.alterColumnDefaults.push({ column: match[1]!.replace(/^`|`$/g, ''), value: match[2] ?? null });
    this.rewrites.push({ at: start, text: marker.padEnd(match[0].length, ' ') });
    this.at = start + match[0].length;
    this.setPrevious('operand');
    this.previousWord = '';
    return true;
  }

  // A word that is a whole item of a parenthesized list: `(` or `,` before it and `,` or `)`
  // after it, spaces aside (DEFAULT elsewhere is part of a column definition or table option).
  private standsAlone(start: number): boolean {
    let before = start - 1;
    while (before >= 0 && isSpace(this.sql[before]!)) before--;
    let after = this.at;
    while (after < this.sql.length && isSpace(this.sql[after]!)) after++;
    return (this.sql[before] === '(' || this.sql[before] === ',') && (this.sql[after] === ',' || this.sql[after] === ')');
  }

  // Inside a number: a point, or the sign of an exponent (`1e-5`).
  private numberContinues(): boolean {
    const char = this.sql[this.at]!;
    if (char === '.') return true;
    const before = this.sql[this.at - 1];
    return (char === '-' || char === '+') && (before === 'e' || before === 'E') && isDigit(this.sql[this.at + 1] ?? '');
  }

  private quotedName(): void {
    const start = this.at + 1;
    this.skipQuoted('`');
    const name = this.sql.slice(start, Math.max(start, this.at - 1)).replaceAll('``', '`');
    if (codePointLength(name) > identifierLengthMax) throw tooLongName(name);
    this.setPrevious('operand');
  }

  // Moves past a quoted string or name, doubled quotes and backslash escapes included. An
  // unterminated one runs to the end (the parser then reports it).
  private skipQuoted(quote: string): void {
    this.at++;
    while (this.at < this.sql.length) {
      const char = this.sql[this.at++]!;
      if (char === '\\' && quote !== '`') this.at++;
      else if (char === quote) {
        if (this.sql[this.at] !== quote) return;
        this.at++;
      }
    }
  }

  private skipLine(): void {
    const end = this.sql.indexOf('\n', this.at);
    this.at = end < 0 ? this.sql.length : end + 1;
  }

  // Executable comments this version runs were opened up before (executable-comments.ts): one
  // still here is for a later version, or MariaDB's `/*M! … */`, a comment to MySQL too.
  private skipBlockComment(): void {
    const end = this.sql.indexOf('*/', this.at + 2);
    this.at = end < 0 ? this.sql.length : end + 2;
  }

  private prefix(): void {
    this.prefixRun++;
    if (this.currentDepth() > expressionNestingMax) throw tooDeep();
    this.previous = 'operator';
    this.previousWord = '';
  }

  private setPrevious(previous: Previous): void {
    this.call = null;
    this.previous = previous;
    this.prefixRun = 0;
    this.previousWord = '';
  }

  private currentDepth(): number {
    return this.groups.at(-1)!.depth + this.prefixRun;
  }
}

function tooDeep(): TideError {
  return new TideError('EXPRESSION_TOO_DEEP', `expressions nest at most ${expressionNestingMax} levels deep (parentheses, calls, subqueries and prefix operators such as NOT)`);
}

function tooLongName(name: string): TideError {
  return new TideError('IDENTIFIER_TOO_LONG', `a name is at most ${identifierLengthMax} characters; one here has ${codePointLength(name)} ('${name.slice(0, 16)}…')`);
}

// MySQL counts a name's characters, not its UTF-16 units; only a long one needs counting.
function codePointLength(text: string): number {
  if (text.length <= identifierLengthMax) return text.length;
  let count = 0;
  for (const _ of text) count++;
  return count;
}

// MySQL's whitespace; `--` opens a comment when followed by whitespace or any control character.
function isSpace(char: string): boolean {
  return char === ' ' || char === '\t' || char === '\n' || char === '\r' || char === '\f' || char === '\v';
}

function isSpaceOrEnd(char: string | undefined): boolean {
  return char === undefined || char <= ' ';
}

function isDigit(char: string): boolean {
  return char >= '0' && char <= '9';
}

// Letters, digits, `_`, `$` and anything beyond ASCII, as MySQL's unquoted names allow.
function isWordChar(char: string): boolean {
  return (char >= 'a' && char <= 'z') || (char >= 'A' && char <= 'Z') || isDigit(char) || char === '_' || char === '$' || char > '\u007f';
}
