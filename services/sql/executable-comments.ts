// MySQL runs the text of an executable comment, `/*! … */`, and of a versioned one,
// `/*!NNNNN … */`, when the server's version is at least NNNNN (80011 here); dumps and tools
// (sysbench, mysqldump) write table options that way. The text becomes part of the statement
// by blanking the comment's markers, so every position in it stays the client's. A versioned
// comment for a later version, and MariaDB's `/*M! … */`, stay comments, as in MySQL.
import { mysqlVersion } from '../base/server-version.js';

export function withExecutableComments(sql: string): string {
  // Almost every statement has none: one search, then nothing else.
  if (!sql.includes('/*!')) return sql;
  const chars = [...sql];
  let at = 0;
  while (at < chars.length) {
    const char = chars[at]!;
    if (char === "'" || char === '"' || char === '`') {
      at = pastQuoted(chars, at);
    } else if ((char === '-' && chars[at + 1] === '-' && /\s/.test(chars[at + 2] ?? '\n')) || char === '#') {
      while (at < chars.length && chars[at] !== '\n') at++;
    } else if (char === '/' && chars[at + 1] === '*') {
      const end = closing(chars, at + 2);
      if (chars[at + 2] === '!') {
        let digits = at + 3;
        while (digits < chars.length && digits < at + 9 && /[0-9]/.test(chars[digits]!)) digits++;
        const version = digits > at + 3 ? Number(chars.slice(at + 3, digits).join('')) : 0;
        if (version <= mysqlVersion.number && end >= 0) {
          for (let blank = at; blank < digits; blank++) chars[blank] = ' ';
          chars[end] = ' ';
          chars[end + 1] = ' ';
          at = digits;
          continue;
        }
      }
      at = end < 0 ? chars.length : end + 2;
    } else {
      at++;
    }
  }
  return chars.join('');
}

// The index of the `*/` closing a comment whose text starts at `from`; -1 if none does.
function closing(chars: readonly string[], from: number): number {
  for (let at = from; at + 1 < chars.length; at++) if (chars[at] === '*' && chars[at + 1] === '/') return at;
  return -1;
}

// Past a quoted string or name: doubled quotes and (in strings) backslash escapes included.
function pastQuoted(chars: readonly string[], start: number): number {
  const quote = chars[start]!;
  let at = start + 1;
  while (at < chars.length) {
    const char = chars[at++]!;
    if (char === '\\' && quote !== '`') at++;
    else if (char === quote) {
      if (chars[at] !== quote) return at;
      at++;
    }
  }
  return at;
}
