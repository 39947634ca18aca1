// A follower's window of appends in flight (raft/core/progress.ts): bounded in count and in
// bytes of entry data, so that a follower far behind in big entries gets a few at a time; one
// append always fits an empty window, however big.
import { describe, expect, it } from 'vitest';
import { appendsInFlightBytesMax, appendsInFlightMax } from '../../services/base/limits.js';
import { Progress } from '../../services/raft/core/progress.js';

const mib = 1024 * 1024;

function replicating(): Progress {
  const progress = new Progress(1n);
  progress.becomeReplicate();
  return progress;
}

describe('the replicate window', () => {
  it('pauses once the data in flight reaches its byte bound, and reopens as appends are acknowledged', () => {
    const progress = replicating();
    const half = appendsInFlightBytesMax / 2;
    progress.sent(1n, half - 1);
    expect(progress.isPaused()).toBe(false);
    progress.sent(2n, half);
    expect(progress.isPaused()).toBe(false);
    progress.sent(3n, 1);
    expect(progress.isPaused()).toBe(true);
    expect(progress.maybeUpdate(1n)).toBe(true);
    expect(progress.isPaused()).toBe(false);
  });

  it('lets one append bigger than the bound go into an empty window, and nothing after it', () => {
    const progress = replicating();
    expect(progress.isPaused()).toBe(false);
    progress.sent(1n, 3 * appendsInFlightBytesMax);
    expect(progress.isPaused()).toBe(true);
    progress.maybeUpdate(1n);
    expect(progress.isPaused()).toBe(false);
  });

  it('still pauses at the count bound with small appends', () => {
    const progress = replicating();
    for (let index = 1n; index <= BigInt(appendsInFlightMax); index++) progress.sent(index, 10);
    expect(progress.isPaused()).toBe(true);
    progress.maybeUpdate(1n);
    expect(progress.isPaused()).toBe(false);
  });

  it('frees the oldest append when a heartbeat is answered with the window full, bytes included', () => {
    const progress = replicating();
    progress.sent(1n, appendsInFlightBytesMax);
    expect(progress.isPaused()).toBe(true);
    progress.heard();
    expect(progress.isPaused()).toBe(false);
    progress.sent(2n, mib);
    progress.becomeProbe();
    progress.becomeReplicate();
    expect(progress.isPaused()).toBe(false);
    expect(progress.inflightCount).toBe(0);
  });
});
