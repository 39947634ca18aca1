// Proves the change feed reads only to the index its dispatch pass serves: an entry applied
// after the pass began is left to the next pass, so a stream's position (the served index's
// end) never falls behind a change it already sent, which it would then send again.
import { describe, expect, it } from 'vitest';
import { ChangeFeed, entryEndLsn } from '../../services/cdc/change-feed.js';
import type { ChangelogSource } from '../../services/cdc/change-feed.js';
import { indexOfLsn, lsnOf } from '../../services/storage/lsn.js';
import type { ChangelogRecord } from '../../services/storage/types.js';

// A changelog of one row change per entry; `applied` moves as a test applies entries.
class FakeChangelog {
  applied = 0n;
  readonly records: ChangelogRecord[] = [];

  apply(index: bigint): void {
    this.records.push({ lsn: lsnOf(index, 0), tableId: 1, schemaVersion: 1, op: 'c', before: null, after: [index], tsMs: 0 } as unknown as ChangelogRecord);
    this.applied = index;
  }

  source(): ChangelogSource {
    return {
      appliedIndex: () => this.applied,
      // As the store reads: to its own applied index.
      readChanges: (fromLsn, limit) => this.records.filter((record) => record.lsn >= fromLsn && indexOfLsn(record.lsn) <= this.applied).slice(0, limit),
      tableVersion: () => undefined,
      allTables: () => [],
      table: () => undefined,
      openSnapshot: () => {
        throw new Error('not used');
      },
      changelogPrunedThrough: () => 0n,
    };
  }
}

const nextPass = (): Promise<void> => new Promise((resolve) => setImmediate(() => setImmediate(resolve)));

describe('ChangeFeed', () => {
  it('leaves an entry applied after the pass began to the next pass: read once, in order', async () => {
    const changelog = new FakeChangelog();
    const feed = new ChangeFeed(changelog.source());
    changelog.apply(1n);
    feed.notifyApplied();
    await nextPass();
    expect(feed.servedIndex).toBe(1n);
    // Entry 2 applies while the pass that serves entry 1 is still going.
    changelog.apply(2n);
    const first = feed.read(entryEndLsn(0n));
    expect(first.entries.map((entry) => entry.index)).toEqual([1n]);
    expect(first.coveredLsn).toBe(entryEndLsn(1n));
    feed.notifyApplied();
    await nextPass();
    const second = feed.read(first.coveredLsn);
    expect(second.entries.map((entry) => entry.index)).toEqual([2n]);
    expect(second.coveredLsn).toBe(entryEndLsn(2n));
  });
});
