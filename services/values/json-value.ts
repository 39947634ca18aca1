// The JSON form of SQL values, for results and parameters over HTTP (the HTTP layer calls these;
// DESIGN.md of services/values has the table). Exact types travel as text so that no JSON
// parser turns them into a double: a DECIMAL as its decimal string ("12.50", its scale kept),
// dates and times as MySQL's text form in UTC ("2023-07-04", "10:20:30", "2023-07-04 10:20:30.5").
// Integers stay JSON numbers written from their digits (http/json-body.ts keeps all 64 bits).
import { TideError } from '../base/errors.js';
import type { ColumnDef, Value } from '../storage/types.js';
import { assignToColumn, isValueColumnType } from './column-assignment.js';
import { Decimal, formatDecimal } from './decimal.js';
import { JsonDocument } from './json-document.js';
import { SqlDate, SqlDateTime, SqlTime, formatDate, formatDateTime, formatTime } from './temporal.js';

export type JsonValue = null | bigint | number | string | boolean;

export function toJsonValue(value: Value): JsonValue {
  if (value instanceof Decimal) return formatDecimal(value);
  if (value instanceof SqlDate) return formatDate(value);
  if (value instanceof SqlDateTime) return formatDateTime(value);
  if (value instanceof SqlTime) return formatTime(value);
  // BINARY, VARBINARY, BLOB: base64, as the HTTP contract says.
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  // A JSON document's text: http/json-body.ts embeds it as JSON rather than as a string.
  if (value instanceof JsonDocument) return value.text;
  return value;
}

// A parameter from a JSON request. JSON integers within 2^53 are exact SQL integers; other
// numbers are DOUBLEs (a larger integer was already rounded by JSON parsing: send it as a
// string). Text stays text until it meets a type: given the column a parameter is assigned to,
// a DECIMAL or temporal column reads it exactly ("0.10" is the DECIMAL 0.10, never a double),
// with that column's checks and error codes.
export function fromJsonParam(param: unknown, column?: ColumnDef): Value {
  const value = primitive(param);
  if (value === null || column === undefined || !isValueColumnType(column.type)) return value;
  return assignToColumn(column as ColumnDef & { readonly type: typeof column.type }, value);
}

function primitive(param: unknown): Value {
  if (param === null || typeof param === 'string' || typeof param === 'boolean') return param;
  if (typeof param === 'number') return Number.isSafeInteger(param) ? BigInt(param) : param;
  throw new TideError('REQUEST_INVALID', `a parameter must be a JSON string, number, boolean or null, not ${Array.isArray(param) ? 'an array' : typeof param}`);
}
