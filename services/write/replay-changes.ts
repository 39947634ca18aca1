// Writes a transaction's buffered row changes into an overlay view again, without running its
// statements: on the leader at commit (the batch is built from them), and on the node serving
// the transaction to merge a statement's changes or to roll back to a savepoint. Each change
// names its table's id and schema version; a table no longer live in that version, or a row
// whose presence is not what the change's before-image says, means the state moved under the
// transaction: a conflict, never a batch built on a wrong image.
import { TideError } from '../base/errors.js';
import type { OverlayView } from '../sql/overlay-view.js';
import type { ReadView } from '../sql/read-view.js';
import { encodeRowKey } from '../storage/key-codec.js';
import type { BatchChange, TableDef } from '../storage/types.js';

// `tables`: the live tables the changes may name, by id (liveTablesById of the view's state).
export function replayRowChanges(view: OverlayView, changes: readonly BatchChange[], tables: ReadonlyMap<number, TableDef>, options: { readonly checkBefore: boolean }): void {
  for (const change of changes) {
    if (change.kind !== 'row') throw new TideError('REQUEST_INVALID', `a transaction's changes are row changes only, not ${change.kind}`);
    const table = tables.get(change.tableId);
    if (table === undefined || table.version !== change.schemaVersion) {
      throw new TideError('TX_CONFLICT', `table ${change.tableId} changed since the transaction's snapshot; nothing was written, run it again`);
    }
    const image = change.after ?? change.before;
    if (image === null) throw new TideError('REQUEST_INVALID', 'a row change without images');
    if (options.checkBefore) {
      const key = encodeRowKey(table, change.before ?? image);
      if ((view.getRow(table, key) !== undefined) !== (change.before !== null)) {
        throw new TideError('TX_CONFLICT', `a row of table '${table.name}' changed since the transaction's snapshot; nothing was written, run it again`);
      }
    }
    view.writeRow(table, change.op, change.before, change.after);
  }
}

// The live tables of a view, by id (allTables lists dropped ones too).
export function liveTablesById(view: ReadView): Map<number, TableDef> {
  const tables = new Map<number, TableDef>();
  for (const table of view.allTables()) if (view.table(table.database, table.name)?.id === table.id) tables.set(table.id, table);
  return tables;
}
