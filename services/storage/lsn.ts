// The lsn names one row change: (raft index << lsnChangeBits) | its place within the entry.
// It is identical on every node and totally ordered, so change streams and Kafka events can
// be resumed from it; the lsn of an entry is the lsn of its first change.
import { assert } from '../base/assert.js';
import { changesPerBatchMax, lsnChangeBits } from '../base/limits.js';

const changeBits = BigInt(lsnChangeBits);

export function lsnOf(index: bigint, changeOffset: number): bigint {
  assert(index >= 0n);
  assert(changeOffset >= 0 && changeOffset <= changesPerBatchMax);
  return (index << changeBits) | BigInt(changeOffset);
}

export function indexOfLsn(lsn: bigint): bigint {
  return lsn >> changeBits;
}
