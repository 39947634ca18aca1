// Proves DECIMAL values are exact and follow MySQL's rules where the differential test cannot
// reach: parsing and its refusals, text form, the scale cap of products, column fitting,
// conversions, and the static result types the binder will use.
import { describe, expect, it } from 'vitest';
import {
  Decimal,
  addDecimals,
  checkDecimalType,
  compareDecimals,
  decimalFromBigint,
  decimalFromDouble,
  decimalToBigint,
  decimalToDouble,
  divideDecimals,
  fitDecimal,
  formatDecimal,
  multiplyDecimals,
  parseDecimal,
  productType,
  quotientType,
  roundDecimal,
  subtractDecimals,
  sumType,
} from '../../services/values/decimal.js';
import { errorCodeOf } from '../sql/run-on-store.js';

function text(value: Decimal | null): string | null {
  return value === null ? null : formatDecimal(value);
}

const errorCode = errorCodeOf;

describe('parseDecimal', () => {
  it('keeps the scale the text shows', () => {
    expect(text(parseDecimal('1.50'))).toBe('1.50');
    expect(text(parseDecimal('-0.001'))).toBe('-0.001');
    expect(text(parseDecimal('.5'))).toBe('0.5');
    expect(text(parseDecimal('12.'))).toBe('12');
    expect(text(parseDecimal('  +7  '))).toBe('7');
    expect(parseDecimal('1.50').scale).toBe(2);
  });

  it('applies an exponent exactly', () => {
    expect(text(parseDecimal('1.5e3'))).toBe('1500');
    expect(text(parseDecimal('123E-2'))).toBe('1.23');
    expect(text(parseDecimal('-2.5e-1'))).toBe('-0.25');
  });

  it('rounds digits past the maximum scale of 30, half away from zero', () => {
    expect(text(parseDecimal(`0.${'0'.repeat(29)}15`))).toBe(`0.${'0'.repeat(29)}2`);
    expect(text(parseDecimal(`-0.${'0'.repeat(29)}15`))).toBe(`-0.${'0'.repeat(29)}2`);
  });

  it('refuses text that is not a number with TYPE_MISMATCH', () => {
    for (const bad of ['', ' ', '.', '1.2.3', '1,5', 'abc', '1.5x', '--1', 'e5', '0x10']) expect(errorCode(() => parseDecimal(bad)), bad).toBe('TYPE_MISMATCH');
  });

  it('refuses more than 65 digits with VALUE_OUT_OF_RANGE', () => {
    expect(text(parseDecimal('9'.repeat(65)))).toBe('9'.repeat(65));
    expect(errorCode(() => parseDecimal('1'.repeat(66)))).toBe('VALUE_OUT_OF_RANGE');
    expect(errorCode(() => parseDecimal('1e65'))).toBe('VALUE_OUT_OF_RANGE');
    expect(errorCode(() => parseDecimal('1e123456789'))).toBe('VALUE_OUT_OF_RANGE');
    expect(text(parseDecimal('1e-123456789'))).toBe(`0.${'0'.repeat(30)}`);
  });

  it('handles statement-sized literals by their digits, before building any bigint', () => {
    const many = 512 * 1024;
    expect(text(parseDecimal(`0.${'1'.repeat(many)}`))).toBe(`0.${'1'.repeat(30)}`);
    expect(text(parseDecimal(`0.${'6'.repeat(many)}`))).toBe(`0.${'6'.repeat(29)}7`);
    expect(text(parseDecimal(`${'0'.repeat(many)}1.5`))).toBe('1.5');
    expect(text(parseDecimal(`${'1'.repeat(many)}e-${many - 1}`))).toBe(`1.${'1'.repeat(30)}`);
    expect(errorCode(() => parseDecimal('1'.repeat(many)))).toBe('VALUE_OUT_OF_RANGE');
    expect(text(parseDecimal(`-0.${'0'.repeat(30)}5`))).toBe(`-0.${'0'.repeat(29)}1`);
    expect(text(parseDecimal(`0.${'0'.repeat(30)}4${'9'.repeat(100)}`))).toBe(`0.${'0'.repeat(30)}`);
  });
});

