// The MySQL protocol's field encodings (fixed-width little-endian integers, length-encoded
// integers and strings, NUL-terminated strings) for one packet's payload. Reading past the
// payload's end is a MalformedPacket, never an out-of-range read: every byte read here came
// from the network.

export class MalformedPacket extends Error {}

export class PayloadReader {
  private offset = 0;

  constructor(private readonly payload: Buffer) {}

  get remaining(): number {
    return this.payload.length - this.offset;
  }

  private take(length: number): Buffer {
    if (length < 0 || this.offset + length > this.payload.length) throw new MalformedPacket(`packet ends ${this.offset + length - this.payload.length} bytes early`);
    const bytes = this.payload.subarray(this.offset, this.offset + length);
    this.offset += length;
    return bytes;
  }

  int1(): number {
    return this.take(1)[0]!;
  }

  int2(): number {
    return this.take(2).readUInt16LE(0);
  }

  int4(): number {
    return this.take(4).readUInt32LE(0);
  }

  int8(): bigint {
    return this.take(8).readBigUInt64LE(0);
  }

  skip(length: number): void {
    this.take(length);
  }

  bytes(length: number): Buffer {
    return this.take(length);
  }

  rest(): Buffer {
    return this.take(this.remaining);
  }

  // A length-encoded integer; lengths this large are refused by the caller's bounds anyway.
  lengthEncoded(): number {
    const first = this.int1();
    if (first < 0xfb) return first;
    if (first === 0xfc) return this.int2();
    if (first === 0xfd) return this.take(3).readUIntLE(0, 3);
    if (first === 0xfe) {
      const value = this.int8();
      if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new MalformedPacket('length-encoded integer too large');
      return Number(value);
    }
    throw new MalformedPacket(`0x${first.toString(16)} does not start a length-encoded integer`);
  }

  lengthEncodedBytes(): Buffer {
    return this.take(this.lengthEncoded());
  }

  nulTerminated(): Buffer {
    const end = this.payload.indexOf(0, this.offset);
    if (end < 0) throw new MalformedPacket('string has no terminating NUL');
    const bytes = this.payload.subarray(this.offset, end);
    this.offset = end + 1;
    return bytes;
  }
}

// Builds one payload in one growing buffer, written in place: a row of a result set is a
// payload, and a buffer per field (then joined) cost more than the rest of answering a query.
export class PayloadWriter {
  private buffer: Buffer;
  private length = 0;

  constructor(capacity = 128) {
    this.buffer = Buffer.allocUnsafe(capacity);
  }

  // Where the payload ends so far: the offset of the next byte written.
  get offset(): number {
    return this.length;
  }

  int1(value: number): this {
    const at = this.extend(1);
    this.buffer[at] = value & 0xff;
    return this;
  }

  int2(value: number): this {
    const at = this.extend(2);
    this.buffer.writeUInt16LE(value & 0xffff, at);
    return this;
  }

  int3(value: number): this {
    const at = this.extend(3);
    this.buffer.writeUIntLE(value, at, 3);
    return this;
  }

  int4(value: number): this {
    const at = this.extend(4);
    this.buffer.writeUInt32LE(value >>> 0, at);
    return this;
  }

  // The low `width` bytes (1, 2, 4 or 8) of a two's-complement integer.
  intOfWidth(value: bigint, width: 1 | 2 | 4 | 8): this {
    const at = this.extend(width);
    if (width === 8) this.buffer.writeBigUInt64LE(BigInt.asUintN(64, value), at);
    else this.buffer.writeUIntLE(Number(BigInt.asUintN(width * 8, value)), at, width);
    return this;
  }

  double(value: number): this {
    const at = this.extend(8);
    this.buffer.writeDoubleLE(value, at);
    return this;
  }

  bytes(value: Uint8Array): this {
    const at = this.extend(value.byteLength);
    this.buffer.set(value, at);
    return this;
  }

  zeros(length: number): this {
    const at = this.extend(length);
    this.buffer.fill(0, at, at + length);
    return this;
  }

  // Sets bits in a byte already written (a NULL bitmap filled in as the values follow it).
  orByte(offset: number, bits: number): this {
    this.buffer[offset]! |= bits;
    return this;
  }

  lengthEncoded(value: number | bigint): this {
    const small = typeof value === 'number' ? value : value < 0x100_0000n ? Number(value) : null;
    if (small !== null && small < 0x100_0000) {
      if (small < 0xfb) return this.int1(small);
      if (small < 0x1_0000) return this.int1(0xfc).int2(small);
      return this.int1(0xfd).int3(small);
    }
    this.int1(0xfe);
    const at = this.extend(8);
    this.buffer.writeBigUInt64LE(BigInt(value), at);
    return this;
  }

  lengthEncodedBytes(value: Uint8Array): this {
    return this.lengthEncoded(value.byteLength).bytes(value);
  }

  lengthEncodedString(value: string): this {
    // A string of at most 83 UTF-16 units is at most 249 UTF-8 bytes: its length fits the one
    // byte reserved before it, filled in once written, without measuring the string first.
    if (value.length <= 83) {
      const lengthAt = this.extend(1);
      const at = this.extend(value.length * 3);
      const written = this.buffer.write(value, at, 'utf8');
      this.buffer[lengthAt] = written;
      this.length = at + written;
      return this;
    }
    const byteLength = Buffer.byteLength(value, 'utf8');
    this.lengthEncoded(byteLength);
    const at = this.extend(byteLength);
    this.buffer.write(value, at, byteLength, 'utf8');
    return this;
  }

  nulTerminated(value: string | Uint8Array): this {
    if (typeof value === 'string') {
      const byteLength = Buffer.byteLength(value, 'utf8');
      const at = this.extend(byteLength);
      this.buffer.write(value, at, byteLength, 'utf8');
    } else {
      this.bytes(value);
    }
    return this.int1(0);
  }

  // Starts again at an empty payload, in the same buffer.
  clear(): void {
    this.length = 0;
  }

  // Writes a 3-byte little-endian integer over bytes already written (a length known only once
  // what it counts is written).
  setInt3(offset: number, value: number): this {
    this.buffer.writeUIntLE(value, offset, 3);
    return this;
  }

  // Forgets what was written from `offset` on.
  truncate(offset: number): this {
    this.length = offset;
    return this;
  }

  // The bytes written from `offset` on, as a view (valid until the writer writes again there).
  from(offset: number): Buffer {
    return this.buffer.subarray(offset, this.length);
  }

  // The payload: a view of the writer's buffer, valid until the writer writes again after
  // clear().
  finish(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  // Makes room for `bytes` more and returns where they go.
  private extend(bytes: number): number {
    const at = this.length;
    const needed = at + bytes;
    if (needed > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
      this.buffer.copy(grown, 0, 0, at);
      this.buffer = grown;
    }
    this.length = needed;
    return at;
  }
}
