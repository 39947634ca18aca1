// Order-preserving key parts of DECIMAL, DATE, TIME and DATETIME/TIMESTAMP values (the byte
// table is in storage/DESIGN.md). key-codec.ts adds them to keys like any other part: each
// begins with its tag and is self-delimiting, so byte order is SQL order part by part.
import { assert } from '../base/assert.js';
import type { Decimal } from '../values/decimal.js';
import type { SqlDate, SqlDateTime, SqlTime } from '../values/temporal.js';

// A decimal as sign, then exponent and digits of its magnitude 0.d1d2…dn × 10^e (d1 ≠ 0,
// trailing zeros dropped): so 1.5 and 1.50 are one key whatever their scale, and a key can be
// read without the column's (p,s). Positive: [0x03][e + 128][d + 1 …][0x00], where the 0x00
// terminator sorts below every digit byte, so 0.12 < 0.123. Negative: [0x01] then the
// positive form of the magnitude with every byte inverted, which reverses its order (larger
// magnitudes first) and keeps it self-delimiting (it ends in 0xFF, which no inverted digit
// is). Zero: [0x02], between the two. |e| ≤ 65, so e + 128 fits a byte.
const decimalSign = { negative: 0x01, zero: 0x02, positive: 0x03 } as const;

export function encodeDecimalPart(tag: number, value: Decimal): Buffer {
  if (value.unscaled === 0n) return Buffer.from([tag, decimalSign.zero]);
  const negative = value.unscaled < 0n;
  const allDigits = (negative ? -value.unscaled : value.unscaled).toString();
  const exponent = allDigits.length - value.scale;
  const digits = allDigits.replace(/0+$/, '');
  assert(exponent + 128 > 0 && exponent + 128 < 256);
  const part = Buffer.alloc(3 + digits.length + 1);
  part[0] = tag;
  part[1] = negative ? decimalSign.negative : decimalSign.positive;
  part[2] = exponent + 128;
  for (let at = 0; at < digits.length; at++) part[3 + at] = digits.charCodeAt(at) - 0x30 + 1;
  part[3 + digits.length] = 0x00;
  if (negative) for (let at = 2; at < part.length; at++) part[at] = ~part[at]! & 0xff;
  return part;
}

// [tag][days: i32 BE with the sign bit flipped], so two's complement sorts as unsigned bytes.
export function encodeDatePart(tag: number, value: SqlDate): Buffer {
  const part = Buffer.alloc(5);
  part[0] = tag;
  part.writeUInt32BE((value.days ^ 0x8000_0000) >>> 0, 1);
  return part;
}

// [tag][microseconds: i64 BE with the sign bit flipped]. The fsp is not in the key: 10:00:00
// and 10:00:00.000 are one value.
export function encodeMicrosPart(tag: number, value: SqlTime | SqlDateTime): Buffer {
  const part = Buffer.alloc(9);
  part[0] = tag;
  part.writeBigUInt64BE(BigInt.asUintN(64, value.micros) ^ (1n << 63n), 1);
  return part;
}
