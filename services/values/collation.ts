// The collations TideDB honours: utf8mb4_bin (byte order, the default, as TiDB's) and
// utf8mb4_general_ci (MySQL's case- and accent-insensitive order). A string under general_ci
// compares by its sort key: each code point replaced by its weight (general-ci-weights.ts;
// outside the BMP every code point weighs U+FFFD), trailing spaces removed (PAD SPACE).
import { generalCiWeightPairs } from './general-ci-weights.js';

export type Collation = 'utf8mb4_bin' | 'utf8mb4_general_ci';

export const defaultCollation: Collation = 'utf8mb4_bin';

// The names a COLLATE clause may give, and what each means. utf8 is MySQL's alias of utf8mb3;
// TideDB stores utf8mb4 only, so utf8_* names mean their utf8mb4 twins (the order is the same
// on every character utf8mb3 can hold). Any other name is refused by the caller.
const collationNames: ReadonlyMap<string, Collation> = new Map([
  ['utf8mb4_bin', 'utf8mb4_bin'],
  ['utf8_bin', 'utf8mb4_bin'],
  ['utf8mb3_bin', 'utf8mb4_bin'],
  ['binary', 'utf8mb4_bin'],
  ['utf8mb4_general_ci', 'utf8mb4_general_ci'],
  ['utf8_general_ci', 'utf8mb4_general_ci'],
  ['utf8mb3_general_ci', 'utf8mb4_general_ci'],
]);

export function collationNamed(name: string): Collation | undefined {
  return collationNames.get(name.toLowerCase());
}

export const collationNamesAccepted = [...collationNames.keys()].join(', ');

const weights = buildWeights();

function buildWeights(): Uint16Array {
  const table = new Uint16Array(0x10000);
  for (let at = 0; at < table.length; at++) table[at] = at;
  for (const line of generalCiWeightPairs) {
    for (const pair of line.split(' ')) table[parseInt(pair.slice(0, 4), 16)] = parseInt(pair.slice(4, 8), 16);
  }
  return table;
}

export function generalCiWeight(codePoint: number): number {
  return codePoint > 0xffff ? 0xfffd : weights[codePoint]!;
}

// The string whose code unit order is general_ci's order and whose equality is general_ci's
// equality: weights are BMP code points outside the surrogates, so the key is valid UTF-16 and
// its UTF-8 bytes sort as it does (storage/key-codec.ts keys on those bytes). Trailing spaces go
// first, as MySQL's PAD SPACE compares a shorter string as if padded with spaces; this differs
// from MySQL only for strings that differ in a run of spaces followed by a character below the
// space (a tab, a newline): MySQL puts 'a \t' before 'a', the key after (TiDB's key does so too).
export function generalCiSortKey(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0x20) end--;
  return generalCiFold(end === text.length ? text : text.slice(0, end));
}

// Each code point replaced by its weight, spaces kept: what LIKE matches under general_ci (LIKE
// compares character by character, with no padding). One code point gives one weight, so `_`
// still matches one character.
export function generalCiFold(text: string): string {
  let folded = '';
  for (let at = 0; at < text.length; at++) {
    const codePoint = text.codePointAt(at)!;
    if (codePoint > 0xffff) at++;
    folded += String.fromCharCode(generalCiWeight(codePoint));
  }
  return folded;
}

// The text a comparison under `collation` compares: the text itself under utf8mb4_bin.
export function collationKey(text: string, collation: Collation): string {
  return collation === 'utf8mb4_general_ci' ? generalCiSortKey(text) : text;
}

// -1, 0 or 1 under utf8mb4_general_ci. Sort keys hold no surrogates, so code unit order is
// code point order.
export function compareGeneralCi(a: string, b: string): number {
  const left = generalCiSortKey(a);
  const right = generalCiSortKey(b);
  return left < right ? -1 : left > right ? 1 : 0;
}
