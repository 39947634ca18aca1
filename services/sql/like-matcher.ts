// LIKE without regular expressions: a compiled pattern matched by the classic wildcard
// algorithm, whose cost is bounded by pattern length × value length. A pattern turned into a
// backtracking RegExp (`%a%a%a…b` against `aaaa…`) can take exponential time, and one request
// holding the event loop freezes the whole node, heartbeats included.
//
// Semantics are MySQL's with the default escape character: `%` matches any run of characters,
// `_` exactly one character (a code point, not a UTF-16 unit), `\` makes the next character
// literal and a trailing lone `\` is itself literal. Comparison is by code point, as the
// default binary collation compares.

// A pattern compiled to code points, with each wildcard position marked. Runs of `%` collapse
// into one: they match the same strings, and fewer stars mean fewer restart points.
export interface LikePattern {
  readonly codePoints: readonly number[];
  readonly kinds: readonly LikeKind[];
}

type LikeKind = 'literal' | 'one' | 'any';

const backslash = 0x5c;
const percent = 0x25;
const underscore = 0x5f;

export function compileLike(pattern: string): LikePattern {
  const codePoints: number[] = [];
  const kinds: LikeKind[] = [];
  const source = toCodePoints(pattern);
  for (let at = 0; at < source.length; at++) {
    const codePoint = source[at]!;
    if (codePoint === backslash && at + 1 < source.length) {
      codePoints.push(source[++at]!);
      kinds.push('literal');
    } else if (codePoint === percent) {
      if (kinds.at(-1) === 'any') continue;
      codePoints.push(codePoint);
      kinds.push('any');
    } else if (codePoint === underscore) {
      codePoints.push(codePoint);
      kinds.push('one');
    } else {
      codePoints.push(codePoint);
      kinds.push('literal');
    }
  }
  return { codePoints, kinds };
}

// Greedy matching with one restart point: on a mismatch, the last `%` seen absorbs one more
// character and matching resumes after it. Only the last `%` needs remembering, because it
// can absorb whatever an earlier one could; so each value position is revisited at most once
// per pattern position, O(pattern × value) in the worst case and linear in the usual one.
export function matchLike(pattern: LikePattern, value: string): boolean {
  const { codePoints, kinds } = pattern;
  const text = toCodePoints(value);
  let textAt = 0;
  let patternAt = 0;
  let starAt = -1; // pattern position of the last `%` passed
  let starTextAt = 0; // the value position that `%` has absorbed up to
  while (textAt < text.length) {
    const kind = kinds[patternAt];
    if (kind === 'any') {
      starAt = patternAt++;
      starTextAt = textAt;
    } else if (kind === 'one' || (kind === 'literal' && codePoints[patternAt] === text[textAt])) {
      patternAt++;
      textAt++;
    } else if (starAt >= 0) {
      patternAt = starAt + 1;
      textAt = ++starTextAt;
    } else {
      return false;
    }
  }
  // The value is used up: what is left of the pattern must be able to match nothing.
  while (kinds[patternAt] === 'any') patternAt++;
  return patternAt === kinds.length;
}

function toCodePoints(text: string): number[] {
  const codePoints: number[] = [];
  for (const char of text) codePoints.push(char.codePointAt(0)!);
  return codePoints;
}
