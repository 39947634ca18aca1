// Plans of SELECTs and of INSERT, REPLACE, UPDATE and DELETE, kept for the next run of the same
// parsed statement. Parsing is cached by text (parser.ts), so a client that repeats a statement
// — a prepared statement's every execute, an application's few queries — hands the planner the
// same tree each time, and binding it again was a third of a point read's time.
//
// A plan is a function of the tree, the default database and whatever the planner read from
// its view. It is kept only when the planner read nothing but the catalog (tables, views,
// databases' collations), which the view reports (`CatalogReads`): a statement whose planning
// read anything else — rows, row counts, accounts, LAST_INSERT_ID() — is planned every time.
// It is reused while the catalog's epoch (storage/store.ts) stands. What depends on the data
// (the access path a key's values give, a join's method by row counts) is chosen as the plan
// runs, and execution never changes a plan.
import type { Plan } from './plan.js';
import type { ReadView } from './read-view.js';
import type { AstNode } from './parser.js';

// The statements whose plans may be kept: a DML plan, like a SELECT's, is the tree bound to the
// catalog (which table, which columns, the expressions), and what it writes is decided as it
// runs. DDL is planned every time: it changes the epoch a kept plan stands on.
const keptKinds = new Set(['select', 'insert', 'replace', 'update', 'delete']);

export function keepsPlan(ast: AstNode): boolean {
  return keptKinds.has(ast['type'] as string);
}

export interface CachedPlan {
  readonly plan: Plan;
  readonly paramCount: number;
  // The tables and views the planner resolved, which a run's privilege check needs.
  readonly tables: readonly { readonly database: string; readonly name: string }[];
}

interface Entry extends CachedPlan {
  readonly epoch: number;
}

// Per tree (dropped with it once the parser's cache lets it go), per default database.
export class PlanCache {
  private readonly entries = new WeakMap<AstNode, Map<string, Entry>>();

  lookup(ast: AstNode, database: string, epoch: number): CachedPlan | undefined {
    const entry = this.entries.get(ast)?.get(database);
    return entry === undefined || entry.epoch !== epoch ? undefined : entry;
  }

  // Keeps the plan if its planning read only what `reads` allows.
  keep(ast: AstNode, database: string, epoch: number, reads: CatalogReads, planned: CachedPlan): void {
    if (reads.readOther) return;
    let byDatabase = this.entries.get(ast);
    if (byDatabase === undefined) this.entries.set(ast, (byDatabase = new Map()));
    byDatabase.set(database, { ...planned, epoch });
  }
}

// What the planner may read of its view and still make a plan that can be kept.
const catalogMethods = new Set<PropertyKey>(['table', 'viewDef', 'databaseCollation', 'createdDatabases']);

// Notes whether a planner touched anything of its view but the catalog (any other method or
// property, LAST_INSERT_ID() included).
export class CatalogReads {
  readOther = false;

  wrap(view: ReadView): ReadView {
    const reads = this;
    return new Proxy(view, {
      get(target, property) {
        if (!catalogMethods.has(property)) reads.readOther = true;
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }
}
