// The metadata the Kafka publisher keeps with its checkpoint: the selection the checkpoint was
// published under and a snapshot's progress, read back as written, the first format (progress
// alone) still read, and the largest possible one within Kafka's offset metadata limit.
import { describe, expect, it } from 'vitest';
import { decodeCheckpointMetadata, encodeCheckpointMetadata, progressOf } from '../../services/cdc/checkpoint-metadata.js';
import { TableSelection, selectionPatternsLengthMax } from '../../services/cdc/table-selection.js';
import { keyBytesMax } from '../../services/base/limits.js';

const current = TableSelection.parse('app.*', 'app.audit_*').patterns;

describe('checkpoint metadata', () => {
  it('reads back the published selection and a snapshot in progress', () => {
    const metadata = {
      published: TableSelection.parse('app.orders', '').patterns,
      snapshot: { scope: 'added' as const, target: current, atLsn: 123_456_789n, tsMs: 1_700_000_000_000, tableId: 7, afterKey: Buffer.from([0, 1, 254, 255]) },
    };
    expect(decodeCheckpointMetadata(encodeCheckpointMetadata(metadata), current)).toEqual(metadata);
    expect(decodeCheckpointMetadata(encodeCheckpointMetadata({ published: current, snapshot: null }), current)).toEqual({ published: current, snapshot: null });
  });

  it('reads the first format, an initial snapshot\'s progress alone, as a snapshot of every table towards the current selection', () => {
    const old = JSON.stringify({ at: '42', ts: 5, table: 3, after: Buffer.from('k').toString('base64') });
    expect(decodeCheckpointMetadata(old, current)).toEqual({ published: null, snapshot: { scope: 'all', target: current, atLsn: 42n, tsMs: 5, tableId: 3, afterKey: Buffer.from('k') } });
    expect(decodeCheckpointMetadata(null, current)).toEqual({ published: null, snapshot: null });
  });

  it('resumes in the table it names, or from the next table whole when that one is gone', () => {
    const snapshot = { scope: 'all' as const, target: current, atLsn: 9n, tsMs: 1, tableId: 4, afterKey: Buffer.from('m') };
    expect(progressOf(snapshot, () => [4, 6])).toEqual({ atLsn: 9n, tsMs: 1, tableIds: [4, 6], afterKey: Buffer.from('m') });
    expect(progressOf(snapshot, () => [6])).toEqual({ atLsn: 9n, tsMs: 1, tableIds: [6], afterKey: null });
  });

  it('fits the largest key and the longest selections in Kafka\'s 4 KiB of offset metadata', () => {
    const half = Math.floor(selectionPatternsLengthMax / 2);
    const longest = TableSelection.parse(`a.${'x'.repeat(half - 2)}`, `b.${'y'.repeat(selectionPatternsLengthMax - half - 2)}`).patterns;
    const text = encodeCheckpointMetadata({ published: longest, snapshot: { scope: 'added', target: longest, atLsn: 2n ** 63n - 1n, tsMs: Date.now(), tableId: 2 ** 31, afterKey: Buffer.alloc(keyBytesMax, 0xff) } });
    expect(text.length).toBeLessThanOrEqual(4_096);
    expect(() => TableSelection.parse(`a.${'x'.repeat(selectionPatternsLengthMax)}`, '')).toThrow(/at most 500/);
  });
});
