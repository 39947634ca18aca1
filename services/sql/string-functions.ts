// The string functions of the MySQL dialect over evaluated arguments. Positions and lengths
// count characters (code points), never UTF-16 units; LENGTH, ASCII, ORD and HEX count UTF-8
// bytes, as MySQL does for utf8mb4. A number argument is read as its text, and a text where a
// count is wanted as the number it starts with.
import { stringResultCharsMax } from '../base/limits.js';
import type { Value } from '../storage/types.js';
import { Decimal, roundDecimal } from '../values/decimal.js';
import { strict } from './function-def.js';
import type { FunctionDef } from './function-def.js';
import { formatNumber, hexOfNumber, isNumeric } from './number-text.js';
import { compareValues, textOf, toNumeric } from './values.js';

type Present = Exclude<Value, null>;

function text(value: Present): string {
  return textOf(value);
}

function bytesOf(value: Present): Buffer {
  return value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : Buffer.from(text(value), 'utf8');
}

// A count or a position: the argument rounded half away from zero, as MySQL reads a fraction.
function integer(value: Present): number {
  if (value instanceof Decimal) return Number(roundDecimal(value, 0).unscaled);
  const number = Number(toNumeric(value));
  if (!Number.isFinite(number)) return 0;
  return Math.sign(number) * Math.round(Math.abs(number));
}

// SUBSTRING(s, pos[, len]): positions count from 1, a negative one from the end; 0 gives ''.
function substring(args: readonly Present[]): Value {
  const chars = [...text(args[0]!)];
  const position = integer(args[1]!);
  const length = args.length > 2 ? integer(args[2]!) : chars.length;
  if (position === 0 || length <= 0) return '';
  const start = position > 0 ? position - 1 : chars.length + position;
  if (start < 0 || start >= chars.length) return '';
  return chars.slice(start, start + length).join('');
}

// The 1-based character position of `part` in `whole` at or after character `from`, or 0.
function locate(part: string, whole: string, from = 1): bigint {
  const chars = [...whole];
  if (from < 1 || from > chars.length + 1) return 0n;
  const rest = chars.slice(from - 1).join('');
  const at = rest.indexOf(part);
  return at < 0 ? 0n : BigInt(from + [...rest.slice(0, at)].length);
}

// UPPER and LOWER map each character to one, as MySQL's case tables do: a character whose full
// Unicode mapping is several (ß → SS) stays as it is, except İ, whose lower case is i.
function mapCase(value: string, upper: boolean): string {
  let mapped = '';
  for (const char of value) {
    const full = upper ? char.toUpperCase() : char.toLowerCase();
    const chars = [...full];
    mapped += chars.length === 1 ? full : !upper && /^\p{M}+$/u.test(chars.slice(1).join('')) ? chars[0]! : char;
  }
  return mapped;
}

// TRIM's `remove` from the start, the end or both, as often as it repeats there.
function trimmed(value: string, remove: string, side: 'BOTH' | 'LEADING' | 'TRAILING'): string {
  if (remove === '') return value;
  let [start, end] = [0, value.length];
  if (side !== 'TRAILING') while (value.startsWith(remove, start)) start += remove.length;
  if (side !== 'LEADING') while (end - remove.length >= start && value.endsWith(remove, end)) end -= remove.length;
  return value.slice(start, end);
}

// SUBSTRING_INDEX: what comes before the `count`-th `delimiter`, or after it counting from the
// end when `count` is negative; the whole text when there are fewer.
function substringIndex(value: string, delimiter: string, count: number): string {
  if (delimiter === '' || count === 0) return '';
  const parts = value.split(delimiter);
  if (Math.abs(count) >= parts.length) return value;
  return count > 0 ? parts.slice(0, count).join(delimiter) : parts.slice(count).join(delimiter);
}

