// A statement's text from its bytes. Text arrives as UTF-8 (the only character set TideDB
// speaks), but a quoted literal may hold arbitrary bytes: drivers send bytes parameters inline
// (PyMySQL writes `_binary'\x00\xff…'`), which MySQL stores as they are. A JavaScript string
// cannot carry bytes that are not UTF-8, so such a literal becomes the hex literal of the same
// bytes (X'00FF…'), which the engine reads as those bytes; everything else decodes as UTF-8.
import { isUtf8 } from 'node:buffer';

const quote = { single: 0x27, double: 0x22, backtick: 0x60, backslash: 0x5c } as const;

export function statementText(bytes: Buffer): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  const parts: string[] = [];
  let copiedTo = 0;
  for (let index = 0; index < bytes.length; index++) {
    const byte = bytes[index]!;
    if (byte === quote.backtick) {
      index = closingQuote(bytes, index, byte);
    } else if (byte === quote.single || byte === quote.double) {
      const end = closingQuote(bytes, index, byte);
      const content = unescapeLiteral(bytes.subarray(index + 1, end), byte);
      if (!isUtf8(content)) {
        parts.push(bytes.subarray(copiedTo, index).toString('utf8'), `X'${content.toString('hex')}'`);
        copiedTo = end + 1;
      }
      index = end;
    }
  }
  parts.push(bytes.subarray(copiedTo).toString('utf8'));
  return parts.join('');
}

// The index of the quote that closes the literal opened at `start` (or the end of the text):
// a backslash escapes the next byte in '…' and "…", and a doubled quote stands for one.
function closingQuote(bytes: Buffer, start: number, mark: number): number {
  for (let index = start + 1; index < bytes.length; index++) {
    const byte = bytes[index]!;
    if (byte === quote.backslash && mark !== quote.backtick) index++;
    else if (byte === mark) {
      if (bytes[index + 1] === mark) index++;
      else return index;
    }
  }
  return bytes.length;
}

const escapes: Readonly<Record<string, number>> = { '0': 0x00, b: 0x08, n: 0x0a, r: 0x0d, t: 0x09, Z: 0x1a };

// The bytes a literal's text stands for, as MySQL reads its escapes.
function unescapeLiteral(text: Buffer, mark: number): Buffer {
  const out: number[] = [];
  for (let index = 0; index < text.length; index++) {
    const byte = text[index]!;
    if (byte === quote.backslash && index + 1 < text.length) {
      const next = text[++index]!;
      const escaped = escapes[String.fromCharCode(next)];
      // MySQL keeps the backslash of \% and \_ (they matter to LIKE only).
      if (next === 0x25 || next === 0x5f) out.push(byte, next);
      else out.push(escaped ?? next);
    } else if (byte === mark && text[index + 1] === mark) {
      out.push(byte);
      index++;
    } else {
      out.push(byte);
    }
  }
  return Buffer.from(out);
}
