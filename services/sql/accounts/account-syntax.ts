// A strict reader for the account statements node-sql-parser does not read: CREATE USER,
// ALTER USER, DROP USER, GRANT, REVOKE and SHOW GRANTS, recognized by their first words before
// the parser runs (as show-syntax.ts does for SHOW TABLES). Their text may hold a password, so
// no error of this reader quotes a string literal of it: a syntax error names the token's
// kind and place, never a string's content.
import { TideError } from '../../base/errors.js';
import { identifierLengthMax } from '../../base/identifiers.js';
import { privilegeNames } from '../../storage/types.js';
import type { AuthPlugin, Privilege } from '../../storage/types.js';

// 'user'@'host': the host is a MySQL host pattern ('%' when not written).
export interface AccountName {
  readonly user: string;
  readonly host: string;
}

// Where a grant applies: `*.*` (both null), `db.*` (table null) or `db.table`. A level written
// without a database (`*`, `t`) names the request's current database, filled in when planned.
export interface GrantLevel {
  readonly database: string | null;
  readonly table: string | null;
}

export type AccountStatement =
  | { readonly kind: 'create_user'; readonly account: AccountName; readonly ifNotExists: boolean; readonly password: string | null; readonly plugin: AuthPlugin }
  | { readonly kind: 'alter_user'; readonly account: AccountName; readonly ifExists: boolean; readonly password: string | null; readonly plugin: AuthPlugin | null }
  | { readonly kind: 'drop_user'; readonly accounts: readonly AccountName[]; readonly ifExists: boolean }
  | { readonly kind: 'grant'; readonly privileges: readonly Privilege[]; readonly level: GrantLevel; readonly account: AccountName }
  | { readonly kind: 'revoke'; readonly privileges: readonly Privilege[]; readonly level: GrantLevel; readonly account: AccountName }
  // SHOW GRANTS without FOR (or FOR CURRENT_USER): the requester's own.
  | { readonly kind: 'show_grants'; readonly account: AccountName | null };

// MySQL 8's bounds on an account's name parts.
export const userLengthMax = 32;
export const hostLengthMax = 255;
export const defaultPlugin: AuthPlugin = 'caching_sha2_password';

const leading = /^\s*(CREATE\s+USER|ALTER\s+USER|DROP\s+USER|GRANT|REVOKE|SHOW\s+GRANTS)\b/i;

// The statement's tree (`type: 'account'`), or null when the text is no account statement.
export function readAccountStatement(sql: string): { readonly type: 'account'; readonly statement: AccountStatement } | null {
  if (!leading.test(sql)) return null;
  const reader = new TokenReader(tokenize(sql));
  const statement = readStatement(reader);
  reader.skipPunct(';');
  if (!reader.atEnd()) throw reader.syntaxError('the end of the statement');
  return { type: 'account', statement };
}

function readStatement(reader: TokenReader): AccountStatement {
  const first = reader.word();
  if (first === 'CREATE') {
    reader.expectWord('USER');
    const ifNotExists = reader.maybeWords('IF', 'NOT', 'EXISTS');
    const account = readAccount(reader);
    const { password, plugin } = readIdentified(reader, false);
    return { kind: 'create_user', account, ifNotExists, password, plugin: plugin ?? defaultPlugin };
  }
  if (first === 'ALTER') {
    reader.expectWord('USER');
    const ifExists = reader.maybeWords('IF', 'EXISTS');
    const account = readAccount(reader);
    const { password, plugin } = readIdentified(reader, true);
    return { kind: 'alter_user', account, ifExists, password, plugin };
  }
  if (first === 'DROP') {
    reader.expectWord('USER');
    const ifExists = reader.maybeWords('IF', 'EXISTS');
    const accounts = [readAccount(reader)];
    while (reader.skipPunct(',')) accounts.push(readAccount(reader));
    return { kind: 'drop_user', accounts, ifExists };
  }
  if (first === 'GRANT' || first === 'REVOKE') {
    const privileges = readPrivileges(reader);
    reader.expectWord('ON');
    reader.maybeWords('TABLE');
    const level = readLevel(reader);
    reader.expectWord(first === 'GRANT' ? 'TO' : 'FROM');
    const account = readAccount(reader);
    return { kind: first === 'GRANT' ? 'grant' : 'revoke', privileges, level, account };
  }
  reader.expectWord('GRANTS');
  if (!reader.maybeWords('FOR')) return { kind: 'show_grants', account: null };
  if (reader.maybeWords('CURRENT_USER')) {
    if (reader.skipPunct('(')) reader.expectPunct(')');
    return { kind: 'show_grants', account: null };
  }
  return { kind: 'show_grants', account: readAccount(reader) };
}

