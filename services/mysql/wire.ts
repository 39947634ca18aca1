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

// Builds one payload from parts; `finish()` joins them.
export class PayloadWriter {
  private readonly parts: Buffer[] = [];

  int1(value: number): this {
    this.parts.push(Buffer.from([value & 0xff]));
    return this;
  }

  int2(value: number): this {
    const bytes = Buffer.alloc(2);
    bytes.writeUInt16LE(value & 0xffff, 0);
    this.parts.push(bytes);
    return this;
  }

  int3(value: number): this {
    const bytes = Buffer.alloc(3);
    bytes.writeUIntLE(value, 0, 3);
    this.parts.push(bytes);
    return this;
  }

  int4(value: number): this {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32LE(value >>> 0, 0);
    this.parts.push(bytes);
    return this;
  }

  bytes(value: Uint8Array): this {
    this.parts.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    return this;
  }

  zeros(length: number): this {
    this.parts.push(Buffer.alloc(length));
    return this;
  }

  lengthEncoded(value: number | bigint): this {
    const big = BigInt(value);
    if (big < 0xfbn) return this.int1(Number(big));
    if (big < 0x1_0000n) return this.int1(0xfc).int2(Number(big));
    if (big < 0x100_0000n) return this.int1(0xfd).int3(Number(big));
    const bytes = Buffer.alloc(8);
    bytes.writeBigUInt64LE(big, 0);
    return this.int1(0xfe).bytes(bytes);
  }

  lengthEncodedBytes(value: Uint8Array): this {
    return this.lengthEncoded(value.byteLength).bytes(value);
  }

  lengthEncodedString(value: string): this {
    return this.lengthEncodedBytes(Buffer.from(value, 'utf8'));
  }

  nulTerminated(value: string | Uint8Array): this {
    this.parts.push(typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value), Buffer.from([0]));
    return this;
  }

  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}
