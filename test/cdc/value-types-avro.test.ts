// Proves DECIMAL, DATE, TIME, DATETIME and TIMESTAMP columns reach Kafka as Avro's logical types
// (decimal bytes with precision and scale, date, time-micros, timestamp-micros) that a stock avsc
// decoder reads back to the exact values, in keys and in row images, nullable or not.
import avsc from 'avsc';
import { describe, expect, it } from 'vitest';
import { envelopeSchema, keySchema, valueSchema } from '../../services/cdc/avro-schemas.js';
import { ChangeEncoder } from '../../services/cdc/change-encoder.js';
import type { ChangeRecord, TableDef } from '../../services/storage/types.js';
import { Decimal, parseDecimal } from '../../services/values/decimal.js';
import { SqlDate, SqlDateTime, SqlTime, parseDate, parseDateTime, parseTime } from '../../services/values/temporal.js';
import { twosComplementToBigint } from '../../services/values/twos-complement.js';
import { columnDef } from '../support/column-def.js';

const column = columnDef;

const prices: TableDef = {
  id: 3,
  version: 1,
  database: 'shop',
  name: 'prices',
  columns: [
    column('sku', 'DECIMAL', { precision: 20, scale: 0 }),
    column('day', 'DATE'),
    column('amount', 'DECIMAL', { precision: 10, scale: 2 }),
    column('opens', 'TIME', { fsp: 0, nullable: true }),
    column('changed', 'DATETIME', { fsp: 6 }),
    column('seen', 'TIMESTAMP', { fsp: 3, nullable: true }),
  ],
  primaryKey: [0, 1],
};

const encoder = new ChangeEncoder({ topicPrefix: 'tide', connectorVersion: '0.0.0' });

function stockType(schema: unknown): avsc.Type {
  return avsc.Type.forSchema(JSON.parse(JSON.stringify(schema)) as avsc.Schema);
}

function change(after: ChangeRecord['after']): ChangeRecord {
  return { lsn: 1n << 20n, tableId: 3, schemaVersion: 1, op: 'c', before: null, after, tsMs: 1_700_000_000_000 };
}

describe('Avro logical types of the value columns', () => {
  it('declares decimal, date, time-micros and timestamp-micros in the schemas', () => {
    const fields = Object.fromEntries(valueSchema(prices, 'tide').fields.map((field) => [field.name, field.type]));
    expect(fields).toEqual({
      sku: { type: 'bytes', logicalType: 'decimal', precision: 20, scale: 0 },
      day: { type: 'int', logicalType: 'date' },
      amount: { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 },
      opens: ['null', { type: 'long', logicalType: 'time-micros' }],
      changed: { type: 'long', logicalType: 'timestamp-micros' },
      seen: ['null', { type: 'long', logicalType: 'timestamp-micros' }],
    });
    expect(keySchema(prices, 'tide').fields.map((field) => field.name)).toEqual(['sku', 'day']);
  });

  it('encodes values a stock decoder reads back exactly', () => {
    const after = [parseDecimal('18446744073709551615'), parseDate('2023-07-04'), new Decimal(-12_345n, 2), parseTime('-12:30:00', 0), parseDateTime('2023-07-04 10:20:30.123456', 6), null];
    const encoded = encoder.encode(change(after), prices);
    const key = stockType(keySchema(prices, 'tide')).fromBuffer(encoded.key.subarray(5)) as Record<string, unknown>;
    expect(twosComplementToBigint(key['sku'] as Buffer)).toBe(18_446_744_073_709_551_615n);
    expect(key['day']).toBe(parseDate('2023-07-04').days);
    const envelope = stockType(envelopeSchema(prices, 'tide')).fromBuffer(encoded.value.subarray(5)) as Record<string, unknown>;
    const row = envelope['after'] as Record<string, unknown>;
    expect(twosComplementToBigint(row['amount'] as Buffer)).toBe(-12_345n);
    expect(new Date((row['day'] as number) * 86_400_000).toISOString()).toBe('2023-07-04T00:00:00.000Z');
    expect(row['opens']).toBe(-45_000_000_000);
    expect(row['changed']).toBe(Date.UTC(2023, 6, 4, 10, 20, 30) * 1000 + 123_456);
    expect(row['seen']).toBeNull();
  });

  it('writes the decimal bytes as the shortest two\'s complement of the unscaled value', () => {
    const after = [new Decimal(128n, 0), new SqlDate(0), new Decimal(-1n, 2), null, new SqlDateTime(-1n, 6), new SqlDateTime(1_000_000n, 3)];
    const envelope = stockType(envelopeSchema(prices, 'tide')).fromBuffer(encoder.encode(change(after), prices).value.subarray(5)) as Record<string, unknown>;
    const row = envelope['after'] as Record<string, unknown>;
    expect([...(row['sku'] as Buffer)]).toEqual([0x00, 0x80]);
    expect([...(row['amount'] as Buffer)]).toEqual([0xff]);
    expect(row['changed']).toBe(-1);
    expect(row['seen']).toBe(1_000_000);
  });

  it('refuses a DECIMAL whose scale is not its column\'s (assert)', () => {
    const after = [new Decimal(1n, 0), new SqlDate(0), new Decimal(1n, 3), new SqlTime(0n, 0), new SqlDateTime(0n, 6), null];
    expect(() => encoder.encode(change(after), prices)).toThrow(/DECIMAL column amount/);
  });
});