// `IDENTIFIED [WITH plugin] BY 'password'`; absent on CREATE USER: an account without a
// password. ALTER USER must say what it changes.
function readIdentified(reader: TokenReader, required: boolean): { password: string | null; plugin: AuthPlugin | null } {
  if (!reader.maybeWords('IDENTIFIED')) {
    if (required) throw reader.syntaxError('IDENTIFIED');
    return { password: null, plugin: null };
  }
  let plugin: AuthPlugin | null = null;
  if (reader.maybeWords('WITH')) {
    const name = reader.name().toLowerCase();
    if (name !== 'mysql_native_password' && name !== 'caching_sha2_password') throw new TideError('SQL_UNSUPPORTED', `the authentication plugin '${name}' is not supported; use mysql_native_password or caching_sha2_password`);
    plugin = name;
  }
  reader.expectWord('BY');
  return { password: reader.string('the password'), plugin };
}

function readPrivileges(reader: TokenReader): readonly Privilege[] {
  if (reader.maybeWords('ALL')) {
    reader.maybeWords('PRIVILEGES');
    return privilegeNames;
  }
  const named = new Set<Privilege>();
  do {
    const word = reader.word();
    const privilege = privilegeNames.find((name) => name === word);
    if (privilege === undefined) throw new TideError('SQL_UNSUPPORTED', `the privilege ${word} is not supported; grant ${privilegeNames.join(', ')} or ALL`);
    named.add(privilege);
  } while (reader.skipPunct(','));
  return privilegeNames.filter((name) => named.has(name));
}

// `*.*`, `db.*`, `db.table`, `*` or `table` (the last two in the current database).
function readLevel(reader: TokenReader): GrantLevel {
  const first = reader.skipPunct('*') ? null : reader.name();
  if (!reader.skipPunct('.')) return first === null ? { database: '', table: null } : { database: '', table: checkedName(first, 'table') };
  const second = reader.skipPunct('*') ? null : reader.name();
  if (first === null && second !== null) throw reader.syntaxError('*.* or db.* or db.table');
  return { database: first === null ? null : checkedName(first, 'database'), table: second === null ? null : checkedName(second, 'table') };
}

function checkedName(name: string, what: string): string {
  if (name.length === 0 || name.length > identifierLengthMax) throw new TideError('SQL_SYNTAX', `a ${what} name has 1 to ${identifierLengthMax} characters`);
  return name;
}

// 'user'@'host', user@host, `user`@`host`, or 'user' alone (host '%').
function readAccount(reader: TokenReader): AccountName {
  const user = reader.name();
  const host = reader.skipPunct('@') ? reader.name() : '%';
  if (user.length > userLengthMax) throw new TideError('SQL_SYNTAX', `a user name has at most ${userLengthMax} characters`);
  if (host.length === 0 || host.length > hostLengthMax) throw new TideError('SQL_SYNTAX', `a host name has 1 to ${hostLengthMax} characters`);
  if (user.includes('\u0000') || host.includes('\u0000')) throw new TideError('SQL_SYNTAX', 'an account name may not hold a NUL character');
  return { user, host };
}

