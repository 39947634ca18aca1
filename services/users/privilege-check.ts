// The one place a statement's privileges are checked, called by the write path (sequencer.ts)
// between planning and execution, for every statement of every request, reads included: what
// the plan touches, the privilege each touch needs, and whether the requester's account holds
// it. A refusal is thrown before execution, so the statement changes nothing.
//
// Tables read are found by recording, while the statement is planned, every table and view the
// planner resolves by name (RecordingView): that covers joins, subqueries, CTE bodies and the
// tables under a view, which a view's query resolves when it is bound. Reading through a view
// needs SELECT on the view and on every table under it (services/users/DESIGN.md says why).
import { assertNever } from '../base/assert.js';
import { TideError } from '../base/errors.js';
import type { Plan } from '../sql/plan.js';
import type { ReadView } from '../sql/read-view.js';
import type { Privilege } from '../storage/types.js';
import { holds, holdsAnyIn, isAdministrator } from './privileges.js';
import { accountOf } from './route-privileges.js';

// Who runs a request: an account's user and host pattern, as its login matched them.
// Undefined stands for the node itself, or root on a node without accounts: no check.
export interface Principal {
  readonly user: string;
  readonly host: string;
}

interface TableName {
  readonly database: string;
  readonly name: string;
}

// Wraps a read view, noting every live table and view it is asked for by name.
export class RecordingView {
  private readonly seen = new Map<string, TableName>();

  wrap(view: ReadView): ReadView {
    const note = (database: string, name: string): void => {
      this.seen.set(`${database}.${name}`, { database, name });
    };
    return new Proxy(view, {
      get(target, property) {
        if (property === 'table') {
          return (database: string, name: string) => {
            const table = target.table(database, name);
            if (table !== undefined) note(database, name);
            return table;
          };
        }
        if (property === 'viewDef') {
          return (database: string, name: string) => {
            const found = target.viewDef(database, name);
            if (found !== undefined) note(database, name);
            return found;
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  tables(): readonly TableName[] {
    return [...this.seen.values()];
  }
}

// Throws TABLE_ACCESS_DENIED (1142), ACCESS_DENIED (1044) or ACCOUNT_ADMIN_DENIED (1227) when
// `principal` may not run `plan`; `read` are the tables and views its planning resolved.
export function checkPrivileges(plan: Plan, read: readonly TableName[], principal: Principal | undefined, view: ReadView): void {
  if (principal === undefined) return;
  const account = accountOf(principal, view);
  const need = (privilege: Privilege, database: string, table: string | null): void => {
    if (!holds(account, privilege, database, table)) throw tableAccessDenied(privilege, principal, database, table);
  };
  const readAllBut = (target: TableName | null, others: readonly TableName[] = []): void => {
    const targets = target === null ? others : [target, ...others];
    for (const table of read) if (!targets.some((one) => table.database === one.database && table.name === one.name)) need('SELECT', table.database, table.name);
  };
  switch (plan.kind) {
    case 'select':
    case 'explain':
    case 'show':
      return readAllBut(null);
    case 'insert':
    case 'update':
    case 'delete': {
      const target = { database: plan.table.database, name: plan.table.name };
      need(plan.kind === 'insert' ? 'INSERT' : plan.kind === 'update' ? 'UPDATE' : 'DELETE', target.database, target.name);
      return readAllBut(target);
    }
    // As MySQL: UPDATE (DELETE) on each target, SELECT on the tables only read.
    case 'multi_update':
    case 'multi_delete': {
      const targets = plan.targets.map(({ table }) => ({ database: table.database, name: table.name }));
      for (const target of targets) need(plan.kind === 'multi_update' ? 'UPDATE' : 'DELETE', target.database, target.name);
      return readAllBut(null, targets);
    }
    case 'create_table':
      return need('CREATE', plan.database, plan.name);
    case 'drop_table':
      for (const name of plan.names) need('DROP', plan.database, name);
      return;
    // MySQL's TRUNCATE needs DROP.
    case 'truncate_table':
      return need('DROP', plan.database, plan.name);
    // CREATE INDEX, DROP INDEX and an ALTER TABLE that only adds or drops indexes need INDEX.
    case 'alter_table':
      return need(plan.actions.every((action) => action.kind === 'add_index' || action.kind === 'drop_index') ? 'INDEX' : 'ALTER', plan.database, plan.name);
    case 'alter_foreign_keys':
      return need('ALTER', plan.database, plan.name);
    // As MySQL: ALTER and DROP on the old name, CREATE and INSERT on the new.
    case 'rename_tables':
      for (const { from, to } of plan.renames) {
        need('ALTER', from.database, from.name);
        need('DROP', from.database, from.name);
        need('CREATE', to.database, to.name);
        need('INSERT', to.database, to.name);
      }
      return;
    case 'create_database':
      return need('CREATE', plan.name, null);
    case 'drop_database':
      return need('DROP', plan.name, null);
    case 'create_view':
      need('CREATE', plan.view.database, plan.view.name);
      return readAllBut({ database: plan.view.database, name: plan.view.name });
    case 'drop_view':
      for (const name of plan.names) need('DROP', plan.database, name);
      return;
    case 'use':
      if (!holdsAnyIn(account, plan.database)) throw new TideError('ACCESS_DENIED', `Access denied for user '${principal.user}'@'${principal.host}' to database '${plan.database}'`);
      return;
    case 'account': {
      const statement = plan.statement;
      const own = statement.kind === 'show_grants' && (statement.account === null || (statement.account.user === principal.user && statement.account.host === principal.host));
      if (!own && !isAdministrator(account)) throw adminDenied(principal);
      return;
    }
    default:
      // A statement kind added without its privileges must not run unchecked.
      return assertNever(plan);
  }
}

export function adminDenied(principal: Principal): TideError {
  return new TideError('ACCOUNT_ADMIN_DENIED', `Access denied for user '${principal.user}'@'${principal.host}'; you need ALL PRIVILEGES ON *.* for this operation`);
}


export function tableAccessDenied(privilege: Privilege, principal: Principal, database: string, table: string | null): TideError {
  const what = table === null ? `database '${database}'` : `table '${database}.${table}'`;
  return new TideError('TABLE_ACCESS_DENIED', `${privilege} command denied to user '${principal.user}'@'${principal.host}' for ${what}`);
}