// MySQL's QUOTE: single quotes around the text, with \, ', NUL and Ctrl-Z escaped by a backslash.
function quoted(value: string): string {
  const escaped = value.replace(/[\\'\0\x1a]/g, (char) => (char === '\0' ? '\\0' : char === '\x1a' ? '\\Z' : `\\${char}`));
  return `'${escaped}'`;
}

// `part` `times` times; NULL past stringResultCharsMax, as MySQL answers NULL past
// max_allowed_packet rather than build the string.
function repeated(part: string, times: number): string | null {
  if (times <= 0 || part === '') return '';
  return part.length * times > stringResultCharsMax ? null : part.repeat(times);
}

// `value` cut or padded to `length` characters with `pad` on one side; NULL for a negative
// length, for padding needed but none given, or past stringResultCharsMax.
function padded(value: string, length: number, pad: string, side: 'left' | 'right'): string | null {
  if (length < 0 || length > stringResultCharsMax) return null;
  const chars = [...value];
  if (chars.length >= length) return chars.slice(0, length).join('');
  const padChars = [...pad];
  if (padChars.length === 0) return null;
  const needed = length - chars.length;
  const fill = Array.from({ length: needed }, (_, at) => padChars[at % padChars.length]).join('');
  return side === 'left' ? fill + value : value + fill;
}

const byteLength = strict(1, 1, ([value]) => BigInt(bytesOf(value!).byteLength));
const charLength = strict(1, 1, ([value]) => BigInt([...text(value!)].length));
const substringDef = strict(2, 3, substring);
const upper = strict(1, 1, ([value]) => mapCase(text(value!), true));
const lower = strict(1, 1, ([value]) => mapCase(text(value!), false));

export const stringFunctions: Readonly<Record<string, FunctionDef>> = {
  LENGTH: byteLength,
  OCTET_LENGTH: byteLength,
  CHAR_LENGTH: charLength,
  CHARACTER_LENGTH: charLength,
  UPPER: upper,
  UCASE: upper,
  LOWER: lower,
  LCASE: lower,
  CONCAT: strict(1, Infinity, (args) => args.map(text).join('')),
  CONCAT_WS: { min: 2, max: Infinity, fn: ([separator, ...rest]) => (separator === null || separator === undefined ? null : rest.filter((arg) => arg !== null).map((arg) => text(arg!)).join(text(separator))) },
  SUBSTRING: substringDef,
  SUBSTR: substringDef,
  MID: substringDef,
  LEFT: strict(2, 2, ([value, count]) => [...text(value!)].slice(0, Math.max(0, integer(count!))).join('')),
  RIGHT: strict(2, 2, ([value, count]) => {
    const chars = [...text(value!)];
    const take = Math.max(0, integer(count!));
    return take === 0 ? '' : chars.slice(-take).join('');
  }),
  // TRIM(s), or as the binder reads TRIM([BOTH | LEADING | TRAILING] [remove] FROM s): the text,
  // what to remove and from where.
  TRIM: strict(1, 3, ([value, remove, side]) => trimmed(text(value!), remove === undefined ? ' ' : text(remove), side === undefined ? 'BOTH' : (text(side) as 'BOTH' | 'LEADING' | 'TRAILING'))),
  LTRIM: strict(1, 1, ([value]) => trimmed(text(value!), ' ', 'LEADING')),
  RTRIM: strict(1, 1, ([value]) => trimmed(text(value!), ' ', 'TRAILING')),
  REVERSE: strict(1, 1, ([value]) => [...text(value!)].reverse().join('')),
  REPEAT: strict(2, 2, ([value, count]) => repeated(text(value!), integer(count!))),
  SPACE: strict(1, 1, ([count]) => repeated(' ', integer(count!))),
  LPAD: strict(3, 3, ([value, length, pad]) => padded(text(value!), integer(length!), text(pad!), 'left')),
  RPAD: strict(3, 3, ([value, length, pad]) => padded(text(value!), integer(length!), text(pad!), 'right')),
  REPLACE: strict(3, 3, ([value, from, to]) => (text(from!) === '' ? text(value!) : text(value!).split(text(from!)).join(text(to!)))),
  INSTR: strict(2, 2, ([value, part]) => locate(text(part!), text(value!))),
  // LOCATE(part, s[, from]), and POSITION(part IN s) as the binder reads it.
  LOCATE: strict(2, 3, ([part, value, from]) => locate(text(part!), text(value!), from === undefined ? 1 : integer(from))),
  SUBSTRING_INDEX: strict(3, 3, ([value, delimiter, count]) => substringIndex(text(value!), text(delimiter!), integer(count!))),
  // FIELD(s, a, b, …): the position of the first of a, b, … equal to s, or 0 (also for NULL).
  FIELD: {
    min: 2,
    max: Infinity,
    fn: ([sought, ...list]) => {
      if (sought === null || sought === undefined) return 0n;
      const at = list.findIndex((item) => item !== null && compareValues(sought, item!) === 0);
      return BigInt(at + 1);
    },
  },
  // FIND_IN_SET(s, 'a,b,c'): the position of s in the comma-separated list, or 0; a sought text
  // holding a comma is never found.
  FIND_IN_SET: strict(2, 2, ([sought, list]) => {
    const [needle, items] = [text(sought!), text(list!)];
    if (needle.includes(',') || items === '') return 0n;
    return BigInt(items.split(',').indexOf(needle) + 1);
  }),
  // ELT(n, a, b, …): the n-th of a, b, …, or NULL when there is none.
  ELT: {
    min: 2,
    max: Infinity,
    fn: ([which, ...list]) => (which === null || which === undefined ? null : list[integer(which) - 1] ?? null),
  },
  ASCII: strict(1, 1, ([value]) => BigInt(bytesOf(value!)[0] ?? 0)),
  // ORD: the first character's UTF-8 bytes read as one big-endian number.
  ORD: strict(1, 1, ([value]) => {
    const [first] = text(value!);
    return first === undefined ? 0n : BigInt(`0x${Buffer.from(first, 'utf8').toString('hex')}`);
  }),
  STRCMP: strict(2, 2, ([left, right]) => BigInt(Math.sign(compareValues(text(left!), text(right!))))),
  HEX: strict(1, 1, ([value]) => (isNumeric(value!) ? hexOfNumber(value!) : bytesOf(value!).toString('hex').toUpperCase())),
  // UNHEX: the bytes the hexadecimal digits spell (an odd count gains a leading 0), or NULL for
  // any other character.
  UNHEX: strict(1, 1, ([value]) => {
    const digits = text(value!);
    if (!/^[0-9a-fA-F]*$/.test(digits)) return null;
    return new Uint8Array(Buffer.from(digits.length % 2 === 0 ? digits : `0${digits}`, 'hex'));
  }),
  FORMAT: strict(2, 3, ([value, decimals]) => formatNumber(value!, integer(decimals!))),
  QUOTE: { min: 1, max: 1, fn: ([value]) => (value === null || value === undefined ? 'NULL' : quoted(text(value))) },
  // INSERT(s, pos, len, new): s with len characters from pos replaced by new; s itself when pos
  // is outside it.
  INSERT: strict(4, 4, ([value, position, length, replacement]) => {
    const chars = [...text(value!)];
    const [at, count] = [integer(position!), integer(length!)];
    if (at < 1 || at > chars.length) return text(value!);
    const end = count < 0 || at - 1 + count > chars.length ? chars.length : at - 1 + count;
    return [...chars.slice(0, at - 1), text(replacement!), ...chars.slice(end)].join('');
  }),
};
