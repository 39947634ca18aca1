// The statements a session answers itself, without the engine: those about the connection
// rather than the data. What clients send on connect (SET NAMES, SET autocommit, SET SESSION …,
// SELECT @@version and other variables, SHOW VARIABLES, SHOW WARNINGS) and the transaction
// statements (session-transactions.ts). Recognized by their text, after the leading comments
// and the trailing `;` are gone; anything not recognized here goes to the engine.
import { TideError } from '../base/errors.js';
import { lockWaitMsDefault } from '../base/limits.js';
import { compileLike, matchLike } from '../sql/like-matcher.js';
import type { Row } from '../storage/types.js';
import { mysqlIsolationName } from '../write/isolation.js';
import type { Session } from './session.js';
import type { VariableValue } from './session-variables.js';

export type LocalOutcome =
  | { readonly kind: 'rows'; readonly columns: readonly string[]; readonly rows: readonly Row[] }
  | { readonly kind: 'ok' };

// An error of MySQL's own numbering, for what has no TideDB code (1193 unknown variable, 1238
// read-only variable).
export class SessionError extends Error {
  constructor(
    readonly errno: number,
    readonly sqlstate: string,
    message: string,
  ) {
    super(message);
  }
}

// Leading whitespace and comments, and a trailing `;`, removed (mysql-style `/*!…*/` comments,
// which MySQL runs, are kept: the engine reports what it cannot run).
export function trimStatement(sql: string): string {
  let text = sql;
  for (;;) {
    const trimmed = text.replace(/^\s+/, '').replace(/^\/\*(?!!)[\s\S]*?\*\//, '').replace(/^(--\s|#)[^\n]*(\n|$)/, '');
    if (trimmed === text) break;
    text = trimmed;
  }
  return text.replace(/[\s;]+$/, '');
}

// The outcome of `sql` (trimmed) if the session answers it, else null. Throws SessionError or
// TideError for a statement it recognizes but refuses.
export function localOutcome(sql: string, session: Session): LocalOutcome | null {
  if (/^set\s/i.test(sql)) return setStatement(sql.slice(4), session);
  if (/^select\s/i.test(sql)) return selectVariables(sql.slice(7), session);
  const variables = /^show\s+(?:(global|session|local)\s+)?variables(?:\s+(like|where\s+variable_name\s*(?:=|like))\s*'((?:[^'\\]|\\.)*)')?$/i.exec(sql);
  if (variables !== null) return showVariables(variables[3] ?? null, variables[2]?.endsWith('=') === true, session);
  if (/^show\s+(warnings|errors)(\s+limit\s+\d+)?$/i.test(sql)) {
    const errorsOnly = /^show\s+errors/i.test(sql);
    const listed = session.warnings.filter((warning) => !errorsOnly || warning.level === 'Error');
    return { kind: 'rows', columns: ['Level', 'Code', 'Message'], rows: listed.map((warning) => [warning.level, BigInt(warning.code), warning.message]) };
  }
  if (/^show\s+count\(\*\)\s+(warnings|errors)$/i.test(sql)) {
    const errorsOnly = /errors$/i.test(sql);
    const count = session.warnings.filter((warning) => !errorsOnly || warning.level === 'Error').length;
    return { kind: 'rows', columns: [`@@session.${errorsOnly ? 'error' : 'warning'}_count`], rows: [[BigInt(count)]] };
  }
  return null;
}

// --- SET ---------------------------------------------------------------------------------

// Variables whose setting TideDB records but cannot act on: a client that sets one learns so
// from SHOW WARNINGS.
const recordedOnly = new Set(['foreign_key_checks', 'sql_mode', 'time_zone', 'sql_auto_is_null', 'sql_select_limit', 'transaction_read_only', 'tx_read_only', 'auto_increment_increment', 'auto_increment_offset']);
const booleanVariables = new Set(['autocommit', 'foreign_key_checks', 'sql_auto_is_null', 'transaction_read_only', 'tx_read_only']);

// The two names of a session's isolation level: setting either sets both.
const isolationVariables = ['transaction_isolation', 'tx_isolation'];

