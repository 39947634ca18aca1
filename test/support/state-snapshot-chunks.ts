// A store's whole state snapshot, read chunk by chunk as a follower would receive it.
import type { Store } from '../../services/storage/store.js';

export function readStateSnapshot(store: Store, chunkBytesMax: number): { index: bigint; term: bigint; chunks: Uint8Array[] } {
  const reader = store.openStateSnapshot(chunkBytesMax);
  const chunks: Uint8Array[] = [];
  for (let number = 0; ; number++) {
    const { data, last } = reader.chunk(number);
    chunks.push(data);
    if (last) break;
  }
  reader.done();
  return { index: reader.index, term: reader.term, chunks };
}
