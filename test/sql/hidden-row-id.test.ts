// Proves that a table declared without a primary key is keyed by a hidden `_tidb_rowid`: ids come
// from the table's counter through the change batch, survive a reopen of the store, never show in
// `SELECT *`, and are the Kafka key of the table's change events under the registry's key schema.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avsc from 'avsc';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../services/base/errors.js';
import { keySchema, valueSchema } from '../../services/cdc/avro-schemas.js';
import { ChangeEncoder } from '../../services/cdc/change-encoder.js';
import { keySchemaId, SchemaRegistry } from '../../services/cdc/schema-registry.js';
import { decodeWireFormat } from '../../services/cdc/wire-format.js';
import type { StatementResult } from '../../services/sql/executor.js';
import { Store } from '../../services/storage/store.js';
import type { BatchChange, Row, TableDef, Value } from '../../services/storage/types.js';
import { bigintLong } from '../cdc/fixtures/bigint-long.js';
import { errorCodeOf, runOnStore } from './run-on-store.js';
import { rowChanges } from '../support/row-changes.js';

let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tidedb-rowid-'));
  store = Store.open(join(dir, 'db'));
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

// One statement in its own overlay, applied as the write path applies a one-statement transaction.
function run(sql: string, params: readonly Value[] = []): { result: StatementResult; changes: readonly BatchChange[] } {
  return runOnStore(store, sql, params, 1_700_000_000_000);
}

function rows(sql: string): readonly Row[] {
  return run(sql).result.rows;
}

function codeOf(sql: string): ErrorCode | 'no error' {
  return errorCodeOf(() => run(sql));
}

async function reopen(): Promise<void> {
  await store.close();
  store = Store.open(join(dir, 'db'));
}

function table(name: string): TableDef {
  const found = store.table('app', name);
  expect(found).toBeDefined();
  return found!;
}

describe('a table without a primary key', () => {
  it('gets a hidden BIGINT row id as its last column and whole key', () => {
    run('CREATE TABLE t1 (a INTEGER, b VARCHAR(8))');
    const t1 = table('t1');
    expect(t1.columns.map((column) => column.name)).toEqual(['a', 'b', '_tidb_rowid']);
    expect(t1.columns[2]).toEqual({ name: '_tidb_rowid', type: 'BIGINT', length: null, nullable: false, autoIncrement: false, hidden: true });
    expect(t1.primaryKey).toEqual([2]);
  });

  it('allocates ids 1, 2, 3 … from the counter, moved once per statement in the batch', () => {
    run('CREATE TABLE t1 (a INTEGER, b VARCHAR(8))');
    const { changes, result } = run("INSERT INTO t1 VALUES (10, 'x'), (10, 'x'), (NULL, NULL)");
    // Duplicate rows are fine: the row id tells them apart.
    expect(result.rowsAffected).toBe(3);
    expect(result.lastInsertId).toBeNull();
    expect(changes.filter((change) => change.kind === 'row').map((change) => change.kind === 'row' && change.after)).toEqual([
      [10n, 'x', 1n],
      [10n, 'x', 2n],
      [null, null, 3n],
    ]);
    expect(changes.filter((change) => change.kind === 'auto_increment')).toEqual([{ kind: 'auto_increment', tableId: 1, next: 4n }]);
    run("INSERT INTO t1 (b) VALUES ('y')");
    expect(rows('SELECT _tidb_rowid, a, b FROM t1')).toEqual([[1n, 10n, 'x'], [2n, 10n, 'x'], [3n, null, null], [4n, null, 'y']]);
  });

  it('never shows the row id in SELECT *, nor lets a client set it', () => {
    run('CREATE TABLE t1 (a INTEGER, b VARCHAR(8))');
    run("INSERT INTO t1 VALUES (1, 'one')");
    expect(run('SELECT * FROM t1').result).toMatchObject({ columns: ['a', 'b'], rows: [[1n, 'one']] });
    expect(codeOf('INSERT INTO t1 VALUES (2, "two", 9)')).toBe('VALUE_COUNT_MISMATCH'); // three values for two columns
    expect(codeOf('INSERT INTO t1 (a, _tidb_rowid) VALUES (2, 9)')).toBe('SQL_UNSUPPORTED');
    expect(codeOf('UPDATE t1 SET _tidb_rowid = 9')).toBe('SQL_UNSUPPORTED');
  });

  it('finds rows for UPDATE and DELETE by scanning, and keeps their ids', () => {
    run('CREATE TABLE t1 (x INTEGER, y VARCHAR(8))');
    run("INSERT INTO t1 VALUES (1, 'a'), (2, 'b'), (3, 'c'), (2, 'd')");
    expect(run("UPDATE t1 SET y = 'z' WHERE x = 2").result.rowsAffected).toBe(2);
    expect(run('DELETE FROM t1 WHERE x = 1').result.rowsAffected).toBe(1);
    expect(rows('SELECT _tidb_rowid, x, y FROM t1')).toEqual([[2n, 2n, 'z'], [3n, 3n, 'c'], [4n, 2n, 'z']]);
    // Ids of deleted rows are not reused.
    run("INSERT INTO t1 VALUES (5, 'e')");
    expect(rows('SELECT _tidb_rowid FROM t1 WHERE x = 5')).toEqual([[5n]]);
  });

  it('keeps rows and the counter across a reopen of the store', async () => {
    run('CREATE TABLE t1 (a INTEGER)');
    run('INSERT INTO t1 VALUES (1), (2)');
    await reopen();
    run('INSERT INTO t1 VALUES (3)');
    expect(rows('SELECT _tidb_rowid, a FROM t1')).toEqual([[1n, 1n], [2n, 2n], [3n, 3n]]);
    await reopen();
    expect(table('t1').columns[1]?.hidden).toBe(true);
    expect(rows('SELECT * FROM t1')).toEqual([[1n], [2n], [3n]]);
  });
});

