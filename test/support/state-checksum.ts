// A checksum of a store's replicated state (catalog, rows, index entries, replicated meta, as a
// state snapshot carries them) and, unless left out, of its changelog (lsn and record), with the
// applied index it was taken at: two stores at the same applied index must give the same one.
import { createHash } from 'node:crypto';
import { decodeSnapshotChunk } from '../../services/storage/state-snapshot.js';
import type { Store } from '../../services/storage/store.js';

export function stateChecksum(store: Store, options: { changelog?: boolean } = {}): { appliedIndex: bigint; checksum: string } {
  const hash = createHash('sha256');
  const length = Buffer.alloc(4);
  const add = (bytes: Buffer): void => {
    length.writeUInt32BE(bytes.length);
    hash.update(length).update(bytes);
  };
  const reader = store.openStateSnapshot();
  try {
    for (let number = 0; ; number++) {
      const { data, last } = reader.chunk(number);
      for (const record of decodeSnapshotChunk(data)) {
        add(Buffer.from(record.section));
        add(record.key);
        add(record.value);
      }
      if (last) break;
    }
  } finally {
    reader.done();
  }
  if (options.changelog !== false) {
    for (let from = 0n; ; ) {
      const records = store.readChanges(from, 1_000);
      if (records.length === 0) break;
      for (const record of records) add(Buffer.from(JSON.stringify(record, (_, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value))));
      from = records.at(-1)!.lsn + 1n;
    }
  }
  return { appliedIndex: reader.index, checksum: hash.digest('hex') };
}
