// Proves utf8mb4_general_ci's weights and keys: the committed table is what its definition
// (values/general-ci-weights.ts) gives, MariaDB weighs every BMP code point the same, strings
// compare as MariaDB compares them, and encoded keys sort exactly as the collation orders.
import mysql from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { encodeKeyPart } from '../../services/storage/key-codec.js';
import { compareGeneralCi, generalCiFold, generalCiSortKey, generalCiWeight } from '../../services/values/collation.js';
import { mariadbOptions, mariadbUnreachable } from '../support/mariadb.js';

const unreachable = await mariadbUnreachable(mariadbOptions, 'general_ci weights differential test');

const isSurrogate = (codePoint: number): boolean => codePoint >= 0xd800 && codePoint <= 0xdfff;

// The definition, rebuilt from Unicode data: in MySQL's pages, a letter, letter number or other
// symbol weighs as the uppercase of its canonical base letter, but for MySQL's own exceptions.
const coveredPages = new Set([0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x1e, 0x1f, 0x21, 0x24, 0xff]);
const weighAsThemselves = new Set(
  ('180 19a 19b 19e 23c 23f 240 242 247 249 24b 24d 24f 250 251 252 25c 261 264 265 266 26a 26b 26c 271 27d 282 287 289 28c 29d 29e ' +
    '371 373 374 377 37b 37c 37d 3d7 3d9 3f3 3f5 3f8 3fb 419 48b 4c6 4ca 4ce 4cf 4f7 4fb 4fd 4ff 1efb 1efd 1eff ' +
    '1fbb 1fc9 1fcb 1fd3 1fdb 1fe3 1feb 1ff9 1ffb 2126 212a 212b 214e 2184 21cd')
    .split(' ')
    .map((hex) => parseInt(hex, 16)),
);
const ownWeights = new Map([
  [0xdf, 0x53], [0x345, 0x399], [0x3f2, 0x3a3], [0x439, 0x419],
  [0x1f71, 0x1fbb], [0x1f73, 0x1fc9], [0x1f75, 0x1fcb], [0x1f77, 0x1fdb], [0x1f79, 0x1ff9], [0x1f7b, 0x1feb], [0x1f7d, 0x1ffb],
]);

function definedWeight(codePoint: number): number {
  const own = ownWeights.get(codePoint);
  if (own !== undefined) return own;
  // Cyrillic Supplement (U+0500–U+052F) came after Unicode 3.0: MySQL's page 05 has no case there.
  if (!coveredPages.has(codePoint >> 8) || weighAsThemselves.has(codePoint) || (codePoint >= 0x500 && codePoint <= 0x52f)) return codePoint;
  const character = String.fromCharCode(codePoint);
  if (!/\p{L}|\p{Nl}|\p{So}/u.test(character)) return codePoint;
  const upper = String.fromCharCode(character.normalize('NFD').charCodeAt(0)).toUpperCase();
  return upper.length === 1 ? upper.charCodeAt(0) : codePoint;
}

