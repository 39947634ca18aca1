// A value's text as the text protocol sends it, and as a column announced as text holds a
// value of another class.
import type { Value } from '../storage/types.js';

export function textOf(value: Exclude<Value, null | Uint8Array>): string {
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') return doubleText(value);
  return String(value);
}

// MySQL prints a DOUBLE with up to 17 significant digits and no exponent below 1e15.
function doubleText(value: number): string {
  return Number.isInteger(value) && Math.abs(value) < 1e15 ? value.toFixed(0) : String(value);
}
