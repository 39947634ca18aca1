// Log compaction drops the log only behind state the state machine holds durably: through the
// last checkpoint's applied index (LMDB synced there; an unclean stop goes back to it and
// replays the log from it), never past it, whatever has been applied since. Driven round by
// round, without the clock.
import { describe, expect, it } from 'vitest';
import { LogCompaction } from '../../services/raft/node/log-compaction.js';

// `applied` is the Raft node's applied index: past every checkpoint unless a test moves it.
function setup(keepEntries = 0n): { checkpointed: { value: bigint }; applied: { value: bigint }; dropped: bigint[]; compaction: LogCompaction } {
  const checkpointed = { value: 0n };
  const applied = { value: 1_000_000n };
  const dropped: bigint[] = [];
  const compaction = new LogCompaction({ checkpointedIndex: () => checkpointed.value }, { appliedIndex: () => applied.value, compactThrough: (index) => dropped.push(index) }, keepEntries);
  return { checkpointed, applied, dropped, compaction };
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

  it('never drops past the Raft node\'s applied index (a snapshot checkpointed while its install is not yet reported)', () => {
    const { checkpointed, applied, dropped, compaction } = setup(20n);
    applied.value = 86n;
    checkpointed.value = 335n; // the install's checkpoint, before the node has taken the snapshot
    compaction.round();
    expect(dropped).toEqual([66n]);
    applied.value = 335n; // installed: the log now starts after 335
    compaction.round();
    expect(dropped).toEqual([66n, 315n]);
  });
});