describe('change events of a table without a primary key', () => {
  it('are keyed by the row id (one long field), with the row id left out of the value', () => {
    run('CREATE TABLE t1 (a INTEGER, b VARCHAR(8))');
    run("INSERT INTO t1 VALUES (7, 'seven')");
    run('UPDATE t1 SET a = 8');
    const t1 = table('t1');
    expect(keySchema(t1, 'tide').fields).toEqual([{ name: '_tidb_rowid', type: 'long' }]);
    expect(valueSchema(t1, 'tide').fields.map((field) => field.name)).toEqual(['a', 'b']);

    // The key schema a consumer fetches from the registry by the id in the message decodes it.
    const registry = new SchemaRegistry(store, 'tide');
    const encoder = new ChangeEncoder({ topicPrefix: 'tide', connectorVersion: '0.0.0-test' });
    const changes = rowChanges(store);
    expect(changes.map((change) => change.op)).toEqual(['c', 'u']);
    for (const change of changes) {
      const message = encoder.encode(change, store.tableVersion(change.tableId, change.schemaVersion)!);
      expect(message.topic).toBe('tide.app.t1');
      const key = decodeWireFormat(message.key)!;
      expect(key.schemaId).toBe(keySchemaId(t1.id, t1.version));
      const keyText = registry.schemaById(key.schemaId);
      expect(keyText).toBe(JSON.stringify(keySchema(t1, 'tide')));
      const keyType = avsc.Type.forSchema(JSON.parse(keyText!) as avsc.Schema, { registry: { long: bigintLong } });
      expect(keyType.fromBuffer(key.body)).toEqual({ _tidb_rowid: 1n });
      const value = decodeWireFormat(message.value)!;
      const envelopeType = avsc.Type.forSchema(JSON.parse(registry.schemaById(value.schemaId)!) as avsc.Schema, { registry: { long: bigintLong } });
      const envelope = envelopeType.fromBuffer(value.body) as { after: Record<string, unknown> };
      expect({ ...envelope.after }).toEqual({ a: change.op === 'c' ? 7 : 8, b: 'seven' });
    }
  });
});
