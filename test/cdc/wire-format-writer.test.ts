// Proves that the shared-chunk writer frames Avro values byte for byte as encodeWireFormat of
// avsc's toBuffer does, across chunk boundaries and for values larger than a chunk, and that a
// message handed out earlier keeps its bytes while later ones are written.
import avsc from 'avsc';
import { describe, expect, it } from 'vitest';
import { encodeWireFormat } from '../../services/cdc/wire-format.js';
import { WireFormatWriter } from '../../services/cdc/wire-format-writer.js';

const type = avsc.Type.forSchema({ type: 'record', name: 'Item', fields: [{ name: 'id', type: 'long' }, { name: 'text', type: 'string' }] });

describe('WireFormatWriter', () => {
  it('writes the same bytes as encodeWireFormat, and earlier messages keep theirs', () => {
    const writer = new WireFormatWriter();
    // Sizes from a few bytes to past a chunk (256 KiB), so values straddle chunk ends and one
    // needs a chunk of its own.
    const values = Array.from({ length: 3_000 }, (_, n) => ({ id: n * 7_919 - 1_000_000, text: 'x'.repeat((n * 37) % 500) }));
    values.push({ id: 1, text: 'y'.repeat(300 * 1024) }, { id: 2, text: 'after the large one' });
    const written = values.map((value, n) => writer.write(n, type, value));
    values.forEach((value, n) => {
      expect(written[n]!.equals(encodeWireFormat(n, type.toBuffer(value))), `message ${n}`).toBe(true);
    });
  });

  it('refuses a value its type does not accept, as toBuffer does', () => {
    expect(() => new WireFormatWriter().write(1, type, { id: 'one', text: 'x' })).toThrow();
  });
});