function setStatement(assignmentsText: string, session: Session): LocalOutcome {
  const notes: string[] = [];
  const transaction = /^(?:(global|session|local)\s+)?transaction\s+([\s\S]+)$/i.exec(assignmentsText.trim());
  if (transaction !== null) {
    setTransaction(transaction[1]?.toLowerCase() ?? null, transaction[2]!, session);
    session.warnings = [];
    return { kind: 'ok' };
  }
  for (const assignment of splitTopLevel(assignmentsText)) {
    const names = /^(?:names|(?:character\s+set|charset))\s+(?:'([^']*)'|"([^"]*)"|`?(\w+)`?)(?:\s+collate\s+(?:'([^']*)'|"([^"]*)"|`?(\w+)`?))?$/i.exec(assignment);
    if (names !== null) {
      const charset = (names[1] ?? names[2] ?? names[3] ?? 'utf8mb4').toLowerCase();
      for (const name of ['character_set_client', 'character_set_connection', 'character_set_results']) session.variables.set(name, charset);
      if (!charset.startsWith('utf8')) notes.push(`TideDB speaks UTF-8 on every connection; '${charset}' is recorded, not applied`);
      continue;
    }
    const user = /^@(`[^`]+`|'[^']+'|[\w.$]+)\s*:?=\s*([\s\S]+)$/.exec(assignment);
    if (user !== null) {
      session.userVariables.set(user[1]!.replace(/^[`']|[`']$/g, '').toLowerCase(), literalValue(user[2]!));
      continue;
    }
    const system = /^(?:(global|session|local|persist)\s+|@@(?:(global|session|local|persist)\.)?)?`?([a-z_][a-z0-9_]*)`?\s*:?=\s*([\s\S]+)$/i.exec(assignment);
    if (system === null) throw new TideError('SQL_SYNTAX', `cannot read the SET assignment '${assignment}'`);
    const scope = (system[1] ?? system[2] ?? 'session').toLowerCase();
    const name = system[3]!.toLowerCase();
    if (!session.variables.has(name)) throw new SessionError(1193, 'HY000', `Unknown system variable '${name}'`);
    if (scope === 'global' || scope === 'persist') throw new SessionError(1227, '42000', `Access denied; SET ${scope.toUpperCase()} is not available: a node's settings come from its flags`);
    if (session.variables.isReadOnly(name)) throw new SessionError(1238, 'HY000', `Variable '${name}' is a read only variable`);
    let value = systemValue(name, system[4]!);
    if (name === 'autocommit') session.autocommitChange = value === 1n;
    // Seconds, in MySQL's range (DEFAULT: the node's): the session's row-lock waits from its
    // next statement on.
    else if (name === 'innodb_lock_wait_timeout') {
      if (typeof value === 'string' && /^default$/i.test(value)) value = BigInt(lockWaitMsDefault / 1000);
      if (typeof value !== 'bigint' || value < 1n || value > 1_073_741_824n) throw new SessionError(1231, '42000', `Variable '${name}' can't be set to the value of '${value}'`);
    }
    else if (isolationVariables.includes(name)) {
      const level = mysqlIsolationName(String(value));
      if (level === null) throw new SessionError(1231, '42000', `Variable '${name}' can't be set to the value of '${value}'`);
      for (const variable of isolationVariables) session.variables.set(variable, level);
      continue;
    }
    else if (recordedOnly.has(name) && value !== session.variables.get(name)) notes.push(`'${name}' is recorded for this session but TideDB keeps its own behaviour`);
    session.variables.set(name, value);
  }
  session.warnings = notes.map((message) => ({ level: 'Warning', code: 1105, message }));
  return { kind: 'ok' };
}

// SET [SESSION] TRANSACTION ISOLATION LEVEL …, READ WRITE | READ ONLY: with SESSION (or LOCAL)
// the session's level from now on, without a scope the next transaction's only. Read-only
// transactions are not enforced (recorded as before, by transaction_read_only).
function setTransaction(scope: string | null, characteristicsText: string, session: Session): void {
  if (scope === 'global') throw new SessionError(1227, '42000', 'Access denied; SET GLOBAL is not available: a node\'s settings come from its flags');
  for (const characteristic of splitTopLevel(characteristicsText)) {
    const isolation = /^isolation\s+level\s+(read\s+uncommitted|read\s+committed|repeatable\s+read|serializable)$/i.exec(characteristic);
    if (isolation !== null) {
      if (scope === null && session.transactions.inTransaction) throw new SessionError(1568, '25001', "Transaction characteristics can't be changed while a transaction is in progress");
      const level = mysqlIsolationName(isolation[1]!)!;
      if (scope === null) session.nextIsolation = level;
      else for (const variable of isolationVariables) session.variables.set(variable, level);
      continue;
    }
    if (/^read\s+(write|only)$/i.test(characteristic)) continue;
    throw new TideError('SQL_SYNTAX', `cannot read the transaction characteristic '${characteristic}'`);
  }
}

