// Reads the chosen columns of a stored row (row-codec.ts) without unpacking the others. A scan
// that needs two of a table's columns walks past the rest of each row's MessagePack array by
// their headers, where unpacking the row whole would make a string of every text column. The
// values it decodes itself are the scalars rows hold (nil, booleans, integers, float64,
// strings), each to what msgpackr's unpack (row-codec.ts, packrOptions) gives, or for a 64-bit
// integer to a value restoreValue takes as the same (int64At); a needed value
// of any other kind (an extension type, binary, float32) is unpacked by msgpackr from its own
// bytes. MessagePack has no way to skip a value but by its header, which msgpackr does not
// expose.
import { assert } from '../base/assert.js';
import { copyingPackr, restoreValue, rowVersion, versionHeaderBytes } from './row-codec.js';
import type { Row, TableDef, Value } from './types.js';

// Per column position of a table, whether a reader needs its value; the others read as NULL.
export type ColumnMask = readonly boolean[];

// The row `bytes` holds, read as `table`, with the values of `needed` columns restored and
// null elsewhere; undefined when another version of the table wrote it (to be reshaped), or it
// holds what this reader does not walk (a nested array or map, which rows never hold): for the
// whole-row decoder to read.
export function decodeRowColumns(table: TableDef, bytes: Buffer, needed: ColumnMask): Row | undefined {
  if (rowVersion(bytes) !== table.version) return undefined;
  const columns = table.columns;
  let at = versionHeaderBytes;
  const header = bytes[at++]!;
  let count: number;
  if (header >= 0x90 && header <= 0x9f) count = header - 0x90;
  else if (header === 0xdc) {
    count = uint16At(bytes, at);
    at += 2;
  } else return undefined;
  if (count !== columns.length) return undefined;
  const row = new Array<Value>(count);
  for (let position = 0; position < count; position++) {
    const start = at;
    const token = bytes[at++]!;
    let raw: unknown;
    if (token < 0x80) raw = token;
    else if (token >= 0xe0) raw = token - 0x100;
    else if (token >= 0xa0 && token <= 0xbf) {
      at += token - 0xa0;
      raw = needed[position] === true ? bytes.toString('utf8', start + 1, at) : null;
    } else {
      switch (token) {
        case 0xc0:
          raw = null;
          break;
        case 0xc2:
          raw = false;
          break;
        case 0xc3:
          raw = true;
          break;
        case 0xcc:
          raw = bytes[at];
          at += 1;
          break;
        case 0xcd:
          raw = uint16At(bytes, at);
          at += 2;
          break;
        case 0xce:
          raw = int32At(bytes, at) >>> 0;
          at += 4;
          break;
        case 0xcf:
          raw = needed[position] === true ? int64At(bytes, at, int32At(bytes, at) >>> 0) : null;
          at += 8;
          break;
        case 0xd0:
          raw = (bytes[at]! << 24) >> 24;
          at += 1;
          break;
        case 0xd1:
          raw = (uint16At(bytes, at) << 16) >> 16;
          at += 2;
          break;
        case 0xd2:
          raw = int32At(bytes, at);
          at += 4;
          break;
        case 0xd3:
          raw = needed[position] === true ? int64At(bytes, at, int32At(bytes, at)) : null;
          at += 8;
          break;
        case 0xcb:
          raw = bytes.readDoubleBE(at);
          at += 8;
          break;
        case 0xd9:
        case 0xda:
        case 0xdb: {
          const length = token === 0xd9 ? bytes[at]! : token === 0xda ? uint16At(bytes, at) : int32At(bytes, at) >>> 0;
          at += (token === 0xd9 ? 1 : token === 0xda ? 2 : 4) + length;
          raw = needed[position] === true ? bytes.toString('utf8', at - length, at) : null;
          break;
        }
        default: {
          const end = endOfOther(bytes, token, at);
          if (end === undefined) return undefined;
          at = end;
          raw = needed[position] === true ? copyingPackr.unpack(bytes, { start, end }) : null;
        }
      }
    }
    row[position] = needed[position] === true ? restoreValue(columns[position]!.type, raw) : null;
  }
  assert(at === bytes.length, 'a stored row runs past its values');
  return row;
}

// A 64-bit integer whose high half is `high` (signed or not, as its type is): a number where
// that is exact, else a bigint. msgpackr gives a bigint either way (int64AsType); restoreValue
// makes the same value of both, and a number costs less to make.
function int64At(bytes: Buffer, at: number, high: number): number | bigint {
  const low = int32At(bytes, at + 4) >>> 0;
  if (high >= -exactHighBound && high < exactHighBound) return high * 2 ** 32 + low;
  return (BigInt(high) << 32n) + BigInt(low);
}

// |high| below 2^21: the integer is below 2^53 in magnitude, exact as a number.
const exactHighBound = 2 ** 21;

// Big-endian reads by index: Buffer's read methods check their arguments on every call, which
// costs more than the read. A row's bounds are checked once, at its end.
function uint16At(bytes: Buffer, at: number): number {
  return (bytes[at]! << 8) | bytes[at + 1]!;
}

function int32At(bytes: Buffer, at: number): number {
  return (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
}

// Where a value of a kind msgpackr decodes for this reader ends (`at` is just past its token):
// float32, binary and extension types; undefined for an array or a map.
function endOfOther(bytes: Buffer, token: number, at: number): number | undefined {
  switch (token) {
    case 0xca:
      return at + 4;
    case 0xc4:
      return at + 1 + bytes[at]!;
    case 0xc5:
      return at + 2 + bytes.readUInt16BE(at);
    case 0xc6:
      return at + 4 + bytes.readUInt32BE(at);
    case 0xd4:
      return at + 2;
    case 0xd5:
      return at + 3;
    case 0xd6:
      return at + 5;
    case 0xd7:
      return at + 9;
    case 0xd8:
      return at + 17;
    case 0xc7:
      return at + 2 + bytes[at]!;
    case 0xc8:
      return at + 3 + bytes.readUInt16BE(at);
    case 0xc9:
      return at + 5 + bytes.readUInt32BE(at);
    default:
      return undefined;
  }
}
