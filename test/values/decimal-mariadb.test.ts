// Proves DECIMAL arithmetic gives MariaDB's answers: seeded random operands of random (p,s) go
// through + - * /, ROUND and CAST (of decimals and doubles)(… AS DECIMAL(p,s)) on both sides, and every result's text must match.
// Known differences, kept out of the generated cases on purpose:
// - MariaDB keeps up to 38 fractional digits in a product, MySQL (and TideDB) 30: products are
//   generated with s1 + s2 ≤ 30 (the cap itself is tested in decimal.test.ts).
// - CAST to a too-small DECIMAL clamps to the largest value with a warning in MariaDB's SELECT;
//   TideDB's strict assignment refuses it with VALUE_OUT_OF_RANGE: the test checks that MariaDB
//   clamped exactly when TideDB refused.
// - MariaDB sometimes prints a quotient that rounds to zero with a minus sign ("-0.0000…": its
//   base-10^9 rounding keeps the sign when whole words are cut off); TideDB has no negative zero
//   (the unscaled value is a bigint), so "-0.00" from MariaDB matches "0.00" from TideDB.
import type { Connection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TideError } from '../../services/base/errors.js';
import { Decimal, addDecimals, decimalFromDouble, divideDecimals, fitDecimal, formatDecimal, multiplyDecimals, parseDecimal, roundDecimal, subtractDecimals } from '../../services/values/decimal.js';
import { connectMariadb, differentialMismatches } from '../support/mariadb.js';
import type { DifferentialCase } from '../support/mariadb.js';
import { seededRandom } from '../support/seeded-random.js';

const seed = Number(process.env['SEED'] ?? 6060);
const casesPerOperation = 1_000;
const expressionsPerQuery = 200;

const connection = await connectMariadb();
if (typeof connection === 'string') console.warn(`decimal differential test skipped: MariaDB is unreachable (${connection})`);

function randomDecimalText(random: () => number, precision: number, scale: number): string {
  const digits = Array.from({ length: precision }, () => Math.floor(random() * 10)).join('');
  // Many values are short, so that carries, borrows and half-way rounding are common.
  const kept = random() < 0.5 ? digits.slice(precision - Math.min(precision, 1 + Math.floor(random() * 6))) : digits;
  const padded = kept.padStart(scale + 1, '0');
  const point = padded.length - scale;
  // "12." rather than "12": MariaDB reads a literal without a point as BIGINT, with a point as DECIMAL.
  const text = `${padded.slice(0, point)}.${padded.slice(point)}`;
  return random() < 0.4 ? `-${text}` : text;
}

function randomType(random: () => number, precisionMax: number, scaleMax: number): { precision: number; scale: number } {
  const precision = 1 + Math.floor(random() * precisionMax);
  return { precision, scale: Math.floor(random() * (Math.min(precision, scaleMax) + 1)) };
}

// The outcome as text: a value's text form, null for SQL NULL, or the error code.
function outcome(compute: () => Decimal | null): string | null {
  try {
    const value = compute();
    return value === null ? null : formatDecimal(value);
  } catch (error) {
    if (error instanceof TideError) return error.code;
    throw error;
  }
}

function generateCases(): DifferentialCase[] {
  const random = seededRandom(seed);
  const cases: DifferentialCase[] = [];
  for (let index = 0; index < casesPerOperation; index++) {
    const leftType = randomType(random, 30, 15);
    const rightType = randomType(random, 30, 15);
    const leftText = randomDecimalText(random, leftType.precision, leftType.scale);
    const rightText = random() < 0.05 ? '0.' : randomDecimalText(random, rightType.precision, rightType.scale);
    const left = parseDecimal(leftText);
    const right = parseDecimal(rightText);
    cases.push({ sql: `${leftText} + ${rightText}`, expected: () => outcome(() => addDecimals(left, right)) });
    cases.push({ sql: `${leftText} - ${rightText}`, expected: () => outcome(() => subtractDecimals(left, right)) });
    if (left.scale + right.scale <= 30) cases.push({ sql: `${leftText} * ${rightText}`, expected: () => outcome(() => multiplyDecimals(left, right)) });
    cases.push({ sql: `${leftText} / ${rightText}`, expected: () => outcome(() => divideDecimals(left, right)) });
    const digits = Math.floor(random() * 9) - 3;
    cases.push({ sql: `ROUND(${leftText}, ${digits})`, expected: () => outcome(() => roundDecimal(left, digits)) });
    const target = randomType(random, 20, 10);
    // A DOUBLE (a literal with an exponent is one in MySQL) into a DECIMAL, through its shortest text.
    const double = Number(`${Math.floor(random() * 1e6) / 1e3}e${Math.floor(random() * 16) - 8}`) * (random() < 0.4 ? -1 : 1);
    cases.push({
      sql: `CAST(${double.toExponential()} AS DECIMAL(${target.precision},${target.scale}))`,
      expected: () => {
        const fitted = outcome(() => fitDecimal(decimalFromDouble(double), target, 'c'));
        return fitted === 'VALUE_OUT_OF_RANGE' ? largest(target, double < 0) : fitted;
      },
    });
    cases.push({
      sql: `CAST(${leftText} AS DECIMAL(${target.precision},${target.scale}))`,
      expected: () => {
        const fitted = outcome(() => fitDecimal(left, target, 'c'));
        // MariaDB's SELECT clamps where a strict write refuses (see the top of this file).
        return fitted === 'VALUE_OUT_OF_RANGE' ? largest(target, left.unscaled < 0n) : fitted;
      },
    });
  }
  return cases;
}

function largest(type: { precision: number; scale: number }, negative: boolean): string {
  const value = formatDecimal(new Decimal(10n ** BigInt(type.precision) - 1n, type.scale));
  return negative ? `-${value}` : value;
}

describe.skipIf(typeof connection === 'string')('DECIMAL arithmetic against MariaDB', () => {
  let mariadb: Connection;
  beforeAll(() => {
    mariadb = connection as Connection;
  });
  afterAll(async () => {
    await mariadb.end();
  });

  it(`agrees on ${casesPerOperation} random cases of each operation (seed ${seed})`, async () => {
    const cases = generateCases();
    const mismatches = await differentialMismatches(mariadb, cases, (ours, theirs) => theirs !== null && /^-0(\.0+)?$/.test(theirs) && ours === theirs.slice(1), expressionsPerQuery);
    expect(mismatches.slice(0, 20), `seed ${seed}`).toEqual([]);
    expect(cases.length).toBeGreaterThan(6 * casesPerOperation);
  }, 120_000);
});