describe('formatting and conversions', () => {
  it('writes MySQL text: leading zero, scale digits, no negative zero', () => {
    expect(formatDecimal(new Decimal(5n, 3))).toBe('0.005');
    expect(formatDecimal(new Decimal(-5n, 3))).toBe('-0.005');
    expect(formatDecimal(new Decimal(0n, 2))).toBe('0.00');
    expect(formatDecimal(new Decimal(-0n, 2))).toBe('0.00');
    expect(formatDecimal(new Decimal(-120n, 0))).toBe('-120');
  });

  it('converts from and to integers and doubles', () => {
    expect(text(decimalFromBigint(-(2n ** 63n)))).toBe('-9223372036854775808');
    expect(text(decimalFromDouble(0.1))).toBe('0.1');
    expect(text(decimalFromDouble(1e21))).toBe('1000000000000000000000');
    expect(text(decimalFromDouble(-1.5e-7))).toBe('-0.00000015');
    expect(errorCode(() => decimalFromDouble(Number.NaN))).toBe('VALUE_OUT_OF_RANGE');
    expect(decimalToDouble(parseDecimal('0.1'))).toBe(0.1);
    expect(decimalToDouble(parseDecimal('-123456789.987654321'))).toBe(-123456789.987654321);
    expect(decimalToBigint(parseDecimal('2.5'))).toBe(3n);
    expect(decimalToBigint(parseDecimal('-2.5'))).toBe(-3n);
    expect(decimalToBigint(parseDecimal('-2.4'))).toBe(-2n);
  });
});

describe('arithmetic', () => {
  it('compares across scales', () => {
    expect(compareDecimals(parseDecimal('1.50'), parseDecimal('1.5'))).toBe(0);
    expect(compareDecimals(parseDecimal('-1.51'), parseDecimal('-1.5'))).toBe(-1);
    expect(compareDecimals(parseDecimal('0.1'), parseDecimal('0.09999'))).toBe(1);
  });

  it('adds, subtracts and multiplies exactly where a double would not', () => {
    expect(text(addDecimals(parseDecimal('0.1'), parseDecimal('0.2')))).toBe('0.3');
    expect(text(subtractDecimals(parseDecimal('1'), parseDecimal('0.99')))).toBe('0.01');
    expect(text(multiplyDecimals(parseDecimal('1.10'), parseDecimal('1.1')))).toBe('1.210');
    const big = parseDecimal('12345678901234567890123456789.123456789');
    expect(text(addDecimals(big, big))).toBe('24691357802469135780246913578.246913578');
  });

  it('cuts a product past scale 30 to 30 digits, as MySQL does', () => {
    const tiny = parseDecimal(`0.${'0'.repeat(15)}1`); // 1e-16, scale 16
    expect(text(multiplyDecimals(tiny, tiny))).toBe(`0.${'0'.repeat(30)}`);
    expect(multiplyDecimals(tiny, parseDecimal('1.99999999999999999')).scale).toBe(30);
    expect(text(multiplyDecimals(parseDecimal(`0.${'9'.repeat(20)}`), parseDecimal(`0.${'9'.repeat(20)}`)))).toBe(`0.${'9'.repeat(19)}8${'0'.repeat(10)}`);
  });

  it('divides at the dividend scale plus 4, NULL for division by zero', () => {
    expect(text(divideDecimals(decimalFromBigint(1n), decimalFromBigint(3n)))).toBe('0.3333');
    expect(text(divideDecimals(decimalFromBigint(2n), decimalFromBigint(3n)))).toBe('0.6667');
    expect(text(divideDecimals(parseDecimal('-2.00'), decimalFromBigint(3n)))).toBe('-0.666667');
    expect(text(divideDecimals(parseDecimal('1.0'), parseDecimal('0.0')))).toBeNull();
    // The word-boundary cut: s1 + 4 = 9 and s2 = 0, so the ninth digit is cut, not rounded.
    expect(text(divideDecimals(parseDecimal('0.06684'), parseDecimal('-77')))).toBe('-0.000868051');
  });

  it('rounds to negative places up to every digit, and to zero past them', () => {
    expect(text(roundDecimal(parseDecimal('-1550.5'), -2))).toBe('-1600');
    expect(text(roundDecimal(parseDecimal(`4${'9'.repeat(64)}`), -65))).toBe('0');
    expect(errorCode(() => roundDecimal(parseDecimal('9'.repeat(65)), -64))).toBe('VALUE_OUT_OF_RANGE');
    expect(text(roundDecimal(parseDecimal('123.45'), -1_000_000_000))).toBe('0');
    expect(text(roundDecimal(parseDecimal('123.45'), 1_000_000_000))).toBe(`123.45${'0'.repeat(28)}`);
  });

  it('refuses results of more than 65 digits', () => {
    const max = parseDecimal('9'.repeat(65));
    expect(errorCode(() => addDecimals(max, decimalFromBigint(1n)))).toBe('VALUE_OUT_OF_RANGE');
    expect(errorCode(() => multiplyDecimals(max, parseDecimal('10')))).toBe('VALUE_OUT_OF_RANGE');
    expect(errorCode(() => divideDecimals(max, parseDecimal('0.1')))).toBe('VALUE_OUT_OF_RANGE');
  });
});

