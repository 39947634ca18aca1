// Encoding of a change batch as the bytes of a Raft entry. The same bytes are decoded on every
// replica, so decoding is a pure function of them and of the catalog the entry applies to.
import { assert } from '../base/assert.js';
import { packr, restoreRow } from './row-codec.js';
import type { BatchChange, ChangeBatch, Row, TableDef } from './types.js';

export function encodeBatch(batch: ChangeBatch): Buffer {
  return packr.pack(batch);
}

// `tableById` answers from the catalog as it stood before this batch; tables the batch itself
// creates are found in the batch.
export function decodeBatch(bytes: Uint8Array, tableById: (id: number) => TableDef | undefined): ChangeBatch {
  const raw = packr.unpack(bytes) as { proposedAtMs: unknown; changes: unknown };
  assert(typeof raw.proposedAtMs === 'number');
  assert(Array.isArray(raw.changes));
  const created = new Map<number, TableDef>();
  const lookup = (id: number): TableDef => {
    const table = created.get(id) ?? tableById(id);
    assert(table !== undefined, `batch names unknown table ${id}`);
    return table;
  };
  const changes = (raw.changes as BatchChange[]).map((change): BatchChange => {
    switch (change.kind) {
      case 'create_table':
        created.set(change.table.id, change.table);
        return change;
      case 'drop_table':
        return change;
      case 'auto_increment':
        return { ...change, next: BigInt(change.next) };
      case 'row': {
        const table = lookup(change.tableId);
        return { ...change, before: restoreImage(table, change.before), after: restoreImage(table, change.after) };
      }
    }
  });
  return { proposedAtMs: raw.proposedAtMs, changes };
}

function restoreImage(table: TableDef, image: Row | null): Row | null {
  return image === null ? null : restoreRow(table, image);
}
