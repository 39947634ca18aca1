// COM_STMT_EXECUTE's parameters in the binary protocol: a NULL bitmap, the types (sent on the
// first execute, or whenever the client rebinds), then each value in its type's encoding.
// They become TideDB values as a literal of the same kind would: integers bigint, floats
// DOUBLE, dates and times their text (the engine converts text to the column's type exactly as
// it does a quoted literal), blobs bytes, everything else UTF-8 text — or, when its bytes are
// not UTF-8, those bytes (below).
import { isUtf8 } from 'node:buffer';
import type { Value } from '../storage/types.js';
import { MalformedPacket } from './wire.js';
import type { PayloadReader } from './wire.js';

export interface ParamType {
  readonly type: number;
  readonly unsigned: boolean;
}

// `previous`: the types of the last execute of the statement, used when the client sends none.
export function readExecuteParams(reader: PayloadReader, count: number, previous: readonly ParamType[] | null): { readonly values: Value[]; readonly types: readonly ParamType[] } {
  if (count === 0) return { values: [], types: [] };
  const bitmap = reader.bytes(Math.floor((count + 7) / 8));
  const newTypes = reader.int1() === 1;
  let types: readonly ParamType[];
  if (newTypes) {
    const read: ParamType[] = [];
    for (let index = 0; index < count; index++) {
      const type = reader.int1();
      const flags = reader.int1();
      read.push({ type, unsigned: (flags & 0x80) !== 0 });
    }
    types = read;
  } else if (previous !== null) {
    types = previous;
  } else {
    throw new MalformedPacket('COM_STMT_EXECUTE sent no parameter types on the statement\'s first execute');
  }
  const values: Value[] = [];
  for (let index = 0; index < count; index++) {
    const isNull = (bitmap[index >> 3]! & (1 << (index & 7))) !== 0;
    values.push(isNull ? null : readValue(reader, types[index]!));
  }
  return { values, types };
}

function readValue(reader: PayloadReader, param: ParamType): Value {
  switch (param.type) {
    case 1: // TINY
      return integer(reader.bytes(1), param.unsigned);
    case 2: // SHORT
    case 13: // YEAR
      return integer(reader.bytes(2), param.unsigned);
    case 3: // LONG
    case 9: // INT24
      return integer(reader.bytes(4), param.unsigned);
    case 8: // LONGLONG
      return integer(reader.bytes(8), param.unsigned);
    case 4: // FLOAT
      return reader.bytes(4).readFloatLE(0);
    case 5: // DOUBLE
      return reader.bytes(8).readDoubleLE(0);
    case 6: // NULL
      return null;
    case 7: // TIMESTAMP
    case 10: // DATE
    case 12: // DATETIME
      return dateText(reader.bytes(reader.int1()));
    case 11: // TIME
      return timeText(reader.bytes(reader.int1()));
    case 249: // TINY_BLOB
    case 250: // MEDIUM_BLOB
    case 251: // LONG_BLOB
    case 252: // BLOB
      return Buffer.from(reader.lengthEncodedBytes());
    default:
      // DECIMAL, NEWDECIMAL, VARCHAR, VAR_STRING, STRING, JSON, ENUM, SET, BIT, GEOMETRY.
      return textOrBytes(reader.lengthEncodedBytes());
  }
}

// Drivers send bytes with a string type (mysql2 a Uint8Array that is not a Buffer,
// go-sql-driver a []byte as STRING). Decoded with replacement, they would be stored changed in
// a binary column and accepted in a text one; kept as bytes, a binary column stores them as
// given and a text column refuses them (1366), as MySQL does.
function textOrBytes(bytes: Buffer): string | Buffer {
  return isUtf8(bytes) ? bytes.toString('utf8') : Buffer.from(bytes);
}

function integer(bytes: Buffer, unsigned: boolean): bigint {
  if (bytes.length === 8) return unsigned ? bytes.readBigUInt64LE(0) : bytes.readBigInt64LE(0);
  return BigInt(unsigned ? bytes.readUIntLE(0, bytes.length) : bytes.readIntLE(0, bytes.length));
}

function two(value: number): string {
  return String(value).padStart(2, '0');
}

function dateText(bytes: Buffer): string {
  if (bytes.length === 0) return '0000-00-00 00:00:00';
  if (bytes.length !== 4 && bytes.length !== 7 && bytes.length !== 11) throw new MalformedPacket(`a date parameter of ${bytes.length} bytes`);
  const date = `${String(bytes.readUInt16LE(0)).padStart(4, '0')}-${two(bytes[2]!)}-${two(bytes[3]!)}`;
  if (bytes.length === 4) return date;
  const time = `${date} ${two(bytes[4]!)}:${two(bytes[5]!)}:${two(bytes[6]!)}`;
  return bytes.length === 11 ? `${time}.${String(bytes.readUInt32LE(7)).padStart(6, '0')}` : time;
}

function timeText(bytes: Buffer): string {
  if (bytes.length === 0) return '00:00:00';
  if (bytes.length !== 8 && bytes.length !== 12) throw new MalformedPacket(`a time parameter of ${bytes.length} bytes`);
  const hours = bytes.readUInt32LE(1) * 24 + bytes[5]!;
  const text = `${bytes[0] === 1 ? '-' : ''}${two(hours)}:${two(bytes[6]!)}:${two(bytes[7]!)}`;
  return bytes.length === 12 ? `${text}.${String(bytes.readUInt32LE(8)).padStart(6, '0')}` : text;
}
