// SELECTs run straight on a read view, for tests of what the engine reads and holds: a view of a
// store that counts the rows its scans hand out, and a query run with a given memory budget.
import { runToEnd } from '../../services/base/time-slice.js';
import { parseSql } from '../../services/sql/parser.js';
import { planStatement } from '../../services/sql/planner.js';
import type { ReadView } from '../../services/sql/read-view.js';
import type { SelectQuery } from '../../services/sql/select/logical-plan.js';
import { MemoryBudget } from '../../services/sql/select/memory-budget.js';
import { runSelect } from '../../services/sql/select/run-select.js';
import type { Store } from '../../services/storage/store.js';
import type { Row, TableDef } from '../../services/storage/types.js';

export function countingView(store: Store): { view: ReadView; scanned: () => number } {
  let count = 0;
  const view: ReadView = {
    table: (database, name) => store.table(database, name),
    allTables: () => store.allTables(),
    createdDatabases: () => store.createdDatabases(),
    databaseCollation: (name) => store.databaseCollation(name),
    viewDef: (database, name) => store.viewDef(database, name),
    allViews: () => store.allViews(),
    account: (user, host) => store.account(user, host),
    allAccounts: () => store.allAccounts(),
    rowCount: (tableId) => store.rowCount(tableId),
    tableCreatedAtMs: (tableId) => store.tableCreatedAtMs(tableId),
    storageTotals: () => store.storageTotals(),
    nextTableId: () => store.nextTableId(),
    autoIncrementNext: (tableId) => store.autoIncrementNext(tableId),
    getRow: (table, key) => store.getRow(table, key),
    scanIndex: (table, index, range) => store.scanIndex(table, index, range),
    *scanRows(table: TableDef) {
      for (const row of store.scanRows(table)) {
        count++;
        yield row;
      }
    },
  };
  return { view, scanned: () => count };
}

export function selectQuery(sql: string, view: ReadView): SelectQuery {
  const { plan } = planStatement(parseSql(sql)[0]!, view, 'app');
  if (plan.kind !== 'select') throw new Error('not a SELECT');
  return plan.query;
}

export function selectRows(sql: string, view: ReadView, budget = new MemoryBudget()): readonly Row[] {
  return runToEnd(runSelect(selectQuery(sql, view), [], view, budget)).rows;
}
