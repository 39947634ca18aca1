// A view of a base view plus changes not applied to it yet: those of one transaction while it
// executes, or of a batch proposed to Raft and waiting for apply. Reads see the changes; the
// changes are also recorded, in order, as the batch they will become.
import { assert } from '../base/assert.js';
import { encodeRowKey } from '../storage/key-codec.js';
import { qualifiedName } from '../storage/types.js';
import type { BatchChange, Row, RowOp, TableDef } from '../storage/types.js';
import type { ReadView } from './read-view.js';

interface RowVersion {
  readonly key: Buffer;
  readonly row: Row | null; // null: deleted here
}

export class OverlayView implements ReadView {
  private readonly changeList: BatchChange[] = [];
  private readonly createdTables = new Map<string, TableDef>();
  private readonly droppedTableIds = new Set<number>();
  private readonly rowsByTable = new Map<number, Map<string, RowVersion>>();
  private readonly autoIncrements = new Map<number, bigint>();
  private nextTableIdValue: number | null = null;

  // `base` is re-pointed when the view below this one is applied and leaves the stack.
  constructor(public base: ReadView) {}

  changes(): readonly BatchChange[] {
    return this.changeList;
  }

  // --- reads --------------------------------------------------------------------------------

  table(database: string, name: string): TableDef | undefined {
    const created = this.createdTables.get(qualifiedName(database, name));
    if (created !== undefined) return created;
    const table = this.base.table(database, name);
    return table === undefined || this.droppedTableIds.has(table.id) ? undefined : table;
  }

  allTables(): readonly TableDef[] {
    return [...this.base.allTables(), ...this.createdTables.values()];
  }

  nextTableId(): number {
    return this.nextTableIdValue ?? this.base.nextTableId();
  }

  autoIncrementNext(tableId: number): bigint {
    return this.autoIncrements.get(tableId) ?? this.base.autoIncrementNext(tableId);
  }

  getRow(table: TableDef, key: Buffer): Row | undefined {
    if (this.droppedTableIds.has(table.id)) return undefined;
    const version = this.rowsByTable.get(table.id)?.get(key.toString('latin1'));
    if (version !== undefined) return version.row ?? undefined;
    return this.base.getRow(table, key);
  }

  // Merges the base's rows with this overlay's, both in key order.
  *scanRows(table: TableDef): Generator<{ key: Buffer; row: Row }> {
    if (this.droppedTableIds.has(table.id)) return;
    const own = this.rowsByTable.get(table.id);
    if (own === undefined || own.size === 0) {
      yield* this.base.scanRows(table);
      return;
    }
    // latin1 strings compare in the same order as the bytes they hold.
    const ownKeys = [...own.keys()].sort();
    let next = 0;
    for (const base of this.base.scanRows(table)) {
      const baseKey = base.key.toString('latin1');
      for (; next < ownKeys.length && ownKeys[next]! <= baseKey; next++) {
        const version = own.get(ownKeys[next]!)!;
        if (version.row !== null) yield { key: version.key, row: version.row };
      }
      if (!own.has(baseKey)) yield base;
    }
    for (; next < ownKeys.length; next++) {
      const version = own.get(ownKeys[next]!)!;
      if (version.row !== null) yield { key: version.key, row: version.row };
    }
  }

  // --- writes -------------------------------------------------------------------------------

  createTable(table: TableDef): void {
    assert(table.id === this.nextTableId());
    assert(this.table(table.database, table.name) === undefined);
    this.createdTables.set(qualifiedName(table.database, table.name), table);
    this.nextTableIdValue = table.id + 1;
    this.changeList.push({ kind: 'create_table', table });
  }

  dropTable(table: TableDef): void {
    this.createdTables.delete(qualifiedName(table.database, table.name));
    this.droppedTableIds.add(table.id);
    this.rowsByTable.delete(table.id);
    this.changeList.push({ kind: 'drop_table', tableId: table.id });
  }

  setAutoIncrementNext(tableId: number, next: bigint): void {
    assert(next > this.autoIncrementNext(tableId));
    this.autoIncrements.set(tableId, next);
    this.changeList.push({ kind: 'auto_increment', tableId, next });
  }

  // Records one row change; `before` must be what this view holds for the key now.
  writeRow(table: TableDef, op: RowOp, before: Row | null, after: Row | null): void {
    const image = after ?? before;
    assert(image !== null);
    const key = encodeRowKey(table, image);
    let rows = this.rowsByTable.get(table.id);
    if (rows === undefined) this.rowsByTable.set(table.id, (rows = new Map()));
    rows.set(key.toString('latin1'), { key, row: after });
    this.changeList.push({ kind: 'row', tableId: table.id, schemaVersion: table.version, op, before, after });
  }
}
