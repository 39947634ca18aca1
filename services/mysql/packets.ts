// The server's packets, encoded to the protocol's spec (MySQL's "Client/Server Protocol"
// pages): the greeting, OK/ERR/EOF, authentication switches, result set column definitions
// and rows in the text and the binary protocol, and the prepare-OK reply. Payloads only:
// packet-stream.ts frames them.
import type { Value } from '../storage/types.js';
import { Decimal } from '../values/decimal.js';
import { civilFromDays, microsPerDay, microsPerSecond, splitDateTime, SqlDate, SqlDateTime, SqlTime } from '../values/temporal.js';
import type { ResultColumn } from './result-columns.js';
import { MysqlType, utf8mb4CollationId } from './result-columns.js';
import { textOf } from './value-text.js';
import { PayloadWriter } from './wire.js';

// Capability flags (mysql_com.h CLIENT_*).
export const Capability = {
  LONG_PASSWORD: 0x1,
  FOUND_ROWS: 0x2,
  LONG_FLAG: 0x4,
  CONNECT_WITH_DB: 0x8,
  PROTOCOL_41: 0x200,
  INTERACTIVE: 0x400,
  SSL: 0x800,
  TRANSACTIONS: 0x2000,
  SECURE_CONNECTION: 0x8000,
  MULTI_RESULTS: 0x2_0000,
  PLUGIN_AUTH: 0x8_0000,
  CONNECT_ATTRS: 0x10_0000,
  PLUGIN_AUTH_LENENC_CLIENT_DATA: 0x20_0000,
  SESSION_TRACK: 0x80_0000,
} as const;

// Server status flags (mysql_com.h SERVER_STATUS_*).
export const serverStatusInTransaction = 0x1;
export const serverStatusAutocommit = 0x2;

export interface Greeting {
  readonly serverVersion: string;
  readonly connectionId: number;
  readonly scramble: Buffer; // 20 bytes, none of them NUL
  readonly capabilities: number;
  readonly statusFlags: number;
  readonly authPlugin: string;
}

// Protocol::HandshakeV10.
export function greetingPacket(greeting: Greeting): Buffer {
  return new PayloadWriter()
    .int1(10)
    .nulTerminated(greeting.serverVersion)
    .int4(greeting.connectionId)
    .bytes(greeting.scramble.subarray(0, 8))
    .int1(0)
    .int2(greeting.capabilities & 0xffff)
    .int1(utf8mb4CollationId)
    .int2(greeting.statusFlags)
    .int2(greeting.capabilities >>> 16)
    .int1(greeting.scramble.length + 1)
    .zeros(10)
    .nulTerminated(greeting.scramble.subarray(8))
    .nulTerminated(greeting.authPlugin)
    .finish();
}

export interface OkFields {
  readonly affectedRows: number;
  readonly lastInsertId: bigint;
  readonly statusFlags: number;
  readonly warnings: number;
  readonly info?: string;
  // The client asked for CLIENT_SESSION_TRACK: the info is then always there, empty or not.
  readonly sessionTrack?: boolean;
}

// The info is length-encoded, as MySQL's and MariaDB's servers always write it and
// libmysqlclient and libmariadb always read it; the spec's unprefixed form (without
// CLIENT_SESSION_TRACK) is read only by drivers that follow the server's flags, such as mysql2,
// which is why the greeting offers CLIENT_SESSION_TRACK (no session state is ever sent). A
// client that asked for it may read the info without checking that it is there (as MySQL, it
// always is).
export function okPacket(fields: OkFields): Buffer {
  const writer = new PayloadWriter().int1(0).lengthEncoded(fields.affectedRows).lengthEncoded(fields.lastInsertId).int2(fields.statusFlags).int2(fields.warnings);
  const info = fields.info ?? '';
  if (info !== '' || fields.sessionTrack === true) writer.lengthEncodedString(info);
  return writer.finish();
}

export function errorPacket(errno: number, sqlstate: string, message: string): Buffer {
  return new PayloadWriter().int1(0xff).int2(errno).bytes(Buffer.from(`#${sqlstate}`, 'ascii')).bytes(Buffer.from(message, 'utf8')).finish();
}

