// LIKE without regular expressions. A pattern turned into a backtracking RegExp
// (`%a%a%a…b` against `aaaa…`) takes exponential time, and one request holding the event loop
// freezes the whole node, heartbeats included.
//
// A pattern is its `%`-separated segments: the first must match at the value's start, the
// last at its end, and each one between at the leftmost place after the one before — placing
// a segment as early as possible never prevents a later one from matching, so no choice is
// ever revisited. A segment of literals only is found by String.indexOf (native, and linear
// in practice); one with `_` is tried at each code point, bounded by value × segment length.
//
// Semantics are MySQL's: `%` matches any run of characters, `_` exactly one character (a code
// point, not a UTF-16 unit), the escape character (`\` unless `ESCAPE` names another, or none)
// makes the next character literal and a trailing lone one is itself literal. Comparison is by
// code point: TideDB's collation is binary (utf8mb4_bin).

interface Segment {
  // Code points to match; null stands for `_`.
  readonly codePoints: readonly (number | null)[];
  // The segment as text when it has no `_`, for String.indexOf.
  readonly literal: string | null;
}

export interface LikePattern {
  // Without any `%`, the one segment must match the whole value.
  readonly anchoredOnly: boolean;
  readonly segments: readonly Segment[];
}

const percent = 0x25;
const underscore = 0x5f;

// The escape character of a LIKE without ESCAPE.
export const defaultLikeEscape = 0x5c;

// `escape`: the escape character's code point, or null for none (`ESCAPE ''`).
export function compileLike(pattern: string, escape: number | null = defaultLikeEscape): LikePattern {
  const segments: Segment[] = [];
  let current: (number | null)[] = [];
  let anchoredOnly = true;
  const source = Array.from(pattern, (char) => char.codePointAt(0)!);
  for (let at = 0; at < source.length; at++) {
    const codePoint = source[at]!;
    if (codePoint === escape && at + 1 < source.length) {
      current.push(source[++at]!);
    } else if (codePoint === percent) {
      anchoredOnly = false;
      segments.push(segment(current));
      current = [];
    } else {
      current.push(codePoint === underscore ? null : codePoint);
    }
  }
  segments.push(segment(current));
  return { anchoredOnly, segments };
}

function segment(codePoints: (number | null)[]): Segment {
  if (codePoints.includes(null)) return { codePoints, literal: null };
  // A piece at a time: spreading a long segment into one call would overflow the stack.
  let literal = '';
  for (let at = 0; at < codePoints.length; at += 4_096) literal += String.fromCodePoint(...(codePoints.slice(at, at + 4_096) as number[]));
  return { codePoints, literal };
}

export function matchLike(pattern: LikePattern, value: string): boolean {
  const { segments } = pattern;
  const first = segments[0]!;
  if (pattern.anchoredOnly) return matchAt(first, value, 0) === value.length;
  let cursor = matchAt(first, value, 0);
  if (cursor < 0) return false;
  for (let at = 1; at < segments.length - 1; at++) {
    const middle = segments[at]!;
    if (middle.codePoints.length === 0) continue; // `%%`
    cursor = findFrom(middle, value, cursor);
    if (cursor < 0) return false;
  }
  const last = segments[segments.length - 1]!;
  const lastStart = startOfSuffix(value, last.codePoints.length);
  return lastStart >= cursor && matchAt(last, value, lastStart) === value.length;
}

// Where the segment ends if it matches at `start` (a UTF-16 offset at a code point's start),
// or -1.
function matchAt(segment: Segment, value: string, start: number): number {
  let at = start;
  for (const expected of segment.codePoints) {
    if (at >= value.length) return -1;
    const codePoint = value.codePointAt(at)!;
    if (expected !== null && expected !== codePoint) return -1;
    at += codePoint > 0xffff ? 2 : 1;
  }
  return at;
}

// Where the leftmost match of the segment at or after `from` ends, or -1.
function findFrom(segment: Segment, value: string, from: number): number {
  if (segment.literal !== null) {
    const found = value.indexOf(segment.literal, from);
    return found < 0 ? -1 : found + segment.literal.length;
  }
  for (let start = from; start < value.length; start += value.codePointAt(start)! > 0xffff ? 2 : 1) {
    const end = matchAt(segment, value, start);
    if (end >= 0) return end;
  }
  return -1;
}

// The UTF-16 offset where the value's last `codePointCount` code points begin, or -1 if it
// has fewer.
function startOfSuffix(value: string, codePointCount: number): number {
  let at = value.length;
  for (let counted = 0; counted < codePointCount; counted++) {
    if (at <= 0) return -1;
    const low = value.charCodeAt(at - 1);
    const high = at >= 2 ? value.charCodeAt(at - 2) : 0;
    at -= low >= 0xdc00 && low <= 0xdfff && high >= 0xd800 && high <= 0xdbff ? 2 : 1;
  }
  return at;
}