describe('fitDecimal (assignment to a DECIMAL(p,s) column, strict mode)', () => {
  const money = checkDecimalType(5, 2);

  it('rounds excess scale half away from zero and pads a shorter one', () => {
    expect(text(fitDecimal(parseDecimal('1.005'), money, 'c'))).toBe('1.01');
    expect(text(fitDecimal(parseDecimal('-1.005'), money, 'c'))).toBe('-1.01');
    expect(text(fitDecimal(parseDecimal('-1.004'), money, 'c'))).toBe('-1.00');
    expect(text(fitDecimal(parseDecimal('7'), money, 'c'))).toBe('7.00');
    expect(text(fitDecimal(parseDecimal('-0.001'), money, 'c'))).toBe('0.00');
  });

  it('refuses an integer part wider than p - s, also when rounding makes it so', () => {
    expect(text(fitDecimal(parseDecimal('999.99'), money, 'c'))).toBe('999.99');
    expect(errorCode(() => fitDecimal(parseDecimal('1000'), money, 'c'))).toBe('VALUE_OUT_OF_RANGE');
    expect(errorCode(() => fitDecimal(parseDecimal('999.995'), money, 'c'))).toBe('VALUE_OUT_OF_RANGE');
    expect(errorCode(() => fitDecimal(parseDecimal('-999.995'), money, 'c'))).toBe('VALUE_OUT_OF_RANGE');
    expect(text(fitDecimal(parseDecimal('0.5'), checkDecimalType(1, 1), 'c'))).toBe('0.5');
  });

  it('accepts the column types MySQL accepts and refuses the others', () => {
    expect(checkDecimalType(65, 30)).toEqual({ precision: 65, scale: 30 });
    for (const [p, s] of [[0, 0], [66, 0], [10, 31], [5, 6], [1.5, 0], [10, -1]] as const) {
      expect(errorCode(() => checkDecimalType(p, s)), `${p},${s}`).toBe('TABLE_DEFINITION_INVALID');
    }
  });
});

describe('static result types', () => {
  it('follow MySQL: + and - add a carry digit, * sums, / adds 4 to the scale', () => {
    expect(sumType({ precision: 5, scale: 2 }, { precision: 10, scale: 0 })).toEqual({ precision: 13, scale: 2 });
    expect(productType({ precision: 5, scale: 2 }, { precision: 4, scale: 3 })).toEqual({ precision: 9, scale: 5 });
    expect(quotientType({ precision: 5, scale: 2 }, { precision: 4, scale: 3 })).toEqual({ precision: 12, scale: 6 });
    expect(productType({ precision: 65, scale: 30 }, { precision: 65, scale: 30 })).toEqual({ precision: 65, scale: 30 });
  });
});
