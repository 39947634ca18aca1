// Avro long as bigint. avsc's own long is a JS number and refuses values beyond 2^53, which a
// BIGINT column holds; this type writes the same zig-zag varint bytes, so any stock Avro decoder
// reads them (a JS one yields numbers up to 2^53 and refuses larger ones).
//
// It writes the varint itself (avsc's noUnpack mode) rather than hand avsc eight
// two's-complement bytes to pack: an envelope holds half a dozen longs (lsn, timestamps,
// transaction id and places), and building, inverting and packing those bytes through bigint
// operations was several per cent of the publisher's time. Values within 2^52 (every lsn,
// timestamp and count, most keys) are done in doubles, exactly; the rest in bigint. It takes a
// safe integer as well as a bigint, so that the publisher need not make a bigint of every
// timestamp and count it writes; it reads back a bigint.
import avsc from 'avsc';

const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;
// |n| <= 2^52 keeps 2|n| + 1 below 2^53, exact in a double.
const exactMagnitudeMax = 2 ** 52;
// Avro's longest long: 64 bits, seven a byte.
const varintBytesMax = 10;

// avsc copies the bytes toBuffer answers into its output at once and keeps nothing, so one
// buffer serves every long written, through a view of it for each length a varint can have
// (a new view per long showed in the profile as well).
const scratch = Buffer.alloc(varintBytesMax);
const scratchViews = Array.from({ length: varintBytesMax + 1 }, (_, length) => scratch.subarray(0, length));

// Writes `value`'s zig-zag varint at the start of `into`; answers its length.
export function writeZigzagVarint(value: bigint | number, into: Buffer): number {
  const n = Number(value);
  let at = 0;
  if (n >= -exactMagnitudeMax && n <= exactMagnitudeMax) {
    let zigzag = n >= 0 ? n * 2 : -n * 2 - 1;
    while (zigzag >= 0x80) {
      into[at++] = (zigzag % 0x80) | 0x80;
      zigzag = Math.floor(zigzag / 0x80);
    }
    into[at++] = zigzag;
    return at;
  }
  const wide = BigInt(value);
  let zigzag = BigInt.asUintN(64, (wide << 1n) ^ (wide >> 63n));
  while (zigzag >= 0x80n) {
    into[at++] = Number(zigzag & 0x7fn) | 0x80;
    zigzag >>= 7n;
  }
  into[at++] = Number(zigzag);
  return at;
}

// The long whose zig-zag varint `bytes` holds (all of them).
export function readZigzagVarint(bytes: Uint8Array): bigint {
  let zigzag = 0n;
  let shift = 0n;
  for (const byte of bytes) {
    zigzag |= BigInt(byte & 0x7f) << shift;
    shift += 7n;
  }
  return (zigzag >> 1n) ^ -(zigzag & 1n);
}

export const bigintLongType = avsc.types.LongType.__with(
  {
    fromBuffer: (bytes: Buffer): bigint => readZigzagVarint(bytes),
    toBuffer: (value: bigint | number): Buffer => scratchViews[writeZigzagVarint(value, scratch)]!,
    fromJSON: (json: unknown): bigint => BigInt(json as number | string),
    toJSON: (value: bigint): number => Number(value),
    isValid: (value: unknown): boolean => (typeof value === 'bigint' && value >= int64Min && value <= int64Max) || Number.isSafeInteger(value),
    compare: (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0),
  },
  // The bytes toBuffer answers and fromBuffer reads are the varint itself.
  true,
);
