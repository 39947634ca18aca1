// Log compaction drops the log only behind state the state machine holds durably: through the
// last checkpoint's applied index (LMDB synced there; an unclean stop goes back to it and
// replays the log from it), never past it, whatever has been applied since. Driven round by
// round, without the clock.
import { describe, expect, it } from 'vitest';
import { LogCompaction } from '../../services/raft/node/log-compaction.js';

function setup(keepEntries = 0n): { checkpointed: { value: bigint }; dropped: bigint[]; compaction: LogCompaction } {
  const checkpointed = { value: 0n };
  const dropped: bigint[] = [];
  const compaction = new LogCompaction({ checkpointedIndex: () => checkpointed.value }, { compactThrough: (index) => dropped.push(index) }, keepEntries);
  return { checkpointed, dropped, compaction };
}

describe('log compaction', () => {
  it('drops through the checkpointed index as checkpoints move, and never past it', () => {
    const { checkpointed, dropped, compaction } = setup();
    compaction.round(); // no checkpoint past 0 yet
    expect(dropped).toEqual([]);
    checkpointed.value = 5n;
    compaction.round();
    expect(dropped).toEqual([5n]);
    checkpointed.value = 12n;
    compaction.round();
    expect(dropped).toEqual([5n, 12n]);
    for (const through of dropped) expect(through).toBeLessThanOrEqual(checkpointed.value);
  });

  it('drops nothing more while the checkpoint stands still, however far apply runs ahead', () => {
    const { checkpointed, dropped, compaction } = setup();
    checkpointed.value = 7n;
    compaction.round();
    compaction.round();
    compaction.round();
    expect(dropped).toEqual([7n]);
  });

  it('keeps a margin of entries behind the checkpointed index (a cluster\'s slightly lagging followers)', () => {
    const { checkpointed, dropped, compaction } = setup(100n);
    checkpointed.value = 80n;
    compaction.round();
    checkpointed.value = 100n;
    compaction.round(); // within the margin: nothing to drop
    expect(dropped).toEqual([]);
    checkpointed.value = 400n;
    compaction.round();
    expect(dropped).toEqual([300n]);
  });
});