export function eofPacket(warnings: number, statusFlags: number): Buffer {
  if (warnings !== 0) return new PayloadWriter().int1(0xfe).int2(warnings).int2(statusFlags).finish();
  // A result set has two, most without warnings: made once per status and shared, so a caller
  // must never change the buffer (the connection copies it into its outgoing packets).
  let packet = quietEofPackets.get(statusFlags);
  if (packet === undefined) quietEofPackets.set(statusFlags, (packet = new PayloadWriter().int1(0xfe).int2(0).int2(statusFlags).finish()));
  return packet;
}

const quietEofPackets = new Map<number, Buffer>();

// Protocol::AuthSwitchRequest: the client restarts authentication with `plugin`.
export function authSwitchPacket(plugin: string, scramble: Buffer): Buffer {
  return new PayloadWriter().int1(0xfe).nulTerminated(plugin).nulTerminated(scramble).finish();
}

// Protocol::AuthMoreData: caching_sha2_password's status bytes and its public key.
export function authMoreDataPacket(data: Buffer): Buffer {
  return new PayloadWriter().int1(0x01).bytes(data).finish();
}

export function columnCountPacket(count: number): Buffer {
  // A result set's first packet, one byte for any count below 251: made once each and shared
  // (never to be changed, as eofPacket's).
  if (count < 0xfb) return (columnCountPackets[count] ??= Buffer.from([count]));
  return new PayloadWriter().lengthEncoded(count).finish();
}

const columnCountPackets: Buffer[] = [];

// Protocol::ColumnDefinition41.
// `database` and `table`: those of a COM_FIELD_LIST; a result column names its own, if any.
export function columnDefinitionPacket(column: ResultColumn, database = '', table = ''): Buffer {
  return new PayloadWriter()
    .lengthEncodedString('def')
    .lengthEncodedString(column.database ?? database)
    .lengthEncodedString(column.table ?? table)
    .lengthEncodedString(column.table ?? table)
    .lengthEncodedString(column.name)
    .lengthEncodedString(column.originalName ?? column.name)
    .lengthEncoded(0x0c)
    .int2(column.charset)
    .int4(column.length)
    .int1(column.type)
    .int2(column.flags)
    .int1(column.decimals)
    .zeros(2)
    .finish();
}

// ProtocolText::ResultsetRow: each value as its text, NULL as 0xfb, written where `writer` is:
// a result set's rows go straight into the connection's outgoing packets (packet-stream.ts
// appendWritten), without a buffer each.
export function writeTextRow(writer: PayloadWriter, row: readonly Value[]): void {
  for (const value of row) {
    if (value === null || value === undefined) writer.int1(0xfb);
    else if (value instanceof Uint8Array) writer.lengthEncodedBytes(value);
    else writer.lengthEncodedString(textOf(value));
  }
}

// ProtocolBinary::ResultsetRow: a NULL bitmap (offset 2), then each present value encoded as
// its column's type, written where `writer` is (as writeTextRow).
export function writeBinaryRow(writer: PayloadWriter, row: readonly Value[], columns: readonly ResultColumn[]): void {
  writer.int1(0);
  const bitmapAt = writer.offset;
  writer.zeros(Math.floor((columns.length + 7 + 2) / 8));
  for (let position = 0; position < row.length; position++) {
    const value = row[position];
    if (value === null || value === undefined) {
      const bit = position + 2;
      writer.orByte(bitmapAt + (bit >> 3), 1 << (bit & 7));
      continue;
    }
    writeBinaryValue(writer, value, columns[position]!);
  }
}

// Bytes of an integer type's binary form (MEDIUMINT's takes 4, as INT's).
const integerBytes: ReadonlyMap<number, 1 | 2 | 4 | 8> = new Map<number, 1 | 2 | 4 | 8>([[MysqlType.TINY, 1], [MysqlType.SHORT, 2], [MysqlType.INT24, 4], [MysqlType.LONG, 4], [MysqlType.LONGLONG, 8]]);

