// How far Kafka publishing is behind, and the write admission that bounds it. The backlog is
// counted in Raft entries from the oldest change not yet published to the last applied: empty
// entries (read barriers) after a fully published changelog add nothing, since no change waits.
import { TideError } from '../base/errors.js';
import { indexOfLsn } from '../storage/lsn.js';
import type { ChangelogRecord } from '../storage/types.js';

export interface BacklogSource {
  readChanges(fromLsn: bigint, limit: number): readonly ChangelogRecord[];
}

export function backlogEntries(source: BacklogSource, appliedIndex: bigint, publishedLsn: bigint | null): bigint {
  const [oldestUnpublished] = source.readChanges(publishedLsn === null ? 0n : publishedLsn + 1n, 1);
  if (oldestUnpublished === undefined) return 0n;
  return appliedIndex - indexOfLsn(oldestUnpublished.lsn) + 1n;
}

// Refuses a write while the backlog is past `maxEntries` (--kafka-backlog-max-entries): the
// node then stops growing its changelog for a Kafka that is away, instead of growing without
// bound. Retriable: the write succeeds once publishing catches up.
export function checkBacklog(backlog: bigint, maxEntries: number): void {
  if (backlog > BigInt(maxEntries)) {
    throw new TideError('KAFKA_BACKLOG_FULL', `${backlog} entries wait to be published to Kafka, more than the ${maxEntries} allowed (--kafka-backlog-max-entries); retry once Kafka has caught up`);
  }
}