// A SET value: a literal (quoted text, a number, ON/OFF/TRUE/FALSE, DEFAULT, a bare word).
function systemValue(name: string, text: string): VariableValue {
  const value = literalValue(text);
  if (value === null) throw new SessionError(1231, '42000', `Variable '${name}' can't be set to the value of 'NULL'`);
  if (booleanVariables.has(name)) {
    const truth = typeof value === 'bigint' ? value !== 0n : /^(on|true)$/i.test(value) ? true : /^(off|false)$/i.test(value) ? false : null;
    if (truth === null) throw new SessionError(1231, '42000', `Variable '${name}' can't be set to the value of '${value}'`);
    return truth ? 1n : 0n;
  }
  return value;
}

function literalValue(text: string): string | bigint | null {
  const trimmed = text.trim();
  const quoted = /^'((?:[^'\\]|\\.|'')*)'$|^"((?:[^"\\]|\\.|"")*)"$/.exec(trimmed);
  if (quoted !== null) return (quoted[1] ?? quoted[2] ?? '').replace(/\\(.)|''|""/g, (match, escaped: string | undefined) => escaped ?? match[0]!);
  if (/^-?\d+$/.test(trimmed)) return BigInt(trimmed);
  if (/^null$/i.test(trimmed)) return null;
  if (/^[\w.+-]+$/.test(trimmed)) return trimmed;
  throw new TideError('SQL_UNSUPPORTED', `SET takes a literal value here, not the expression '${trimmed}'`);
}

// Splits at commas outside quotes and parentheses.
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (quote !== null) {
      if (char === '\\') index++;
      else if (char === quote) quote = null;
    } else if (char === "'" || char === '"' || char === '`') quote = char;
    else if (char === '(') depth++;
    else if (char === ')') depth--;
    else if (char === ',' && depth === 0) {
      parts.push(text.slice(start, index).trim());
      start = index + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

// --- SELECT @@variable, DATABASE(), USER(), … ------------------------------------------------------------------------------------------------

const selectItem = /^(@@(?:(?:global|session|local)\.)?([a-z_][a-z0-9_]*)|database\(\)|schema\(\)|user\(\)|current_user(?:\(\))?|session_user\(\)|system_user\(\)|connection_id\(\)|version\(\)|last_insert_id\(\))(?:\s+(?:as\s+)?(?:`([^`]+)`|'([^']+)'|"([^"]+)"|(\w+)))?$/i;

// A SELECT whose every item is a variable or a session function (with at most a LIMIT): the
// session answers it. Any other SELECT goes to the engine.
function selectVariables(listText: string, session: Session): LocalOutcome | null {
  const withoutLimit = listText.replace(/\s+limit\s+\d+$/i, '');
  const items = splitTopLevel(withoutLimit);
  const matches = items.map((item) => selectItem.exec(item));
  if (matches.some((match) => match === null)) return null;
  const columns: string[] = [];
  const row: (string | bigint | null)[] = [];
  for (const [index, match] of matches.entries()) {
    const expression = match![1]!;
    columns.push(match![3] ?? match![4] ?? match![5] ?? match![6] ?? expression);
    row.push(selectValue(expression, match![2], session, items[index]!));
  }
  return { kind: 'rows', columns, rows: [row] };
}

function selectValue(expression: string, variable: string | undefined, session: Session, item: string): string | bigint | null {
  if (variable !== undefined) {
    const value = session.variables.get(variable);
    if (value === undefined) throw new SessionError(1193, 'HY000', `Unknown system variable '${variable}'`);
    return value;
  }
  const name = expression.toLowerCase().replace(/\(\)$/, '');
  switch (name) {
    case 'database':
    case 'schema':
      return session.database ?? session.defaultDatabase; // where the engine resolves names too
    case 'user':
    case 'session_user':
    case 'system_user':
      return `${session.account.user}@${session.remoteAddress}`;
    case 'current_user':
      return `${session.account.user}@${session.account.host}`;
    case 'connection_id':
      return BigInt(session.connectionId);
    case 'version':
      return session.variables.get('version') ?? null;
    case 'last_insert_id':
      return session.lastInsertId;
    default:
      throw new TideError('SQL_UNSUPPORTED', `'${item}' is not answered by the session`);
  }
}

// --- SHOW VARIABLES -------------------------------------------------------------------------

function showVariables(pattern: string | null, exact: boolean, session: Session): LocalOutcome {
  const like = pattern === null || exact ? null : compileLike(pattern.toLowerCase());
  const rows = session.variables
    .entries()
    .filter(([name]) => (pattern === null ? true : exact ? name === pattern.toLowerCase() : matchLike(like!, name)))
    .map(([name, value]): Row => [name, typeof value === 'bigint' ? value.toString() : value]);
  return { kind: 'rows', columns: ['Variable_name', 'Value'], rows };
}
