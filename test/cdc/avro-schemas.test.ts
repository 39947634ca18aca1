// Proves that a table's key, value and envelope schemas and the encoded events are exactly the
// golden fixtures (byte for byte), that stock avsc decoders read those bytes back, and that each
// schema version of a table encodes under its own ids with its own schema.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import avsc from 'avsc';
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../../services/base/assert.js';
import { envelopeSchema, keySchema, topicName, valueSchema } from '../../services/cdc/avro-schemas.js';
import { ChangeEncoder } from '../../services/cdc/change-encoder.js';
import { fixedSchemaId, keySchemaId, parseSchemaId, schemaIdTableIdMax, schemaIdVersionMax, valueSchemaId } from '../../services/cdc/schema-registry.js';
import { decodeWireFormat } from '../../services/cdc/wire-format.js';
import type { ChangeRecord, ColumnDef, TableDef } from '../../services/storage/types.js';
import { bigOrderId, fixtureConnectorVersion, ordersTable, ordersUpdate } from './fixtures/orders.js';
import { bigintLong } from './fixtures/bigint-long.js';

const updateFixtures = process.env['UPDATE_FIXTURES'] === '1';

// Compares with a file in fixtures/, or rewrites it under UPDATE_FIXTURES=1.
function expectFixture(name: string, actual: Buffer): void {
  const path = fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
  if (updateFixtures || !existsSync(path)) {
    expect(updateFixtures, `fixture ${name} is missing; run with UPDATE_FIXTURES=1`).toBe(true);
    writeFileSync(path, actual);
  }
  expect(actual.equals(readFileSync(path)), `${name} differs from the fixture`).toBe(true);
}

