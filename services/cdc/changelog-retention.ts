// Keeps the changelog within its retention window: changes older than the age bound, or the
// oldest ones while it is over the size bound, are pruned, whole entries at a time (a stream
// resuming inside an entry re-reads all of it). Never a change the Kafka publisher has not
// published yet: the topics must get every change, however long the broker is away.
import { assert } from '../base/assert.js';
import { changelogPruneRecordsMax } from '../base/limits.js';
import { indexOfLsn } from '../storage/lsn.js';
import type { ChangelogRecord } from '../storage/types.js';
import { entryEndLsn } from './change-feed.js';

export interface RetentionWindow {
  // Changes committed longer ago than this may go.
  readonly ageMs: number;
  // While the changelog takes more than this on disk, its oldest changes go, whatever their age.
  readonly bytes: number;
}

// What retention needs of the store.
export interface PrunableChangelog {
  readChanges(fromLsn: bigint, limit: number): ChangelogRecord[];
  // The lsns alone: retention reads records only to date the entries it may prune.
  readChangeLsns(fromLsn: bigint, limit: number): bigint[];
  changelogPrunedThrough(): bigint;
  changelogBytes(): number;
  pruneChanges(fromLsn: bigint, throughLsn: bigint): Promise<void>;
}

export interface RetentionOptions {
  readonly window: RetentionWindow;
  // The last lsn every consumer that must not miss a change has taken (the Kafka publisher's
  // published lsn), or 'any' when there is none; null when one exists but has taken nothing.
  readonly keepAfter: () => bigint | null | 'any';
  readonly now?: () => number;
}

export class ChangelogRetention {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly changelog: PrunableChangelog, private readonly options: RetentionOptions) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => {
      this.running ??= this.pruneOnce().then(() => undefined).finally(() => (this.running = null));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    await this.running;
  }

  // Prunes everything the window lets go; returns the lsn pruned through.
  async pruneOnce(): Promise<bigint> {
    const now = (this.options.now ?? Date.now)();
    for (;;) {
      const prunedThrough = this.changelog.changelogPrunedThrough();
      const through = this.prunableThrough(prunedThrough, now);
      if (through === null) return prunedThrough;
      await this.changelog.pruneChanges(prunedThrough + 1n, through);
    }
  }

  // The end of the last whole entry, among the oldest records, that may go; null if none.
  private prunableThrough(prunedThrough: bigint, now: number): bigint | null {
    const keepAfter = this.options.keepAfter();
    if (keepAfter === null) return null;
    const lsns = this.changelog.readChangeLsns(prunedThrough + 1n, changelogPruneRecordsMax);
    if (lsns.length === 0) return null;
    const overSize = this.changelog.changelogBytes() > this.options.window.bytes;
    const cutoffMs = now - this.options.window.ageMs;
    // The last entry read may go on past the records read; it counts only if it is the only one.
    const lastIndex = indexOfLsn(lsns.at(-1)!);
    const partialLast = lsns.length === changelogPruneRecordsMax && indexOfLsn(lsns[0]!) !== lastIndex;
    let through: bigint | null = null;
    let entryStart = 0;
    for (let at = 0; at < lsns.length; at++) {
      const index = indexOfLsn(lsns[at]!);
      const entryEnds = at + 1 === lsns.length || indexOfLsn(lsns[at + 1]!) !== index;
      if (!entryEnds) continue;
      if (partialLast && index === lastIndex) break;
      const entryFirstLsn = lsns[entryStart]!;
      entryStart = at + 1;
      // Dated by its first record, the one record decoded per entry, and only within the age.
      if (!overSize && this.committedAtMs(entryFirstLsn) >= cutoffMs) break;
      // All of the entry published: its last record is, and when the entry was not read to its
      // end (a single huge one), the publisher is past it.
      const wholeRead = at + 1 < lsns.length || lsns.length < changelogPruneRecordsMax;
      if (keepAfter !== 'any' && (lsns[at]! > keepAfter || (!wholeRead && indexOfLsn(keepAfter) <= index))) break;
      through = entryEndLsn(index);
    }
    return through;
  }

  private committedAtMs(lsn: bigint): number {
    const record = this.changelog.readChanges(lsn, 1)[0];
    assert(record !== undefined && record.lsn === lsn, `changelog record ${lsn} vanished while retention read it`);
    return record.tsMs;
  }
}
