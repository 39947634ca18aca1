// What an account may do: a privilege on a table is held through a grant on `*.*`, on the
// table's database (`db.*`) or on the table itself, as in MySQL.
import type { AccountDef, Privilege } from '../storage/types.js';
import { privilegeNames } from '../storage/types.js';

// `table` null: a privilege on the database itself (CREATE DATABASE, DROP DATABASE), held
// through `*.*` or `db.*`.
export function holds(account: AccountDef, privilege: Privilege, database: string, table: string | null): boolean {
  return account.grants.some(
    (grant) => grant.privileges.includes(privilege) && (grant.database === null || (grant.database === database && (grant.table === null || grant.table === table))),
  );
}

// Account management (CREATE/ALTER/DROP USER, GRANT, REVOKE, SHOW GRANTS of another account)
// and the cluster's admin routes need every privilege on `*.*`: TideDB has no separate CREATE
// USER or GRANT OPTION privilege, so this is the one grant that implies all others.
export function isAdministrator(account: AccountDef): boolean {
  const global = account.grants.find((grant) => grant.database === null);
  return global !== undefined && privilegeNames.every((name) => global.privileges.includes(name));
}

// Whether the account holds anything in the database: what USE asks (MySQL's 1044 otherwise).
export function holdsAnyIn(account: AccountDef, database: string): boolean {
  return account.grants.some((grant) => grant.privileges.length > 0 && (grant.database === null || grant.database === database));
}
