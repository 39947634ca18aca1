// Privileges of the HTTP routes that run no statement: a change stream needs SELECT on what
// it streams, the cluster's admin requests what account management needs.
import type { AccountDef } from '../storage/types.js';
import { adminDenied, tableAccessDenied } from './privilege-check.js';
import type { Principal } from './privilege-check.js';
import { holds, isAdministrator } from './privileges.js';

export interface AccountView {
  account(user: string, host: string): AccountDef | undefined;
}

// What a stream selects: the listed tables (`database.table`), or a whole database, or (both
// null) every table.
export interface StreamSelection {
  readonly tables: ReadonlySet<string> | null;
  readonly database: string | null;
}

// Listed tables need SELECT on each; a database's stream, which follows tables created later,
// needs SELECT on the database (`db.*` or `*.*`); a stream of everything, SELECT on `*.*`.
export function checkStreamPrivileges(principal: Principal | undefined, selection: StreamSelection, view: AccountView): void {
  if (principal === undefined) return;
  const account = accountOf(principal, view);
  if (selection.tables !== null) {
    for (const name of selection.tables) {
      const dot = name.indexOf('.');
      const [database, table] = [name.slice(0, dot), name.slice(dot + 1)];
      if (!holds(account, 'SELECT', database, table)) throw tableAccessDenied('SELECT', principal, database, table);
    }
    return;
  }
  if (selection.database !== null) {
    if (!holds(account, 'SELECT', selection.database, null)) throw tableAccessDenied('SELECT', principal, selection.database, null);
    return;
  }
  if (!account.grants.some((grant) => grant.database === null && grant.privileges.includes('SELECT'))) throw tableAccessDenied('SELECT', principal, '*', null);
}

export function checkAdministrator(principal: Principal | undefined, view: AccountView): void {
  if (principal !== undefined && !isAdministrator(accountOf(principal, view))) throw adminDenied(principal);
}

// An account dropped since its login holds nothing.
export function accountOf(principal: Principal, view: AccountView): AccountDef {
  return view.account(principal.user, principal.host) ?? { ...principal, plugin: 'caching_sha2_password', nativeHash: null, sha2Hash: null, grants: [] };
}