// `value` is of its column's class (result-columns.ts announces a computed column as the class
// its values were made, a table's column as its type); a value of any other class would be
// written in other bytes than the client reads for the type, and is refused as a bug of ours.
function writeBinaryValue(writer: PayloadWriter, value: Exclude<Value, null>, column: ResultColumn): void {
  const type = column.type;
  const width = integerBytes.get(type);
  if (width !== undefined) return void writer.intOfWidth(integerOf(value, column), width);
  switch (type) {
    case MysqlType.DOUBLE:
      if (typeof value === 'number') return void writer.double(value);
      break;
    case MysqlType.DATE:
      if (value instanceof SqlDate) return writeDate(writer, value.days, 0n);
      break;
    case MysqlType.DATETIME:
    case MysqlType.TIMESTAMP:
      if (value instanceof SqlDateTime) {
        const { days, timeMicros } = splitDateTime(value);
        return writeDate(writer, days, timeMicros);
      }
      break;
    case MysqlType.TIME:
      if (value instanceof SqlTime) return writeTime(writer, value.micros);
      break;
    default:
      // The string-like types (text, bytes, DECIMAL, JSON): a length-encoded string.
      if (value instanceof Uint8Array) return void writer.lengthEncodedBytes(value);
      return void writer.lengthEncodedString(textOf(value));
  }
  throw mismatch(value, column);
}

// An integer type's value: a bigint, a boolean, an integral number, or the integral Decimal a
// BIGINT UNSIGNED column holds past 2^63 - 1. Never a value cut to fit.
function integerOf(value: Exclude<Value, null>, column: ResultColumn): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'boolean') return value ? 1n : 0n;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (value instanceof Decimal && value.unscaled % 10n ** BigInt(value.scale) === 0n) return value.unscaled / 10n ** BigInt(value.scale);
  throw mismatch(value, column);
}

function mismatch(value: Exclude<Value, null>, column: ResultColumn): Error {
  return new Error(`result column '${column.name}' of type ${column.type} was given a value of another class (${value.constructor.name})`);
}

// DATE and DATETIME: the shortest of the 0/4/7/11-byte forms that holds the value.
function writeDate(writer: PayloadWriter, days: number, timeMicros: bigint): void {
  const { year, month, day } = civilFromDays(days);
  const seconds = Number(timeMicros / microsPerSecond);
  const micros = Number(timeMicros % microsPerSecond);
  if (micros !== 0) writer.int1(11);
  else if (seconds !== 0) writer.int1(7);
  else return void writer.int1(4).int2(year).int1(month).int1(day);
  writer.int2(year).int1(month).int1(day).int1(Math.floor(seconds / 3600)).int1(Math.floor(seconds / 60) % 60).int1(seconds % 60);
  if (micros !== 0) writer.int4(micros);
}

// TIME: sign, days, hours, minutes, seconds and microseconds (0/8/12 bytes).
function writeTime(writer: PayloadWriter, signedMicros: bigint): void {
  const negative = signedMicros < 0n;
  const total = negative ? -signedMicros : signedMicros;
  if (total === 0n) return void writer.int1(0);
  const days = Number(total / microsPerDay);
  const seconds = Number((total % microsPerDay) / microsPerSecond);
  const micros = Number(total % microsPerSecond);
  writer.int1(micros === 0 ? 8 : 12).int1(negative ? 1 : 0).int4(days).int1(Math.floor(seconds / 3600)).int1(Math.floor(seconds / 60) % 60).int1(seconds % 60);
  if (micros !== 0) writer.int4(micros);
}

// COM_STMT_PREPARE_OK. Parameters are announced by count with VARCHAR definitions (their types
// are the client's to choose at execute); result columns are announced at execute, where
// their types are known, so the reply says 0 columns.
export function prepareOkPacket(statementId: number, paramCount: number, columnCount: number): Buffer {
  return new PayloadWriter().int1(0).int4(statementId).int2(columnCount).int2(paramCount).int1(0).int2(0).finish();
}
