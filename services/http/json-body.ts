// JSON serialization that keeps 64-bit integers exact: a bigint is written as its digits, a
// JSON number, where JSON.stringify would throw and a conversion to number would round. A
// DECIMAL or date/time value is written as its text (services/values/json-value.ts).
import { Decimal } from '../values/decimal.js';
import { JsonDocument } from '../values/json-document.js';
import { toJsonValue } from '../values/json-value.js';
import { SqlDate, SqlDateTime, SqlTime } from '../values/temporal.js';

export function toJson(value: unknown): string {
  // By typeof first: a result is mostly numbers and strings, and each class test below costs
  // as much as writing one of them.
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'number':
      // JSON has no NaN or Infinity; MySQL never produces them for a DOUBLE either.
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) return arrayJson(value);
      // A JSON column's document, embedded: its text parsed as JSON when it was written.
      if (value instanceof JsonDocument) return value.text;
      if (value instanceof Decimal || value instanceof SqlDate || value instanceof SqlDateTime || value instanceof SqlTime || value instanceof Uint8Array) return JSON.stringify(toJsonValue(value));
      return objectJson(value as Record<string, unknown>);
    }
    default:
      return 'null';
  }
}

// A plain object's own fields, those set (undefined ones left out, as JSON.stringify does); a
// response is a few of them around its rows, and entries, filter and map cost as much as the rows.
function objectJson(object: Record<string, unknown>): string {
  let text = '{';
  for (const key of Object.keys(object)) {
    const field = object[key];
    if (field === undefined) continue;
    text += (text.length === 1 ? '' : ',') + JSON.stringify(key) + ':' + toJson(field);
  }
  return text + '}';
}

function arrayJson(values: readonly unknown[]): string {
  let text = '[';
  for (let at = 0; at < values.length; at++) text += (at === 0 ? '' : ',') + toJson(values[at]);
  return text + ']';
}