describe('utf8mb4_general_ci weights', () => {
  it('are the table the definition gives, for every BMP code point', () => {
    const differing: string[] = [];
    for (let codePoint = 0; codePoint <= 0xffff; codePoint++) {
      if (isSurrogate(codePoint)) continue;
      if (generalCiWeight(codePoint) !== definedWeight(codePoint)) differing.push(codePoint.toString(16));
    }
    expect(differing).toEqual([]);
  });

  it('fold case and accents, weigh past the BMP as U+FFFD, and pad with spaces', () => {
    expect(generalCiSortKey('Émile')).toBe('EMILE');
    expect(generalCiSortKey('straße')).toBe('STRASE'); // ß weighs as one S, as in MySQL
    expect(generalCiSortKey('a😀b  ')).toBe('A\ufffdB');
    expect(generalCiFold('a b ')).toBe('A B ');
    expect(compareGeneralCi('abc', 'ABC   ')).toBe(0);
    expect(compareGeneralCi('résumé', 'RESUME')).toBe(0);
    expect(compareGeneralCi('a', 'b')).toBe(-1);
    expect(compareGeneralCi('Zebra', 'apple')).toBe(1);
  });

  it('keys sort as the collation orders, and keys are equal exactly when the strings are', () => {
    const alphabet = ['a', 'A', 'á', 'Á', 'b', 'B', 'ß', 's', 'S', 'z', ' ', '0', '_', 'é', 'E', 'ø', 'Ø', 'Ω', 'ω', '😀', '\u0000', '\uffff', 'ﬀ'];
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const strings = Array.from({ length: 400 }, () => Array.from({ length: next() % 6 }, () => alphabet[next() % alphabet.length]!).join(''));
    const column = { type: 'VARCHAR' as const, collation: 'utf8mb4_general_ci' as const };
    for (const a of strings) {
      for (const b of strings.slice(0, 60)) {
        const byKeys = Math.sign(Buffer.compare(encodeKeyPart(column, a), encodeKeyPart(column, b)));
        expect(`${JSON.stringify(a)} ${JSON.stringify(b)} ${byKeys}`).toBe(`${JSON.stringify(a)} ${JSON.stringify(b)} ${compareGeneralCi(a, b)}`);
        const descending = Math.sign(Buffer.compare(encodeKeyPart(column, a, 'desc'), encodeKeyPart(column, b, 'desc')));
        expect(descending + byKeys).toBe(0);
      }
    }
  });
});

describe.skipIf(unreachable !== null)('utf8mb4_general_ci beside MariaDB', () => {
  it('weighs every BMP code point as MariaDB does', async () => {
    const connection = await mysql.createConnection(mariadbOptions);
    try {
      await connection.query('SET NAMES utf8mb4, max_recursive_iterations = 70000');
      const [rows] = await connection.query({
        sql: 'WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < 65535) ' +
          'SELECT n, HEX(WEIGHT_STRING(CONVERT(CHAR(n USING utf32) USING utf8mb4) COLLATE utf8mb4_general_ci)) FROM seq',
        rowsAsArray: true,
      });
      const differing: string[] = [];
      for (const [n, hex] of rows as [number | string, string][]) {
        const codePoint = Number(n);
        if (isSurrogate(codePoint)) continue;
        const ours = generalCiWeight(codePoint).toString(16).toUpperCase().padStart(4, '0');
        // A lone space weighs nothing in WEIGHT_STRING's PAD SPACE form.
        if (ours !== hex && !(codePoint === 0x20 && hex === '')) differing.push(`U+${codePoint.toString(16)}: MariaDB ${hex}, TideDB ${ours}`);
      }
      expect((rows as unknown[]).length).toBe(0x10000);
      expect(differing).toEqual([]);
    } finally {
      await connection.end();
    }
  });

  it('compares strings as MariaDB does, trailing spaces, accents and case included', async () => {
    const pieces = ['a', 'A', 'à', 'b', 'ß', 'ss', 's', 'é', 'E', 'z', 'Z', ' ', '  ', 'ø', 'Ω', 'ω', '😀', '😁', '_', '0'];
    const pairs: [string, string][] = [];
    for (const a of pieces) for (const b of pieces) pairs.push([`x${a}`, `X${b}`], [a, `${b} `], [`${a}${b}`, b]);
    const connection = await mysql.createConnection(mariadbOptions);
    try {
      await connection.query('SET NAMES utf8mb4');
      const differing: string[] = [];
      for (let start = 0; start < pairs.length; start += 200) {
        const chunk = pairs.slice(start, start + 200);
        const sql = `SELECT ${chunk.map(() => 'STRCMP(? COLLATE utf8mb4_general_ci, ?)').join(', ')}`;
        const [rows] = await connection.query({ sql, values: chunk.flat(), rowsAsArray: true });
        const answers = (rows as unknown[][])[0]!;
        chunk.forEach(([a, b], at) => {
          if (Number(answers[at]) !== compareGeneralCi(a, b)) differing.push(`${JSON.stringify(a)} vs ${JSON.stringify(b)}: MariaDB ${String(answers[at])}, TideDB ${compareGeneralCi(a, b)}`);
        });
      }
      expect(differing).toEqual([]);
    } finally {
      await connection.end();
    }
  });
});
