// Execution of the account statements (account-syntax.ts reads them) on the leader's overlay
// view: each writes the whole account (put_account) or removes it (drop_account). The password
// is hashed here, on the leader, before anything is proposed: the batch, the Raft log and
// every replica's catalog hold SHA1(SHA1(pw)) and SHA256(SHA256(pw)) only, and no changelog
// record or statement text (services/users/DESIGN.md). Who may run them is checked before,
// with every other privilege (services/users/privilege-check.ts).
import { createHash } from 'node:crypto';
import { TideError } from '../../base/errors.js';
import { privilegeNames } from '../../storage/types.js';
import type { AccountDef, AuthPlugin, GrantDef, Privilege } from '../../storage/types.js';
import type { OverlayView } from '../overlay-view.js';
import type { StatementResult } from '../executor.js';
import type { AccountName, AccountStatement, GrantLevel } from './account-syntax.js';

// The account a request runs as, for SHOW GRANTS without FOR; null: the node itself (root).
export type CurrentAccount = AccountName | null;

const done: StatementResult = { columns: [], rows: [], rowsAffected: 0, lastInsertId: null };

// MySQL's root account, which a node with no accounts stands for (users/DESIGN.md).
export const rootAccountName: AccountName = { user: 'root', host: '%' };

export function passwordHashes(password: string): { readonly nativeHash: Buffer; readonly sha2Hash: Buffer } {
  const bytes = Buffer.from(password, 'utf8');
  const sha1 = createHash('sha1').update(bytes).digest();
  const sha256 = createHash('sha256').update(bytes).digest();
  return { nativeHash: createHash('sha1').update(sha1).digest(), sha2Hash: createHash('sha256').update(sha256).digest() };
}

// A level written without a database (`*`, `t`) names the request's current one.
export function inDatabase(statement: AccountStatement, database: string): AccountStatement {
  if (statement.kind !== 'grant' && statement.kind !== 'revoke') return statement;
  return statement.level.database === '' ? { ...statement, level: { ...statement.level, database } } : statement;
}

export function executeAccountStatement(statement: AccountStatement, view: OverlayView, current: CurrentAccount): StatementResult {
  switch (statement.kind) {
    case 'create_user': {
      if (view.account(statement.account.user, statement.account.host) !== undefined) {
        if (statement.ifNotExists) return done;
        throw operationFailed('CREATE USER', statement.account);
      }
      view.putAccount({ ...statement.account, ...credentials(statement.password, statement.plugin), grants: [] });
      return done;
    }
    case 'alter_user': {
      const account = view.account(statement.account.user, statement.account.host);
      if (account === undefined) {
        if (statement.ifExists) return done;
        throw operationFailed('ALTER USER', statement.account);
      }
      view.putAccount({ ...account, ...credentials(statement.password, statement.plugin ?? account.plugin) });
      return done;
    }
    case 'drop_user': {
      // All or none: MySQL names every account that failed, and drops none of them here.
      const missing = statement.accounts.filter((name) => view.account(name.user, name.host) === undefined);
      if (missing.length > 0 && !statement.ifExists) throw operationFailed('DROP USER', ...missing);
      for (const name of statement.accounts) {
        const account = view.account(name.user, name.host);
        if (account !== undefined) view.dropAccount(account);
      }
      return done;
    }
    case 'grant': {
      const account = existingAccount(view, statement.account);
      checkLevel(view, statement.level);
      view.putAccount({ ...account, grants: granted(account.grants, statement.level, statement.privileges) });
      return done;
    }
    case 'revoke': {
      const account = existingAccount(view, statement.account);
      view.putAccount({ ...account, grants: revoked(account, statement.level, statement.privileges) });
      return done;
    }
    case 'show_grants':
      return showGrants(view, statement.account ?? current);
  }
}

function credentials(password: string | null, plugin: AuthPlugin): Pick<AccountDef, 'plugin' | 'nativeHash' | 'sha2Hash'> {
  if (password === null || password === '') return { plugin, nativeHash: null, sha2Hash: null };
  return { plugin, ...passwordHashes(password) };
}

