// The MessagePack form of DECIMAL, DATE, TIME and DATETIME/TIMESTAMP values in stored rows,
// changelog records and change batches: extension types that carry the value and its scale or
// fsp, so every codec that packs a row keeps them exact and self-describing without knowing
// about them. Registered with msgpackr once, for every Packr (it has no per-instance registry);
// the codes are part of the on-disk format (storage/DESIGN.md, "Rows").
import { addExtension } from 'msgpackr';
import { assert } from '../base/assert.js';
import { Decimal } from '../values/decimal.js';
import { JsonDocument } from '../values/json-document.js';
import { SqlDate, SqlDateTime, SqlTime } from '../values/temporal.js';
import { bigintToTwosComplement, twosComplementToBigint } from '../values/twos-complement.js';

// Application extension codes (0–127); msgpackr's own built-ins use letters (0x62 and up).
export const valueExtensionType = { decimal: 0x10, date: 0x11, time: 0x12, dateTime: 0x13, json: 0x14 } as const;

// [the document's text, UTF-8]
addExtension({
  Class: JsonDocument,
  type: valueExtensionType.json,
  pack: (value: JsonDocument) => Buffer.from(value.text, 'utf8'),
  unpack: (bytes: Uint8Array) => new JsonDocument(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')),
});

// [scale: u8][unscaled: two's complement BE, shortest]
addExtension({
  Class: Decimal,
  type: valueExtensionType.decimal,
  pack: (value: Decimal) => Buffer.concat([Buffer.from([value.scale]), bigintToTwosComplement(value.unscaled)]),
  unpack: (bytes: Uint8Array) => new Decimal(twosComplementToBigint(bytes.subarray(1)), bytes[0]!),
});

// [days since 1970-01-01: i32 BE]
addExtension({
  Class: SqlDate,
  type: valueExtensionType.date,
  pack: (value: SqlDate) => {
    const bytes = Buffer.alloc(4);
    bytes.writeInt32BE(value.days);
    return bytes;
  },
  unpack: (bytes: Uint8Array) => new SqlDate(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).readInt32BE(0)),
});

// [fsp: u8][microseconds: i64 BE], for TIME and for DATETIME/TIMESTAMP.
function addMicrosExtension<T extends SqlTime | SqlDateTime>(Class: new (micros: bigint, fsp: number) => T, type: number): void {
  addExtension({
    Class,
    type,
    pack: (value: T) => {
      const bytes = Buffer.alloc(9);
      bytes[0] = value.fsp;
      bytes.writeBigInt64BE(value.micros, 1);
      return bytes;
    },
    unpack: (bytes: Uint8Array) => {
      assert(bytes.length === 9, 'temporal value of the wrong length');
      return new Class(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).readBigInt64BE(1), bytes[0]!);
    },
  });
}

addMicrosExtension(SqlTime, valueExtensionType.time);
addMicrosExtension(SqlDateTime, valueExtensionType.dateTime);
