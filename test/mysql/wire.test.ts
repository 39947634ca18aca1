// The protocol's field encodings as the writer builds them in one growing buffer, read back by
// the reader, and packets framed into one outgoing buffer as the reader splits them again:
// small and large fields, across the writer's growth, and payloads past one packet's 16 MiB.
import { describe, expect, it } from 'vitest';
import { OutgoingPackets, PacketReader } from '../../services/mysql/packet-stream.js';
import { PayloadReader, PayloadWriter } from '../../services/mysql/wire.js';
import { seededRandom } from '../support/seeded-random.js';

describe('PayloadWriter', () => {
  it('writes each field as the reader reads it back, growing from a tiny buffer', () => {
    const long = 'x'.repeat(300);
    const unicode = 'ünïcødé ✓ 𝄞'; // 2-, 3- and 4-byte UTF-8 under the short-string path
    const writer = new PayloadWriter(1)
      .int1(0xff)
      .int2(0xbeef)
      .int3(0xabcdef)
      .int4(0xdeadbeef)
      .intOfWidth(-2n, 2)
      .intOfWidth(-3n, 8)
      .double(1.5)
      .lengthEncoded(250)
      .lengthEncoded(251)
      .lengthEncoded(0x1_0000)
      .lengthEncoded(0x100_0000)
      .lengthEncoded(2n ** 40n)
      .lengthEncodedString(unicode)
      .lengthEncodedString(long)
      .lengthEncodedBytes(Buffer.from([1, 2, 3]))
      .nulTerminated('plugin')
      .zeros(3);
    const reader = new PayloadReader(writer.finish());
    expect(reader.int1()).toBe(0xff);
    expect(reader.int2()).toBe(0xbeef);
    expect(reader.bytes(3).readUIntLE(0, 3)).toBe(0xabcdef);
    expect(reader.int4()).toBe(0xdeadbeef);
    expect(reader.bytes(2).readInt16LE(0)).toBe(-2);
    expect(reader.bytes(8).readBigInt64LE(0)).toBe(-3n);
    expect(reader.bytes(8).readDoubleLE(0)).toBe(1.5);
    expect([reader.lengthEncoded(), reader.lengthEncoded(), reader.lengthEncoded(), reader.lengthEncoded(), reader.lengthEncoded()]).toEqual([250, 251, 0x1_0000, 0x100_0000, 2 ** 40]);
    expect(reader.lengthEncodedBytes().toString('utf8')).toBe(unicode);
    expect(reader.lengthEncodedBytes().toString('utf8')).toBe(long);
    expect([...reader.lengthEncodedBytes()]).toEqual([1, 2, 3]);
    expect(reader.nulTerminated().toString()).toBe('plugin');
    expect([...reader.rest()]).toEqual([0, 0, 0]);
  });

  it('fills in bits of a byte written earlier', () => {
    const writer = new PayloadWriter(1).int1(0);
    const at = writer.offset;
    writer.zeros(2).lengthEncodedString('after');
    writer.orByte(at, 0b100).orByte(at + 1, 0b1);
    expect([...writer.finish().subarray(0, 4)]).toEqual([0, 0b100, 0b1, 5]);
  });

  it('writes random strings of every length around the short-string bound exactly as Buffer.from does', () => {
    const random = seededRandom(7);
    const alphabet = ['a', 'é', '✓', '𝄞'];
    for (let length = 0; length < 200; length++) {
      let text = '';
      while (text.length < length) text += alphabet[Math.floor(random() * alphabet.length)];
      const expected = Buffer.from(text, 'utf8');
      const reader = new PayloadReader(new PayloadWriter(1).lengthEncodedString(text).finish());
      expect(reader.lengthEncodedBytes().equals(expected), `length ${length}`).toBe(true);
      expect(reader.remaining).toBe(0);
    }
  });
});

describe('OutgoingPackets', () => {
  it('frames payloads back to back with their sequence ids, splitting one of 16 MiB or more', () => {
    const outgoing = new OutgoingPackets(8);
    const small = Buffer.from('hello');
    const huge = Buffer.alloc(0xff_ffff + 10, 7);
    let sequence = outgoing.append(small, 254);
    expect(sequence).toBe(255);
    sequence = outgoing.append(huge, sequence);
    expect(sequence).toBe(1); // two packets: 255, 0
    sequence = outgoing.append(Buffer.alloc(0), sequence);
    const bytes = outgoing.take()!;
    expect(outgoing.take()).toBeNull();
    const framed = new PacketReader(64 * 1024 * 1024).push(bytes);
    expect(framed.map((packet) => (packet.kind === 'payload' ? [packet.sequenceId, packet.payload.length] : packet.kind))).toEqual([
      [254, 5],
      [0, huge.length], // a split payload carries its last packet's sequence id
      [1, 0],
    ]);
    const joined = framed[1]!;
    expect(joined.kind === 'payload' && joined.payload.equals(huge)).toBe(true);
  });

  it('frames payloads written in place as it frames the same payloads appended, splitting one of 16 MiB or more', () => {
    const payloads = [Buffer.from('hello'), Buffer.alloc(0xff_ffff + 10, 7), Buffer.alloc(0), Buffer.alloc(0xff_fffe, 3), Buffer.from('tail')];
    const appended = new OutgoingPackets(8);
    const written = new OutgoingPackets(8);
    let [appendedSequence, writtenSequence] = [250, 250];
    for (const payload of payloads) {
      appendedSequence = appended.append(payload, appendedSequence);
      writtenSequence = written.appendWritten(writtenSequence, (writer) => writer.bytes(payload));
      expect(writtenSequence).toBe(appendedSequence);
    }
    expect(written.take()!.equals(appended.take()!)).toBe(true);
  });

  it('hands over buffers that later appends do not change', () => {
    const outgoing = new OutgoingPackets(4);
    outgoing.append(Buffer.from('one'), 0);
    const first = outgoing.take()!;
    outgoing.append(Buffer.from('two'), 1);
    const second = outgoing.take()!;
    expect(first.subarray(4).toString()).toBe('one');
    expect(second.subarray(4).toString()).toBe('two');
  });
});
