// Encoding of a change batch as the bytes of a Raft entry. The same bytes are decoded on every
// replica, so decoding is a pure function of them and of the catalog the entry applies to.
//
// Layout: a 4-byte length and a MessagePack header, then one frame per change (a 4-byte
// length and the change as MessagePack). Frames let a big batch be encoded and decoded a
// change at a time, yielding to the event loop between (base/time-slice.ts), instead of in one
// call whose time grows with the batch; the header says up front how many changes follow and
// whether any touches the catalog, so apply can choose how to run before decoding them.
// The header names the batch format; each row change names the schema version of its table
// that its images are in, and is decoded with that version's definition.
import { AssertionError, assert } from '../base/assert.js';
import { runToEnd } from '../base/time-slice.js';
import type { Steps } from '../base/time-slice.js';
import { packr, restoreRow } from './row-codec.js';
import type { BatchChange, ChangeBatch, Row, TableDef } from './types.js';

// The layout of a batch entry. 1 was the framed layout before batches named their format and
// row changes their schema version; a Raft log holding such entries belongs to a data directory
// the store refuses (data-dir-format.ts), so meeting one here is a bug.
export const batchFormat = 2;

// Answers a version of a table's definition from the catalog as it stood before the batch.
export type TableVersionLookup = (id: number, version: number) => TableDef | undefined;

export interface BatchHeader {
  readonly format: number;
  readonly proposedAtMs: number;
  readonly changeCount: number;
  // True when every change is a row change (or moves an auto-increment counter).
  readonly rowsOnly: boolean;
  // True when a change builds or drops a secondary index, drops or truncates a table, or
  // rewrites one (an ALTER TABLE that converts its rows): work that grows with the table and so
  // always applies in slices. Absent otherwise.
  readonly indexWork?: true;
}

const lengthBytes = 4;

export function encodeBatch(batch: ChangeBatch): Buffer {
  return runToEnd(encodeBatchSteps(batch));
}

export function* encodeBatchSteps(batch: ChangeBatch): Steps<Buffer> {
  const rowsOnly = batch.changes.every((change) => change.kind === 'row' || change.kind === 'auto_increment');
  // Work over every row of a table, which apply must slice: an index build or drop, a table
  // drop or truncate, or a rewrite.
  const indexWork = batch.changes.some((change) => change.kind === 'create_index' || change.kind === 'drop_index' || change.kind === 'drop_table' || change.kind === 'truncate_table' || (change.kind === 'alter_table' && change.rewrite === true));
  const header: BatchHeader = { format: batchFormat, proposedAtMs: batch.proposedAtMs, changeCount: batch.changes.length, rowsOnly, ...(indexWork ? { indexWork } : {}) };
  const parts: Buffer[] = [framed(packr.pack(header))];
  for (const change of batch.changes) {
    yield;
    parts.push(framed(packr.pack(change)));
  }
  return Buffer.concat(parts);
}

export function decodeBatchHeader(bytes: Uint8Array): BatchHeader {
  const { frame } = readFrame(bytes, 0);
  const header = packr.unpack(frame) as BatchHeader;
  assert(header.format === batchFormat, `batch of format ${String(header.format ?? 1)}, expected ${batchFormat}`);
  assert(typeof header.proposedAtMs === 'number');
  assert(Number.isInteger(header.changeCount) && header.changeCount >= 0);
  assert(typeof header.rowsOnly === 'boolean');
  assert(header.indexWork === undefined || header.indexWork === true);
  return header;
}

// `tableVersion` answers from the catalog as it stood before this batch; table versions the
// batch itself creates are found in the batch.
export function decodeBatch(bytes: Uint8Array, tableVersion: TableVersionLookup): ChangeBatch {
  const header = decodeBatchHeader(bytes);
  const changes: BatchChange[] = [];
  for (const change of decodeChanges(bytes, header, tableVersion)) changes.push(change);
  return { proposedAtMs: header.proposedAtMs, changes };
}

// The batch's changes one at a time, each decoded only when asked for.
export function* decodeChanges(bytes: Uint8Array, header: BatchHeader, tableVersion: TableVersionLookup): Generator<BatchChange> {
  const created = new Map<string, TableDef>();
  // Consecutive row changes are mostly of one table version: the last one found is kept (a
  // version never changes meaning once it exists), and messages are built only on failure.
  let last: TableDef | undefined;
  const lookup = (id: number, version: number): TableDef => {
    if (last !== undefined && last.id === id && last.version === version) return last;
    const table = created.get(`${id}/${version}`) ?? tableVersion(id, version);
    if (table === undefined) throw new AssertionError(`batch names unknown table ${id} version ${version}`);
    // A lookup that ignores the version would decode with the wrong columns.
    if (table.id !== id || table.version !== version) throw new AssertionError(`table ${id} version ${version} answered as ${table.id} version ${table.version}`);
    return (last = table);
  };
  let offset = readFrame(bytes, 0).next;
  for (let at = 0; at < header.changeCount; at++) {
    const { frame, next } = readFrame(bytes, offset);
    offset = next;
    const change = packr.unpack(frame) as BatchChange;
    switch (change.kind) {
      case 'create_table':
      case 'alter_table':
      case 'create_index':
      case 'drop_index':
        created.set(`${change.table.id}/${change.table.version}`, change.table);
        yield change;
        break;
      case 'drop_table':
      case 'truncate_table':
      case 'create_database':
      case 'drop_database':
      case 'create_view':
      case 'drop_view':
      case 'drop_account':
        yield change;
        break;
      case 'put_account':
        // MessagePack hands binary back as a Uint8Array or a Buffer: as Buffers, always.
        yield { ...change, account: { ...change.account, nativeHash: asBuffer(change.account.nativeHash), sha2Hash: asBuffer(change.account.sha2Hash) } };
        break;
      case 'auto_increment':
        yield { ...change, next: BigInt(change.next) };
        break;
      case 'row': {
        const table = lookup(change.tableId, change.schemaVersion);
        yield { ...change, before: restoreImage(table, change.before), after: restoreImage(table, change.after) };
        break;
      }
      case 'rewritten_row':
        yield { ...change, row: restoreRow(lookup(change.tableId, change.schemaVersion), change.row) };
        break;
      default:
        assert(false, `unknown change kind in a batch`);
    }
  }
  assert(offset === bytes.length, 'bytes after the last change of a batch');
}

function framed(payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(lengthBytes + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  payload.copy(frame, lengthBytes);
  return frame;
}

function readFrame(bytes: Uint8Array, offset: number): { frame: Uint8Array; next: number } {
  assert(offset + lengthBytes <= bytes.length, 'a batch frame runs past the entry');
  const length = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).readUInt32BE(offset);
  const start = offset + lengthBytes;
  assert(start + length <= bytes.length, 'a batch frame runs past the entry');
  return { frame: bytes.subarray(start, start + length), next: start + length };
}

function asBuffer(bytes: Uint8Array | null): Buffer | null {
  return bytes === null ? null : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function restoreImage(table: TableDef, image: Row | null): Row | null {
  return image === null ? null : restoreRow(table, image);
}