// Schemas are kept pretty-printed for review; the registry serves the compact form.
function schemaFixture(schema: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(schema, null, 2)}\n`);
}

// A stock decoder that only swaps avsc's number long for a bigint one: proves the bytes are
// plain Avro, not something that needs TideDB's own types.
function stockBigintType(schemaText: string): avsc.Type {
  return avsc.Type.forSchema(JSON.parse(schemaText) as avsc.Schema, { registry: { long: bigintLong } });
}

const encoder = new ChangeEncoder({ topicPrefix: 'tide', connectorVersion: fixtureConnectorVersion });

describe('schemas derived from a table', () => {
  it('match the golden key, value and envelope schemas', () => {
    expectFixture('orders.key.avsc', schemaFixture(keySchema(ordersTable, 'tide')));
    expectFixture('orders.value.avsc', schemaFixture(valueSchema(ordersTable, 'tide')));
    expectFixture('orders.envelope.avsc', schemaFixture(envelopeSchema(ordersTable, 'tide')));
  });

  it('maps every column type to its Avro type and nullable columns to a union with null', () => {
    const columns: ColumnDef[] = (['INT', 'BIGINT', 'DOUBLE', 'VARCHAR', 'TEXT', 'BOOLEAN'] as const).flatMap((type) => [
      { name: `${type.toLowerCase()}_required`, type, length: type === 'VARCHAR' ? 10 : null, nullable: false, autoIncrement: false },
      { name: `${type.toLowerCase()}_optional`, type, length: type === 'VARCHAR' ? 10 : null, nullable: true, autoIncrement: false },
    ]);
    const table: TableDef = { id: 1, version: 1, database: 'shop', name: 'all_types', columns, primaryKey: [0] };
    expect(valueSchema(table, 'tide').fields).toEqual([
      { name: 'int_required', type: 'int' },
      { name: 'int_optional', type: ['null', 'int'], default: null },
      { name: 'bigint_required', type: 'long' },
      { name: 'bigint_optional', type: ['null', 'long'], default: null },
      { name: 'double_required', type: 'double' },
      { name: 'double_optional', type: ['null', 'double'], default: null },
      { name: 'varchar_required', type: 'string' },
      { name: 'varchar_optional', type: ['null', 'string'], default: null },
      { name: 'text_required', type: 'string' },
      { name: 'text_optional', type: ['null', 'string'], default: null },
      { name: 'boolean_required', type: 'boolean' },
      { name: 'boolean_optional', type: ['null', 'boolean'], default: null },
    ]);
  });

  it('names the topic and namespaces <prefix>.<database>.<table>', () => {
    const inShop: TableDef = { ...ordersTable, database: 'shop' };
    expect(topicName('cdc.prod', inShop)).toBe('cdc.prod.shop.orders');
    expect(keySchema(inShop, 'cdc.prod').namespace).toBe('cdc.prod.shop.orders');
    expect(envelopeSchema(inShop, 'cdc.prod').namespace).toBe('cdc.prod.shop.orders');
  });

  it('derives schemas every stock avsc parses', () => {
    for (const schema of [keySchema(ordersTable, 'tide'), envelopeSchema(ordersTable, 'tide')]) {
      expect(() => avsc.Type.forSchema(JSON.parse(JSON.stringify(schema)) as avsc.Schema)).not.toThrow();
    }
  });
});

describe('an encoded change', () => {
  // ordersUpdate is the fourth change of its transaction and the second of its table there.
  const message = encoder.encode(ordersUpdate, ordersTable, { totalOrder: 4, dataCollectionOrder: 2 });

  it('matches the golden key and value bytes, in the Confluent wire format', () => {
    expect(message.topic).toBe('tide.app.orders');
    expectFixture('orders.key.bin', message.key);
    expectFixture('orders.value.bin', message.value);
    expect(decodeWireFormat(message.key)?.schemaId).toBe(keySchemaId(ordersTable.id, ordersTable.version));
    expect(decodeWireFormat(message.value)?.schemaId).toBe(valueSchemaId(ordersTable.id, ordersTable.version));
    // Table 3, version 1: 3 * 2048 + 1 * 2 (key) and + 1 (value).
    expect(message.key.subarray(0, 5)).toEqual(Buffer.from([0, 0, 0, 0x18, 0x02]));
    expect(message.value.subarray(0, 5)).toEqual(Buffer.from([0, 0, 0, 0x18, 0x03]));
  });

  it('keeps all 64 bits of a BIGINT beyond 2^53 and its nulls, read by a stock decoder with bigint longs', () => {
    const key = decodeWireFormat(message.key);
    const value = decodeWireFormat(message.value);
    expect(key).toBeDefined();
    expect(value).toBeDefined();
    expect({ ...stockBigintType(JSON.stringify(keySchema(ordersTable, 'tide'))).fromBuffer(key!.body) }).toEqual({
      region: 'eu',
      id: bigOrderId,
    });
    const envelope = stockBigintType(JSON.stringify(envelopeSchema(ordersTable, 'tide'))).fromBuffer(value!.body) as Record<string, unknown>;
    expect(JSON.parse(JSON.stringify(envelope, (_key, field: unknown) => (typeof field === 'bigint' ? `${field}n` : field)))).toEqual({
      before: { id: `${bigOrderId}n`, region: 'eu', quantity: 2, total: 19.5, paid: false, note: 'gift' },
      after: { id: `${bigOrderId}n`, region: 'eu', quantity: -3, total: null, paid: true, note: null },
      source: {
        version: '0.1.0',
        connector: 'tidedb',
        name: 'tide',
        ts_ms: '1700000000123n',
        snapshot: 'false',
        db: 'app',
        table: 'orders',
        txId: '42n',
        lsn: `${ordersUpdate.lsn}n`,
      },
      op: 'u',
      ts_ms: '1700000000123n',
      transaction: { id: '42', total_order: '4n', data_collection_order: '2n' },
    });
  });

  it('is decoded by a stock avsc Type.forSchema(JSON.parse(schema)) when values fit in 2^53', () => {
    const change: ChangeRecord = { ...ordersUpdate, op: 'c', before: null, after: [7n, 'us', 1n, 2.25, true, 'x'] };
    const encoded = encoder.encode(change, ordersTable);
    const keyType = avsc.Type.forSchema(JSON.parse(JSON.stringify(keySchema(ordersTable, 'tide'))) as avsc.Schema);
    const envelopeType = avsc.Type.forSchema(JSON.parse(JSON.stringify(envelopeSchema(ordersTable, 'tide'))) as avsc.Schema);
    expect({ ...keyType.fromBuffer(encoded.key.subarray(5)) }).toEqual({ region: 'us', id: 7 });
    const envelope = envelopeType.fromBuffer(encoded.value.subarray(5)) as Record<string, unknown>;
    expect(envelope['before']).toBeNull();
    expect({ ...(envelope['after'] as object) }).toEqual({ id: 7, region: 'us', quantity: 1, total: 2.25, paid: true, note: 'x' });
    expect((envelope['source'] as Record<string, unknown>)['lsn']).toBe(Number(ordersUpdate.lsn));
    expect(envelope['op']).toBe('c');
    // Without its place in the transaction, an event says nothing about the transaction.
    expect(envelope['transaction']).toBeNull();
  });

  it('encodes a delete with a null after image and the key from the before image', () => {
    const change: ChangeRecord = { ...ordersUpdate, op: 'd', before: ordersUpdate.after, after: null };
    const encoded = encoder.encode(change, ordersTable);
    expect(encoded.key).toEqual(message.key);
    const envelopeType = stockBigintType(JSON.stringify(envelopeSchema(ordersTable, 'tide')));
    const envelope = envelopeType.fromBuffer(encoded.value.subarray(5)) as Record<string, unknown>;
    expect(envelope['after']).toBeNull();
    expect(envelope['op']).toBe('d');
  });

  it('encodes the same change to the same bytes every time', () => {
    const again = new ChangeEncoder({ topicPrefix: 'tide', connectorVersion: fixtureConnectorVersion }).encode(ordersUpdate, ordersTable, { totalOrder: 4, dataCollectionOrder: 2 });
    expect(again).toEqual(message);
  });

  it('refuses values that do not fit their column', () => {
    const encode = (after: ChangeRecord['after']): unknown => encoder.encode({ ...ordersUpdate, op: 'c', before: null, after }, ordersTable);
    expect(() => encode([1n, 'eu', 2n ** 31n, null, true, null])).toThrow(AssertionError); // INT overflow
    expect(() => encode([1n, null, 1n, null, true, null])).toThrow(AssertionError); // null in NOT NULL
    expect(() => encode([1, 'eu', 1n, null, true, null])).toThrow(AssertionError); // number for BIGINT
    expect(() => encode([1n, 'eu', 1n, null, true])).toThrow(AssertionError); // column missing
  });
});

describe('schema ids per table version', () => {
  it('are distinct for every (table, version, role) and parse back', () => {
    const seen = new Set<number>();
    for (const tableId of [1, 2, 3, 1000, schemaIdTableIdMax]) {
      for (const version of [1, 2, 3, schemaIdVersionMax]) {
        const key = keySchemaId(tableId, version);
        const value = valueSchemaId(tableId, version);
        expect(parseSchemaId(key)).toEqual({ tableId, version, role: 'key' });
        expect(parseSchemaId(value)).toEqual({ tableId, version, role: 'value' });
        expect(value).toBeLessThanOrEqual(0x7fff_ffff);
        seen.add(key).add(value);
      }
    }
    expect(seen.size).toBe(5 * 4 * 2);
    // Version 0 names nothing; nor does anything outside int32. Table 0 holds the fixed
    // schemas (the transaction markers' at version 1), which no table's id can collide with.
    for (const id of [0, 1, 2048, 2049, 2 ** 31, -1, 1.5]) expect(parseSchemaId(id), String(id)).toBeUndefined();
    expect([fixedSchemaId(1, 'key'), fixedSchemaId(1, 'value')].map(parseSchemaId)).toEqual([{ tableId: 0, version: 1, role: 'key' }, { tableId: 0, version: 1, role: 'value' }]);
    for (const id of seen) expect(parseSchemaId(id)!.tableId).toBeGreaterThan(0);
  });

  it('refuse a table id or version beyond their bits (assert)', () => {
    expect(() => keySchemaId(schemaIdTableIdMax + 1, 1)).toThrow(AssertionError);
    expect(() => keySchemaId(1, schemaIdVersionMax + 1)).toThrow(AssertionError);
    expect(() => keySchemaId(1, 0)).toThrow(AssertionError);
  });

  // Version 2 of orders adds a nullable column: a new schema under new ids, readable by a
  // consumer holding version 2 for events written in version 1 (Avro schema resolution).
  const ordersV2: TableDef = {
    ...ordersTable,
    version: 2,
    columns: [...ordersTable.columns, { name: 'coupon', type: 'VARCHAR', length: 16, nullable: true, autoIncrement: false }],
  };

  it('encodes each record with the schema and ids of the version that wrote it', () => {
    const v1 = encoder.encode(ordersUpdate, ordersTable);
    const v2Change: ChangeRecord = { ...ordersUpdate, schemaVersion: 2, before: [...ordersUpdate.before!, null], after: [...ordersUpdate.after!, 'SPRING'] };
    const v2 = encoder.encode(v2Change, ordersV2);
    expect(decodeWireFormat(v2.key)?.schemaId).toBe(keySchemaId(3, 2));
    expect(decodeWireFormat(v2.value)?.schemaId).toBe(valueSchemaId(3, 2));
    expect(v1.topic).toBe(v2.topic);
    const v2Type = stockBigintType(JSON.stringify(envelopeSchema(ordersV2, 'tide')));
    const decoded = v2Type.fromBuffer(decodeWireFormat(v2.value)!.body) as { after: Record<string, unknown> };
    expect(decoded.after['coupon']).toBe('SPRING');
    // A version-1 event read by a consumer holding version 2: the new column reads its default.
    const v1Type = stockBigintType(JSON.stringify(envelopeSchema(ordersTable, 'tide')));
    const resolved = v2Type.fromBuffer(decodeWireFormat(v1.value)!.body, v2Type.createResolver(v1Type)) as { after: Record<string, unknown> };
    expect(resolved.after['coupon']).toBeNull();
    expect(resolved.after['quantity']).toBe(-3);
  });

  // RENAME TABLE is a version under the same id: events after it go to the new name's topic,
  // under the new version's schema ids, and name the new table in their source.
  it('encodes the records of a renamed version under the new name', () => {
    // Version 3: the encoder holds version 2 (the test above) by its ids, which never change meaning.
    const renamed: TableDef = { ...ordersTable, version: 3, database: 'shop', name: 'purchases' };
    const before = encoder.encode(ordersUpdate, ordersTable);
    const after = encoder.encode({ ...ordersUpdate, schemaVersion: 3 }, renamed);
    expect(before.topic).toBe(`tide.${ordersTable.database}.${ordersTable.name}`);
    expect(after.topic).toBe('tide.shop.purchases');
    expect(decodeWireFormat(after.value)?.schemaId).toBe(valueSchemaId(3, 3));
    const decoded = stockBigintType(JSON.stringify(envelopeSchema(renamed, 'tide'))).fromBuffer(decodeWireFormat(after.value)!.body) as { source: { db: string; table: string } };
    expect(decoded.source).toMatchObject({ db: 'shop', table: 'purchases' });
  });

  it('refuses a record encoded with another version than the one that wrote it (assert)', () => {
    expect(() => encoder.encode(ordersUpdate, ordersV2)).toThrow(AssertionError);
  });
});
