// A JSON document's value as the JSON functions change it, with its integers exact: MySQL keeps
// an integer of a document as a 64-bit integer, where JSON.parse makes every number a double, so
// JSON_SET on a document holding an id past 2^53 would write the id back changed. An integer
// token past 2^53 becomes a bigint (json-text.ts writes it back as it was); other numbers are
// doubles, as MySQL parses them.
//
// JSON.parse does the parsing: before it, each such integer token outside a string is quoted
// with a marker no parsed string can hold (it carries a random part of this process), and its
// reviver turns the marked strings into bigints.

const marker = `\u{F8FF}int${Math.random().toString(36).slice(2)}:`;

export function parseJsonExact(text: string): unknown {
  const marked = withBigIntegersMarked(text);
  if (marked === text) return JSON.parse(text) as unknown;
  return JSON.parse(marked, (_key, value: unknown) => (typeof value === 'string' && value.startsWith(marker) ? BigInt(value.slice(marker.length)) : value)) as unknown;
}

// Integer tokens of 16 digits or more that a double does not hold exactly, quoted and marked;
// everything else, strings first of all, as it is.
function withBigIntegersMarked(text: string): string {
  let out = '';
  let copiedTo = 0;
  for (let at = 0; at < text.length; at++) {
    const char = text[at]!;
    if (char === '"') {
      at = endOfString(text, at);
      continue;
    }
    if (char !== '-' && (char < '0' || char > '9')) continue;
    let end = at + 1;
    while (end < text.length && isNumberChar(text[end]!)) end++;
    const token = text.slice(at, end);
    if (/^-?\d{16,}$/.test(token) && !Number.isSafeInteger(Number(token))) {
      out += `${text.slice(copiedTo, at)}"${marker}${token}"`;
      copiedTo = end;
    }
    at = end - 1;
  }
  return copiedTo === 0 ? text : out + text.slice(copiedTo);
}

function isNumberChar(char: string): boolean {
  return (char >= '0' && char <= '9') || char === '.' || char === 'e' || char === 'E' || char === '+' || char === '-';
}

// The position of a string's closing quote (`start` is its opening one), escapes skipped; the
// text's end for an unterminated one, which JSON.parse then refuses.
function endOfString(text: string, start: number): number {
  for (let at = start + 1; at < text.length; at++) {
    if (text[at] === '\\') at++;
    else if (text[at] === '"') return at;
  }
  return text.length;
}
