// Writes fixed-width little-endian fields into a buffer sized in advance. The values come from
// this node, so a value that does not fit its field is our bug: an assert, not an error.
import { assert } from '../../base/assert.js';

const u64Limit = 1n << 64n;

export class ByteWriter {
  private offset = 0;
  readonly bytes: Buffer;

  constructor(length: number) {
    this.bytes = Buffer.allocUnsafe(length);
  }

  u8(value: number): void {
    this.offset = this.bytes.writeUInt8(value, this.offset);
  }

  u32(value: number): void {
    assert(Number.isInteger(value) && value >= 0 && value <= 0xffff_ffff, `${value} does not fit 32 bits`);
    this.offset = this.bytes.writeUInt32LE(value, this.offset);
  }

  u64(value: bigint): void {
    assert(value >= 0n && value < u64Limit, `${value} does not fit 64 bits`);
    this.offset = this.bytes.writeBigUInt64LE(value, this.offset);
  }

  flag(value: boolean): void {
    this.u8(value ? 1 : 0);
  }

  raw(value: Uint8Array): void {
    this.bytes.set(value, this.offset);
    this.offset += value.length;
  }

  // The writer filled exactly what was sized: a mismatch would send uninitialized memory.
  finish(): Buffer {
    assert(this.offset === this.bytes.length, `wrote ${this.offset} of ${this.bytes.length} bytes`);
    return this.bytes;
  }
}
