// Writes Avro values in the Confluent wire format (wire-format.ts) straight into large shared
// chunks of memory, handing out each message as a view of its own bytes. The publisher encodes
// thousands of keys and envelopes a round; avsc's toBuffer() allocates (and zero-fills) a
// buffer for every value and the framing another, and copies the body between them: a tenth
// of the publisher's time went to those allocations and copies and the garbage they left.
//
// A chunk is never written again once a message lies in it, so every view stays valid for as
// long as it is held (each keeps its whole chunk alive: the publisher holds a round's messages
// only until the round is sent).
import type avsc from 'avsc';
import { AssertionError, assert } from '../base/assert.js';
import { magicByte, wireHeaderBytes } from './wire-format.js';

// Large enough that a round of messages takes a few chunks, small enough that a chunk kept
// alive by a message someone holds on to costs little.
const chunkBytes = 256 * 1024;

export class WireFormatWriter {
  private chunk = Buffer.allocUnsafeSlow(chunkBytes);
  private used = 0;

  // `value` encoded with `type` after the header naming `schemaId`: the same bytes as
  // encodeWireFormat(schemaId, type.toBuffer(value)).
  write(schemaId: number, type: avsc.Type, value: unknown): Buffer {
    assert(Number.isInteger(schemaId) && schemaId >= 0 && schemaId <= 0x7fffffff);
    // A value that does not fit in what is left of the chunk goes to a fresh one, as large as
    // it needs: the second try fits, or a third once the header alone had not.
    for (let attempt = 0; attempt < 3; attempt++) {
      const start = this.used;
      const end = this.tryWrite(start, schemaId, type, value);
      if (end >= 0) {
        this.used = end;
        return this.chunk.subarray(start, end);
      }
      this.chunk = Buffer.allocUnsafeSlow(Math.max(chunkBytes, -end));
      this.used = 0;
    }
    throw new AssertionError(`an Avro value of schema ${schemaId} fit in no chunk`);
  }

  // The end of the framed value written at `start`; when the chunk is too short, minus the
  // bytes it needs (at least).
  private tryWrite(start: number, schemaId: number, type: avsc.Type, value: unknown): number {
    const chunk = this.chunk;
    if (chunk.length - start < wireHeaderBytes) return -wireHeaderBytes;
    chunk[start] = magicByte;
    chunk.writeUInt32BE(schemaId, start + 1);
    // avsc answers the new position or, when the buffer is too short, minus the bytes missing.
    const position = type.encode(value, chunk, start + wireHeaderBytes);
    return position >= 0 ? position : -(chunk.length - position - start);
  }
}
