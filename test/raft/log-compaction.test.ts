// Log compaction drops the log only behind state the state machine holds durably: through the
// applied index seen one round earlier, and only once a later commit (a higher applied index)
// has made it durable. Driven round by round, without the clock.
import { describe, expect, it } from 'vitest';
import { LogCompaction } from '../../services/raft/node/log-compaction.js';

function setup(keepEntries = 0n): { applied: { value: bigint }; dropped: bigint[]; compaction: LogCompaction } {
  const applied = { value: 0n };
  const dropped: bigint[] = [];
  const compaction = new LogCompaction({ appliedIndex: () => applied.value }, { compactThrough: (index) => dropped.push(index) }, keepEntries);
  return { applied, dropped, compaction };
}

describe('log compaction', () => {
  it('drops through the previous round\'s applied index once a later commit exists', () => {
    const { applied, dropped, compaction } = setup();
    applied.value = 5n;
    compaction.round(); // first sight of 5: nothing proves it durable yet
    expect(dropped).toEqual([]);
    applied.value = 9n;
    compaction.round(); // 9 > 5: the commit of 5 was followed by another
    expect(dropped).toEqual([5n]);
    applied.value = 12n;
    compaction.round();
    expect(dropped).toEqual([5n, 9n]);
  });

  it('drops nothing while the applied index stands still', () => {
    const { applied, dropped, compaction } = setup();
    applied.value = 7n;
    compaction.round();
    compaction.round();
    compaction.round();
    expect(dropped).toEqual([]);
  });

  it('keeps a margin of entries behind the durable applied index (a cluster\'s slightly lagging followers)', () => {
    const { applied, dropped, compaction } = setup(100n);
    applied.value = 80n;
    compaction.round();
    applied.value = 150n;
    compaction.round(); // 80 is durable, but within the margin: nothing to drop
    expect(dropped).toEqual([]);
    applied.value = 400n;
    compaction.round();
    expect(dropped).toEqual([50n]);
  });
});
