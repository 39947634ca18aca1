// Proves the tagged key encoding preserves SQL order: for seeded random pairs of every key type, with
// NULLs, ascending and descending, composite keys and table bounds, Buffer.compare agrees with SQL.
import { describe, expect, it } from 'vitest';
import { encodeKeyPart, encodeRowKey, keyTag, tableEnd, tablePrefix } from '../../services/storage/key-codec.js';
import type { KeyDirection } from '../../services/storage/key-codec.js';
import type { ColumnType, TableDef, Value } from '../../services/storage/types.js';
import { seededRandom as prng } from '../support/seeded-random.js';

const seed = Number(process.env['SEED'] ?? 20240601);
const pairsPerType = 2_000;


function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;

function randomBigint(random: () => number): bigint {
  const edges = [int64Min, int64Min + 1n, -1n, 0n, 1n, int64Max - 1n, int64Max, -(2n ** 31n), 2n ** 31n - 1n, 255n, 256n, -256n];
  if (random() < 0.3) return pick(random, edges);
  const bits = BigInt(Math.floor(random() * 2 ** 32)) * 2n ** 32n + BigInt(Math.floor(random() * 2 ** 32));
  const value = BigInt.asIntN(64, bits);
  // Also small magnitudes, where neighbours differ only in the last byte.
  return random() < 0.5 ? value : value % 1000n;
}

function randomDouble(random: () => number): number {
  const edges = [0, -0, 1, -1, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE, Infinity, -Infinity, 1e-300, -1e-300, 1e300, -1e300, 0.1, -0.1, 2 ** 53, -(2 ** 53)];
  if (random() < 0.3) return pick(random, edges);
  const magnitude = Math.pow(10, random() * 600 - 300) * random();
  return random() < 0.5 ? -magnitude : magnitude;
}

function randomString(random: () => number): string {
  const edges = ['', '\u0000', 'a', 'a\u0000', 'a\u0000\u0000', 'a\u0001', 'ab', 'a\u00ff', 'b', '\u00e9', 'é\u0000', '\u{1f600}', '\uffff', '日本', 'z'];
  if (random() < 0.3) return pick(random, edges);
  const alphabet = ['\u0000', '\u0001', 'a', 'b', '\u007f', '\u0080', 'é', '\u07ff', '\u0800', '日', '\uffff', '\u{10000}', '\u{1f600}'];
  let text = '';
  const length = Math.floor(random() * 5);
  for (let at = 0; at < length; at++) text += pick(random, alphabet);
  return text;
}

// SQL order: integers and doubles numerically (-0 equals 0); strings by Unicode code point,
// which is the order of their UTF-8 bytes.
// NULL sorts before every value (MySQL's ascending order).
function sqlCompare(a: Value, b: Value): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (typeof a === 'string' && typeof b === 'string') {
    const x = [...a].map((char) => char.codePointAt(0)!);
    const y = [...b].map((char) => char.codePointAt(0)!);
    for (let at = 0; at < Math.min(x.length, y.length); at++) if (x[at] !== y[at]) return x[at]! < y[at]! ? -1 : 1;
    return Math.sign(x.length - y.length);
  }
  const x = a as bigint | number;
  const y = b as bigint | number;
  return x < y ? -1 : x > y ? 1 : 0;
}

function show(value: Value): string {
  return typeof value === 'string' ? JSON.stringify(value) : typeof value === 'bigint' ? `${value}n` : Object.is(value, -0) ? '-0' : String(value);
}

// Some values NULL, so that NULL meets every kind of value in both directions.
function withNulls(generate: (random: () => number) => Value): (random: () => number) => Value {
  return (random) => (random() < 0.1 ? null : generate(random));
}

function expectOrderPreserved(type: ColumnType, generate: (random: () => number) => Value): void {
  for (const direction of ['asc', 'desc'] as const) {
    const random = prng(seed);
    const withNull = withNulls(generate);
    for (let pair = 0; pair < pairsPerType; pair++) {
      const a = withNull(random);
      const b = withNull(random);
      const encoded = Math.sign(Buffer.compare(encodeKeyPart(type, a, direction), encodeKeyPart(type, b, direction)));
      const ascending = sqlCompare(a, b);
      const expected = direction === 'asc' ? ascending : -ascending || 0;
      if (encoded !== expected) {
        throw new Error(`seed ${seed} (SEED=${seed} to replay), pair ${pair}: ${type} ${direction} ${show(a)} vs ${show(b)}: bytes say ${encoded}, SQL says ${expected}`);
      }
    }
  }
}

function table(id: number, columns: readonly [string, ColumnType][], primaryKey: readonly number[]): TableDef {
  return {
    id,
    version: 1,
    database: 'db',
    name: `t${id}`,
    columns: columns.map(([name, type]) => ({ name, type, length: type === 'VARCHAR' ? 100 : null, nullable: false, autoIncrement: false })),
    primaryKey,
  };
}