function existingAccount(view: OverlayView, name: AccountName): AccountDef {
  const account = view.account(name.user, name.host);
  if (account === undefined) throw new TideError('ACCOUNT_NOT_FOUND', `there is no account ${accountText(name)}; CREATE USER it first`);
  return account;
}

// A table-level grant names a table that exists, as MySQL requires.
function checkLevel(view: OverlayView, level: GrantLevel): void {
  if (level.database === null || level.table === null) return;
  if (view.table(level.database, level.table) === undefined && view.viewDef(level.database, level.table) === undefined) {
    throw new TideError('TABLE_NOT_FOUND', `table '${level.database}.${level.table}' does not exist`);
  }
}

function sameLevel(grant: GrantDef, level: GrantLevel): boolean {
  return grant.database === level.database && grant.table === level.table;
}

function granted(grants: readonly GrantDef[], level: GrantLevel, privileges: readonly Privilege[]): readonly GrantDef[] {
  const held = grants.find((grant) => sameLevel(grant, level))?.privileges ?? [];
  const union = privilegeNames.filter((name) => held.includes(name) || privileges.includes(name));
  return [...grants.filter((grant) => !sameLevel(grant, level)), { database: level.database, table: level.table, privileges: union }];
}

function revoked(account: AccountDef, level: GrantLevel, privileges: readonly Privilege[]): readonly GrantDef[] {
  const held = account.grants.find((grant) => sameLevel(grant, level));
  // As MySQL: global privileges are the account's own, so revoking unheld ones is no error.
  if (held === undefined && level.database === null) return account.grants;
  if (held === undefined) {
    const name = { user: account.user, host: account.host };
    if (level.table !== null) throw new TideError('TABLE_GRANT_NOT_FOUND', `there is no such grant defined for ${accountText(name)} on table '${level.table}'`);
    throw new TideError('GRANT_NOT_FOUND', `there is no such grant defined for ${accountText(name)} on ${levelText(level)}`);
  }
  const kept = held.privileges.filter((name) => !privileges.includes(name));
  const others = account.grants.filter((grant) => !sameLevel(grant, level));
  return kept.length === 0 ? others : [...others, { ...held, privileges: kept }];
}

// As MySQL: a USAGE line for an account without global privileges, then one line per level,
// global first, then databases, then tables, each by name.
function showGrants(view: OverlayView, name: CurrentAccount): StatementResult {
  const target = name ?? rootAccountName;
  const account = view.account(target.user, target.host);
  let grants: readonly GrantDef[];
  if (account !== undefined) grants = account.grants;
  else if (name === null) grants = [{ database: null, table: null, privileges: privilegeNames }];
  else throw new TideError('GRANT_NOT_FOUND', `there is no such grant defined for ${accountText(target)}`);
  const ordered = [...grants].sort((a, b) => levelRank(a) - levelRank(b) || levelText(a).localeCompare(levelText(b)));
  const lines = ordered.map((grant) => `GRANT ${privilegesText(grant.privileges)} ON ${levelText(grant)} TO ${accountText(target)}`);
  if (!grants.some((grant) => grant.database === null)) lines.unshift(`GRANT USAGE ON *.* TO ${accountText(target)}`);
  return { columns: [`Grants for ${target.user}@${target.host}`], rows: lines.map((line) => [line]), rowsAffected: 0, lastInsertId: null };
}

function levelRank(level: GrantLevel): number {
  return level.database === null ? 0 : level.table === null ? 1 : 2;
}

function privilegesText(privileges: readonly Privilege[]): string {
  return privileges.length === privilegeNames.length ? 'ALL PRIVILEGES' : privileges.join(', ');
}

export function levelText(level: GrantLevel): string {
  if (level.database === null) return '*.*';
  return `${quoted(level.database)}.${level.table === null ? '*' : quoted(level.table)}`;
}

export function accountText(name: AccountName): string {
  return `${quoted(name.user)}@${quoted(name.host)}`;
}

function quoted(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

// MySQL's 1396: names every account the statement failed for.
function operationFailed(operation: string, ...accounts: readonly AccountName[]): TideError {
  return new TideError('ACCOUNT_OPERATION_FAILED', `Operation ${operation} failed for ${accounts.map((name) => `'${name.user}'@'${name.host}'`).join(',')}`);
}
