// Reads fixed-width fields from bytes a peer sent. Every read checks that the bytes are there
// and fails with PEER_MESSAGE_INVALID otherwise, so a decoder built on it can only fail with
// that code, whatever arrives; nothing it returns is longer than the bytes it read.
import { TideError } from '../../base/errors.js';

export function invalidPeerBytes(message: string): TideError {
  return new TideError('PEER_MESSAGE_INVALID', message);
}

export class ByteReader {
  private offset = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  u8(): number {
    return this.take(1)[0]!;
  }

  u32(): number {
    this.take(4);
    return this.view.getUint32(this.offset - 4, true);
  }

  u64(): bigint {
    this.take(8);
    return this.view.getBigUint64(this.offset - 8, true);
  }

  // 0 or 1 only: any other byte is a corrupt or foreign message, not "true".
  flag(what: string): boolean {
    const value = this.u8();
    if (value > 1) throw invalidPeerBytes(`${what} is ${value}, not 0 or 1`);
    return value === 1;
  }

  // A copy, so that what the caller keeps does not pin the whole frame in memory.
  copy(length: number): Uint8Array {
    return new Uint8Array(this.take(length)); // Buffer#slice would share memory
  }

  // A view into the bytes, for the caller to read at once and drop.
  slice(length: number): Uint8Array {
    return this.take(length);
  }

  // A decoder calls this last: bytes left over mean the sender and we disagree on the format.
  end(what: string): void {
    if (this.remaining !== 0) throw invalidPeerBytes(`${this.remaining} bytes left after ${what}`);
  }

  private take(length: number): Uint8Array {
    if (length > this.remaining) {
      throw invalidPeerBytes(`needs ${length} more bytes at offset ${this.offset}, has ${this.remaining}`);
    }
    const view = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return view;
  }
}