describe('key codec order', () => {
  it('orders INT/BIGINT keys as signed 64-bit integers, bounds included', () => {
    expectOrderPreserved('BIGINT', randomBigint);
    expectOrderPreserved('INT', randomBigint);
    expect(Buffer.compare(encodeKeyPart('BIGINT', int64Min), encodeKeyPart('BIGINT', int64Max))).toBe(-1);
    expect(Buffer.compare(encodeKeyPart('BIGINT', -1n), encodeKeyPart('BIGINT', 0n))).toBe(-1);
  });

  it('orders DOUBLE keys numerically, with -0 and 0 as one key', () => {
    expectOrderPreserved('DOUBLE', randomDouble);
    expect(encodeKeyPart('DOUBLE', -0).equals(encodeKeyPart('DOUBLE', 0))).toBe(true);
    expect(Buffer.compare(encodeKeyPart('DOUBLE', -Number.MIN_VALUE), encodeKeyPart('DOUBLE', 0))).toBe(-1);
    expect(Buffer.compare(encodeKeyPart('DOUBLE', 0), encodeKeyPart('DOUBLE', Number.MIN_VALUE))).toBe(-1);
    expect(Buffer.compare(encodeKeyPart('DOUBLE', -2), encodeKeyPart('DOUBLE', -1))).toBe(-1);
  });

  it('orders VARCHAR keys by code point, a prefix first, embedded NUL included', () => {
    expectOrderPreserved('VARCHAR', randomString);
    const ordered = ['', '\u0000', '\u0000\u0000', '\u0001', 'a', 'a\u0000', 'a\u0000b', 'a\u0001', 'ab', 'b', '\u00e9', '\uffff', '\u{1f600}'];
    const encoded = ordered.map((value) => encodeKeyPart('VARCHAR', value));
    const sorted = [...encoded].sort(Buffer.compare);
    expect(sorted.map((part) => encoded.indexOf(part))).toEqual(ordered.map((_, at) => at));
  });

  it('gives distinct strings distinct keys and equal strings equal keys', () => {
    const random = prng(seed + 1);
    for (let pair = 0; pair < pairsPerType; pair++) {
      const a = randomString(random);
      const b = randomString(random);
      expect(encodeKeyPart('TEXT', a).equals(encodeKeyPart('TEXT', b)), `seed ${seed}: ${show(a)} vs ${show(b)}`).toBe(a === b);
    }
  });

  it('orders BOOLEAN keys false before true', () => {
    expectOrderPreserved('BOOLEAN', (random) => random() < 0.5);
    expect(Buffer.compare(encodeKeyPart('BOOLEAN', false), encodeKeyPart('BOOLEAN', true))).toBe(-1);
  });

  it('sorts NULL before the smallest value ascending and after the largest descending, for every type', () => {
    const smallest: [ColumnType, Value, Value][] = [
      ['INT', int64Min, int64Max],
      ['BIGINT', int64Min, int64Max],
      ['DOUBLE', -Infinity, Infinity],
      ['VARCHAR', '', '\u{10ffff}\u{10ffff}'],
      ['TEXT', '', '\uffff'],
      ['BOOLEAN', false, true],
    ];
    for (const [type, low, high] of smallest) {
      expect(Buffer.compare(encodeKeyPart(type, null), encodeKeyPart(type, low)), type).toBe(-1);
      expect(Buffer.compare(encodeKeyPart(type, high, 'desc'), encodeKeyPart(type, null, 'desc')), type).toBe(-1);
      expect(encodeKeyPart(type, null).equals(encodeKeyPart('BIGINT', null)), type).toBe(true);
    }
  });

  it('orders composite index keys with mixed directions and NULLs part by part', () => {
    const directions: KeyDirection[] = ['asc', 'desc', 'asc'];
    const types: ColumnType[] = ['VARCHAR', 'BIGINT', 'DOUBLE'];
    const generators = [withNulls(randomString), withNulls(randomBigint), withNulls(randomDouble)];
    const encode = (values: Value[]): Buffer => Buffer.concat(values.map((value, at) => encodeKeyPart(types[at]!, value, directions[at])));
    const random = prng(seed + 4);
    for (let pair = 0; pair < pairsPerType; pair++) {
      const a = generators.map((generate) => generate(random));
      // Often equal in a leading part, so that later parts and their directions decide.
      const b = generators.map((generate, at) => (at < 2 && random() < 0.4 ? a[at]! : generate(random)));
      let expected = 0;
      for (let at = 0; at < types.length && expected === 0; at++) {
        const order = sqlCompare(a[at]!, b[at]!);
        expected = directions[at] === 'asc' ? order : -order || 0;
      }
      const encoded = Math.sign(Buffer.compare(encode(a), encode(b)));
      if (encoded !== expected) throw new Error(`seed ${seed}, pair ${pair}: (${a.map(show).join(', ')}) vs (${b.map(show).join(', ')}): bytes ${encoded}, SQL ${expected}`);
    }
  });

  it('starts every part with its type tag, leaving 0x00 and 0xFF free for range bounds', () => {
    expect(encodeKeyPart('BIGINT', 1n)[0]).toBe(keyTag.int);
    expect(encodeKeyPart('INT', 1n)[0]).toBe(keyTag.int);
    expect(encodeKeyPart('DOUBLE', 1)[0]).toBe(keyTag.double);
    expect(encodeKeyPart('VARCHAR', 'a')[0]).toBe(keyTag.string);
    expect(encodeKeyPart('TEXT', 'a')[0]).toBe(keyTag.string);
    expect(encodeKeyPart('BOOLEAN', true)[0]).toBe(keyTag.boolean);
    expect(encodeKeyPart('BOOLEAN', null)).toEqual(Buffer.from([keyTag.null]));
    expect(encodeKeyPart('BIGINT', 1n, 'desc')[0]).toBe(~keyTag.int & 0xff);
    const tags = Object.values(keyTag);
    expect(new Set(tags).size).toBe(tags.length);
    for (const tag of tags) expect(tag > 0x00 && tag < 0xff).toBe(true);
    expect(Math.min(...tags)).toBe(keyTag.null);
  });

  it('orders composite keys by the first part, then the second', () => {
    const composite = table(7, [['name', 'VARCHAR'], ['n', 'BIGINT'], ['x', 'DOUBLE']], [0, 1]);
    const random = prng(seed + 2);
    for (let pair = 0; pair < pairsPerType; pair++) {
      const a = [randomString(random), randomBigint(random), randomDouble(random)];
      const b = random() < 0.3 ? [a[0]!, randomBigint(random), randomDouble(random)] : [randomString(random), randomBigint(random), randomDouble(random)];
      const expected = sqlCompare(a[0]!, b[0]!) || sqlCompare(a[1]!, b[1]!);
      const encoded = Math.sign(Buffer.compare(encodeRowKey(composite, a), encodeRowKey(composite, b)));
      if (encoded !== expected) throw new Error(`seed ${seed}, pair ${pair}: (${a.map(show).join(', ')}) vs (${b.map(show).join(', ')}): bytes ${encoded}, SQL ${expected}`);
    }
  });

  it('keeps a composite key of a string and its extension apart: (a, max) < (a\\0, min)', () => {
    const composite = table(3, [['s', 'VARCHAR'], ['n', 'BIGINT']], [0, 1]);
    const low = encodeRowKey(composite, ['a', int64Max]);
    const high = encodeRowKey(composite, ['a\u0000', int64Min]);
    expect(Buffer.compare(low, high)).toBe(-1);
    expect(Buffer.compare(encodeRowKey(composite, ['', int64Max]), encodeRowKey(composite, ['\u0000', int64Min]))).toBe(-1);
  });

  it('encodes only the key columns, in primary-key order', () => {
    const reordered = table(5, [['a', 'BIGINT'], ['b', 'BIGINT']], [1, 0]);
    // Key order is (b, a): (b=1, a=9) sorts before (b=2, a=0).
    expect(Buffer.compare(encodeRowKey(reordered, [9n, 1n]), encodeRowKey(reordered, [0n, 2n]))).toBe(-1);
    const single = table(5, [['id', 'BIGINT'], ['payload', 'VARCHAR']], [0]);
    expect(encodeRowKey(single, [1n, 'x']).equals(encodeRowKey(single, [1n, 'a much longer payload']))).toBe(true);
  });

  it('never interleaves tables: every key of table t lies in [tablePrefix(t), tableEnd(t))', () => {
    const random = prng(seed + 3);
    const ids = [0, 1, 2, 255, 256, 65_535, 65_536, 0xffff_fffe];
    for (let round = 0; round < 500; round++) {
      const id = pick(random, ids);
      const keyed = table(id, [['s', 'VARCHAR'], ['n', 'BIGINT']], [0, 1]);
      const key = encodeRowKey(keyed, [pick(random, ['', '\uffff', '\u{1f600}\u{1f600}', 'a']), pick(random, [int64Min, int64Max, 0n])]);
      expect(Buffer.compare(tablePrefix(id), key)).toBeLessThanOrEqual(0);
      expect(Buffer.compare(key, tableEnd(id))).toBe(-1);
      expect(Buffer.compare(tableEnd(id), tablePrefix(id + 1))).toBe(0);
      if (id > 0) expect(Buffer.compare(tableEnd(id - 1), key)).toBeLessThanOrEqual(0);
    }
  });

  it('rejects a NULL primary key part and a table id outside u32 (asserts)', () => {
    expect(() => encodeRowKey(table(1, [['id', 'BIGINT']], [0]), [null])).toThrow();
    expect(() => tablePrefix(-1)).toThrow();
    expect(() => tablePrefix(2 ** 32)).toThrow();
    expect(() => encodeKeyPart('BIGINT', 1)).toThrow(); // an integer key must arrive as bigint
  });
});
