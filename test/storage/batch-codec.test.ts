// Proves a change batch survives encodeBatch → decodeBatch with row images retyped by their
// table, tables created earlier in the same batch resolved, and an unknown table rejected.
import { describe, expect, it } from 'vitest';
import { decodeBatch, encodeBatch } from '../../services/storage/batch-codec.js';
import type { ChangeBatch, TableDef } from '../../services/storage/types.js';

const accounts: TableDef = {
  id: 4,
  version: 1,
  database: 'bank',
  name: 'accounts',
  columns: [
    { name: 'id', type: 'BIGINT', length: null, nullable: false, autoIncrement: true },
    { name: 'balance', type: 'DOUBLE', length: null, nullable: true, autoIncrement: false },
    { name: 'owner', type: 'VARCHAR', length: 20, nullable: true, autoIncrement: false },
    { name: 'open', type: 'BOOLEAN', length: null, nullable: true, autoIncrement: false },
  ],
  primaryKey: [0],
};
const ledger: TableDef = {
  id: 5,
  version: 1,
  database: 'bank',
  name: 'ledger',
  columns: [
    { name: 'seq', type: 'INT', length: null, nullable: false, autoIncrement: false },
    { name: 'amount', type: 'DOUBLE', length: null, nullable: false, autoIncrement: false },
  ],
  primaryKey: [0],
};

const none = (): TableDef | undefined => undefined;

describe('batch codec', () => {
  it('restores row images by table: DOUBLE 1.0 a number, small BIGINT a bigint, 2^63-1 exact', () => {
    const batch: ChangeBatch = {
      proposedAtMs: 1_700_000_000_123,
      changes: [
        { kind: 'row', tableId: 4, schemaVersion: 1, op: 'c', before: null, after: [1n, 1.0, 'ann', true] },
        { kind: 'row', tableId: 4, schemaVersion: 1, op: 'u', before: [2n ** 63n - 1n, 2.5, null, false], after: [2n ** 63n - 1n, 3.0, 'bob', null] },
        { kind: 'row', tableId: 4, schemaVersion: 1, op: 'd', before: [-(2n ** 63n), -0.5, '', true], after: null },
        { kind: 'auto_increment', tableId: 4, next: 2n },
      ],
    };
    const decoded = decodeBatch(encodeBatch(batch), (id) => (id === 4 ? accounts : undefined));
    expect(decoded).toEqual(batch);
    const first = decoded.changes[0];
    expect(first?.kind === 'row' && typeof first.after?.[0]).toBe('bigint');
    expect(first?.kind === 'row' && typeof first.after?.[1]).toBe('number');
    const counter = decoded.changes[3];
    expect(counter?.kind === 'auto_increment' && typeof counter.next).toBe('bigint');
  });

  it('resolves tables created earlier in the same batch, with the catalog knowing none', () => {
    const batch: ChangeBatch = {
      proposedAtMs: 1,
      changes: [
        { kind: 'create_table', table: accounts },
        { kind: 'create_table', table: ledger },
        { kind: 'row', tableId: 4, schemaVersion: 1, op: 'c', before: null, after: [7n, 10.0, 'cy', false] },
        { kind: 'row', tableId: 5, schemaVersion: 1, op: 'c', before: null, after: [1n, 2.0] },
        { kind: 'drop_table', tableId: 5 },
      ],
    };
    const decoded = decodeBatch(encodeBatch(batch), none);
    expect(decoded).toEqual(batch);
  });

  it('rejects a row change naming a table neither the catalog nor the batch has (assert)', () => {
    const batch: ChangeBatch = { proposedAtMs: 1, changes: [{ kind: 'row', tableId: 9, schemaVersion: 1, op: 'c', before: null, after: [1n] }] };
    expect(() => decodeBatch(encodeBatch(batch), none)).toThrow();
  });

  it('decodes an empty batch', () => {
    expect(decodeBatch(encodeBatch({ proposedAtMs: 0, changes: [] }), none)).toEqual({ proposedAtMs: 0, changes: [] });
  });
});
