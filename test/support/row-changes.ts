// The row changes (and truncates) of a store's changelog, without its schema change records:
// what tests of row events compare.
import type { Store } from '../../services/storage/store.js';
import { isDdlRecord } from '../../services/storage/types.js';
import type { ChangeRecord } from '../../services/storage/types.js';

export function rowChanges(store: Pick<Store, 'readChanges'>, fromLsn = 0n, limit = 10_000): ChangeRecord[] {
  return store.readChanges(fromLsn, limit).filter((record): record is ChangeRecord => !isDdlRecord(record));
}