type Token =
  | { readonly kind: 'word'; readonly text: string; readonly at: number }
  | { readonly kind: 'quoted'; readonly text: string; readonly at: number; readonly quote: string }
  | { readonly kind: 'punct'; readonly text: string; readonly at: number };

// Words, quoted names and strings ('…', "…", `…`, with doubled quotes and backslash escapes
// in the first two) and single punctuation marks.
function tokenize(sql: string): readonly Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < sql.length) {
    const char = sql[at]!;
    if (/\s/.test(char)) {
      at++;
    } else if (/[A-Za-z0-9_$]/.test(char)) {
      const match = /^[A-Za-z0-9_$]+/.exec(sql.slice(at))!;
      tokens.push({ kind: 'word', text: match[0], at });
      at += match[0].length;
    } else if (char === "'" || char === '"' || char === '`') {
      const { text, next } = quoted(sql, at);
      tokens.push({ kind: 'quoted', text, at, quote: char });
      at = next;
    } else if ('@,.*();'.includes(char)) {
      tokens.push({ kind: 'punct', text: char, at });
      at++;
    } else {
      throw new TideError('SQL_SYNTAX', `unexpected character at offset ${at} of the account statement`);
    }
  }
  return tokens;
}

const escapes: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', '0': '\u0000', b: '\b', Z: '\u001a' };

function quoted(sql: string, start: number): { text: string; next: number } {
  const quote = sql[start]!;
  let text = '';
  let at = start + 1;
  while (at < sql.length) {
    const char = sql[at]!;
    if (char === quote) {
      if (sql[at + 1] === quote) {
        text += quote;
        at += 2;
        continue;
      }
      return { text, next: at + 1 };
    }
    if (char === '\\' && quote !== '`' && at + 1 < sql.length) {
      const escaped = sql[at + 1]!;
      text += escapes[escaped] ?? escaped;
      at += 2;
      continue;
    }
    text += char;
    at++;
  }
  throw new TideError('SQL_SYNTAX', `a quoted text from offset ${start} of the account statement is not closed`);
}

class TokenReader {
  private at = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  atEnd(): boolean {
    return this.at >= this.tokens.length;
  }

  // A keyword, upper-cased.
  word(): string {
    const token = this.tokens[this.at];
    if (token?.kind !== 'word') throw this.syntaxError('a keyword');
    this.at++;
    return token.text.toUpperCase();
  }

  expectWord(word: string): void {
    if (this.word() !== word) {
      this.at--;
      throw this.syntaxError(word);
    }
  }

  // Takes the words if they all come next, in order.
  maybeWords(...words: readonly string[]): boolean {
    const ahead = words.every((word, offset) => {
      const token = this.tokens[this.at + offset];
      return token?.kind === 'word' && token.text.toUpperCase() === word;
    });
    if (ahead) this.at += words.length;
    return ahead;
  }

  skipPunct(mark: string): boolean {
    const token = this.tokens[this.at];
    if (token?.kind !== 'punct' || token.text !== mark) return false;
    this.at++;
    return true;
  }

  expectPunct(mark: string): void {
    if (!this.skipPunct(mark)) throw this.syntaxError(`'${mark}'`);
  }

  // A name: a bare word or any quoted text.
  name(): string {
    const token = this.tokens[this.at];
    if (token === undefined || token.kind === 'punct') throw this.syntaxError('a name');
    this.at++;
    return token.text;
  }

  // A string literal ('…' or "…").
  string(what: string): string {
    const token = this.tokens[this.at];
    if (token?.kind !== 'quoted' || token.quote === '`') throw this.syntaxError(what);
    this.at++;
    return token.text;
  }

  // Names what was expected and where; a string literal found there is not quoted.
  syntaxError(expected: string): TideError {
    const token = this.tokens[this.at];
    const found = token === undefined ? 'the end of the statement' : token.kind === 'quoted' ? 'a quoted text' : `'${token.text}'`;
    return new TideError('SQL_SYNTAX', `account statement: expected ${expected} but found ${found}${token === undefined ? '' : ` at offset ${token.at}`}`);
  }
}
