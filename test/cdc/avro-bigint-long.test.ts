// Proves that the bigint long writes exactly the zig-zag varint a stock Avro long does (avsc's
// own, for every value it can hold) and reads back every 64-bit value, at the edges where the
// writer moves from doubles to bigint and where the varint gains a byte.
import avsc from 'avsc';
import { describe, expect, it } from 'vitest';
import { bigintLongType, readZigzagVarint, writeZigzagVarint } from '../../services/cdc/avro-bigint-long.js';

const stockLong = avsc.Type.forSchema('long');
// avsc's stock long is exact within 2^52 (past it, a negative's zig-zag no longer fits a double).
const edges = [0n, 1n, -1n, 63n, -64n, 64n, -65n, 2n ** 31n, -(2n ** 31n), 2n ** 52n - 1n, 2n ** 52n, -(2n ** 52n)];
const beyondDoubles = [2n ** 52n + 1n, -(2n ** 52n) - 1n, 2n ** 53n - 1n, -(2n ** 53n) + 1n, 2n ** 53n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 62n + 12_345n, 2n ** 63n - 1n, -(2n ** 63n)];

describe('the bigint Avro long', () => {
  it('writes the bytes of avsc\'s stock long for every value within 2^52', () => {
    const values = [...edges];
    for (let shift = 0n; shift < 52n; shift++) values.push(2n ** shift - 1n, -(2n ** shift), 3n * 2n ** shift / 2n);
    for (const value of values) {
      const bytes = Buffer.alloc(10);
      const length = writeZigzagVarint(value, bytes);
      expect(bytes.subarray(0, length).equals(stockLong.toBuffer(Number(value))), String(value)).toBe(true);
      expect(readZigzagVarint(bytes.subarray(0, length))).toBe(value);
    }
  });

  it('round-trips every 64-bit value through an Avro record, the extremes included', () => {
    const record = avsc.Type.forSchema({ type: 'record', name: 'R', fields: [{ name: 'n', type: 'long' }] }, { registry: { long: bigintLongType } });
    for (const value of [...edges, ...beyondDoubles]) {
      const bytes = record.toBuffer({ n: value });
      expect((record.fromBuffer(bytes) as { n: bigint }).n, String(value)).toBe(value);
    }
    // 2^63 - 1 zig-zags to 2^64 - 2 and -2^63 to 2^64 - 1: ten bytes, the last 0x01.
    expect(record.toBuffer({ n: 2n ** 63n - 1n }).toString('hex')).toBe('feffffffffffffffff01');
    expect(record.toBuffer({ n: -(2n ** 63n) }).toString('hex')).toBe('ffffffffffffffffff01');
    // -2^52 - 1 zig-zags to 2^53 + 1, which no double holds.
    expect(record.toBuffer({ n: -(2n ** 52n) - 1n }).toString('hex')).toBe('8180808080808010');
  });

  it('writes a safe integer given as a number as it writes the same bigint', () => {
    const record = avsc.Type.forSchema({ type: 'record', name: 'R', fields: [{ name: 'n', type: 'long' }] }, { registry: { long: bigintLongType } });
    for (const value of [0, 1, -1, 1_795_691_576_430, 2 ** 52, -(2 ** 52) - 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
      expect(record.toBuffer({ n: value }).equals(record.toBuffer({ n: BigInt(value) })), String(value)).toBe(true);
    }
  });

  it('refuses a value outside 64 bits and a number that is no safe integer', () => {
    expect(bigintLongType.isValid(2n ** 63n)).toBe(false);
    expect(bigintLongType.isValid(-(2n ** 63n) - 1n)).toBe(false);
    expect(bigintLongType.isValid(5.5)).toBe(false);
    expect(bigintLongType.isValid(2 ** 53)).toBe(false);
    expect(bigintLongType.isValid('5')).toBe(false);
  });
});
