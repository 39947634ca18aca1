// The column definitions a result set announces, so that clients decode each value as its type
// (mysql2 and PyMySQL turn LONGLONG into numbers, NEWDECIMAL into decimals, DATE/DATETIME into
// dates, binary BLOBs into bytes). A StatementResult carries column names and typed values,
// not declared column types, so the type of a column is read off the class of its values
// (services/storage/types.ts `Value`): each class maps to one MySQL type. A column with no
// non-NULL value in the result is announced as a VARCHAR, as which every client reads NULL.
import mysql2 from 'mysql2';
import type { Row, Value } from '../storage/types.js';
import { Decimal } from '../values/decimal.js';
import { JsonDocument } from '../values/json-document.js';
import { SqlDate, SqlDateTime, SqlTime } from '../values/temporal.js';

// MySQL's column type numbers (mysql2's table of them, mysql_com.h `enum_field_types`).
export const MysqlType = {
  TINY: mysql2.Types.TINY,
  LONGLONG: mysql2.Types.LONGLONG,
  DOUBLE: mysql2.Types.DOUBLE,
  NEWDECIMAL: mysql2.Types.NEWDECIMAL,
  DATE: mysql2.Types.DATE,
  TIME: mysql2.Types.TIME,
  DATETIME: mysql2.Types.DATETIME,
  VAR_STRING: mysql2.Types.VAR_STRING,
  BLOB: mysql2.Types.BLOB,
  JSON: mysql2.Types.JSON,
} as const;

// Collation ids: utf8mb4_general_ci for text (the connection's SET NAMES does not change what
// TideDB sends: always UTF-8), `binary` for numbers, dates and bytes.
export const utf8mb4CollationId = 45;
export const binaryCollationId = 63;

// Column flags (mysql_com.h).
const blobFlag = 16;
const binaryFlag = 128;
const numberFlag = 32_768;

export interface ResultColumn {
  readonly name: string;
  readonly type: number;
  readonly charset: number;
  readonly length: number;
  readonly flags: number;
  readonly decimals: number;
}

// Decimals value meaning "not fixed" for a DOUBLE (MySQL's NOT_FIXED_DEC).
const decimalsNotFixed = 31;

export function resultColumns(names: readonly string[], rows: readonly Row[]): ResultColumn[] {
  return names.map((name, position) => {
    const sample = rows.find((row) => row[position] !== null && row[position] !== undefined)?.[position] ?? null;
    return columnOf(name, sample);
  });
}

function columnOf(name: string, sample: Value): ResultColumn {
  const binary = { charset: binaryCollationId, flags: binaryFlag };
  const number = { charset: binaryCollationId, flags: binaryFlag | numberFlag };
  if (sample === null || typeof sample === 'string') return { name, type: MysqlType.VAR_STRING, charset: utf8mb4CollationId, length: 1_048_576, flags: 0, decimals: 0 };
  if (typeof sample === 'bigint') return { name, type: MysqlType.LONGLONG, ...number, length: 20, decimals: 0 };
  if (typeof sample === 'number') return { name, type: MysqlType.DOUBLE, ...number, length: 22, decimals: decimalsNotFixed };
  if (typeof sample === 'boolean') return { name, type: MysqlType.TINY, ...number, length: 1, decimals: 0 };
  if (sample instanceof Decimal) return { name, type: MysqlType.NEWDECIMAL, ...number, length: 67, decimals: sample.scale };
  if (sample instanceof SqlDate) return { name, type: MysqlType.DATE, ...binary, length: 10, decimals: 0 };
  if (sample instanceof SqlDateTime) return { name, type: MysqlType.DATETIME, ...binary, length: sample.fsp === 0 ? 19 : 20 + sample.fsp, decimals: sample.fsp };
  if (sample instanceof SqlTime) return { name, type: MysqlType.TIME, ...binary, length: sample.fsp === 0 ? 10 : 11 + sample.fsp, decimals: sample.fsp };
  if (sample instanceof JsonDocument) return { name, type: MysqlType.JSON, charset: binaryCollationId, flags: blobFlag | binaryFlag, length: 4_294_967_295, decimals: 0 };
  return { name, type: MysqlType.BLOB, charset: binaryCollationId, flags: blobFlag | binaryFlag, length: 65_535, decimals: 0 };
}
