// The MySQL protocol's framing: each packet is a 3-byte little-endian length, a 1-byte sequence
// id and its payload; a payload of 16 MiB - 1 bytes or more is split into packets of exactly
// 0xffffff bytes followed by a shorter one. The reader joins them and refuses, from the headers
// alone and before buffering the bytes, a payload beyond the connection's max_allowed_packet:
// a client cannot make the node hold more than that per connection.

import { PayloadWriter } from './wire.js';

const packetPayloadMax = 0xff_ffff;

export type Framed =
  | { readonly kind: 'payload'; readonly sequenceId: number; readonly payload: Buffer }
  | { readonly kind: 'too_large'; readonly sequenceId: number };

export class PacketReader {
  private buffered: Buffer = Buffer.alloc(0);
  private parts: Buffer[] = [];
  private partsBytes = 0;
  private refused = false;

  constructor(private readonly payloadBytesMax: number) {}

  // The payloads that `chunk` completes, in order, at most `payloadsMax` of them (the rest stay
  // buffered). After a `too_large` the reader takes nothing more: the connection is answered
  // and closed.
  push(chunk: Buffer, payloadsMax = Number.POSITIVE_INFINITY): Framed[] {
    if (this.refused) return [];
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const framed: Framed[] = [];
    while (this.buffered.length >= 4 && framed.length < payloadsMax) {
      const length = this.buffered.readUIntLE(0, 3);
      const sequenceId = this.buffered[3]!;
      if (this.partsBytes + length > this.payloadBytesMax) {
        this.refused = true;
        this.buffered = Buffer.alloc(0);
        framed.push({ kind: 'too_large', sequenceId });
        return framed;
      }
      if (this.buffered.length < 4 + length) break;
      const part = this.buffered.subarray(4, 4 + length);
      this.buffered = this.buffered.subarray(4 + length);
      if (length === packetPayloadMax) {
        this.parts.push(part);
        this.partsBytes += length;
        continue;
      }
      const payload = this.parts.length === 0 ? Buffer.from(part) : Buffer.concat([...this.parts, part]);
      this.parts = [];
      this.partsBytes = 0;
      framed.push({ kind: 'payload', sequenceId, payload });
    }
    return framed;
  }

  // The bytes received but not framed: after an SSLRequest, the start of the TLS handshake.
  takeBuffered(): Buffer {
    const bytes = this.buffered;
    this.buffered = Buffer.alloc(0);
    return bytes;
  }
}

// The packets that carry `payload`, numbered from `sequenceId`, on a buffer of their own; returns
// them and the next id.
export function framePayload(payload: Buffer, sequenceId: number): { readonly bytes: Buffer; readonly nextSequenceId: number } {
  const outgoing = new OutgoingPackets(payload.length + 4);
  const nextSequenceId = outgoing.append(payload, sequenceId);
  return { bytes: outgoing.take()!, nextSequenceId };
}

// Bytes gathered for one socket write at most; a larger buffer is handed over, not kept.
const outgoingBytesKept = 64 * 1024;

// Packets framed into one buffer until taken: the packets of a turn (a result set is a packet
// per row, and more) leave in one socket write, where a write per packet cost a system call
// and the stream's bookkeeping each.
export class OutgoingPackets {
  private writer: PayloadWriter;

  constructor(private readonly capacity = 4096) {
    this.writer = new PayloadWriter(capacity);
  }

  // Frames `payload` after the packets gathered; returns the sequence id that follows it.
  append(payload: Buffer, sequenceId: number): number {
    let sequence = sequenceId;
    let offset = 0;
    for (;;) {
      const length = Math.min(packetPayloadMax, payload.length - offset);
      this.writer.int3(length).int1(sequence).bytes(payload.subarray(offset, offset + length));
      sequence = (sequence + 1) & 0xff;
      offset += length;
      if (length < packetPayloadMax) return sequence;
    }
  }

  // Frames the payload `write` writes in place, after the packets gathered: a result set's rows
  // need no buffer each, nor a copy. Returns the sequence id that follows it.
  appendWritten(sequenceId: number, write: (writer: PayloadWriter) => void): number {
    const headerAt = this.writer.offset;
    this.writer.int3(0).int1(sequenceId);
    try {
      write(this.writer);
    } catch (error) {
      // Nothing of it stays: the packets after it must not follow half a payload.
      this.writer.truncate(headerAt);
      throw error;
    }
    const length = this.writer.offset - headerAt - 4;
    if (length < packetPayloadMax) {
      this.writer.setInt3(headerAt, length);
      return (sequenceId + 1) & 0xff;
    }
    // Too long for one packet: framed again as a payload of its own, split as append splits.
    const payload = Buffer.from(this.writer.from(headerAt + 4));
    this.writer.truncate(headerAt);
    return this.append(payload, sequenceId);
  }

  // The packets gathered, in a buffer the caller owns (a socket holds it until written), or
  // null if there are none.
  take(): Buffer | null {
    const gathered = this.writer.finish();
    if (gathered.length === 0) return null;
    if (gathered.length > outgoingBytesKept) {
      this.writer = new PayloadWriter(this.capacity);
      return gathered;
    }
    this.writer.clear();
    return Buffer.from(gathered);
  }
}
