// The simulated state machine's snapshots: a node's applied entries, sent a few per chunk with
// a checksum, so that the simulation's snapshots span several chunks, resume after lost ones
// and are refused when damaged, as the store's are (storage/state-snapshot.ts).
import { crc32 } from 'node:zlib';
import type { LogEntry } from '../../services/raft/core/types.js';
import type { OpenStateSnapshot } from '../../services/raft/node/snapshot-sender.js';

const entriesPerChunk = 4;

// A snapshot of `applied` as it stands now (later applies do not change it).
export function openSimSnapshot(applied: readonly LogEntry[]): OpenStateSnapshot {
  const entries = applied.slice();
  return {
    index: BigInt(entries.length),
    term: entries.at(-1)?.term ?? 0n,
    chunk: (number) => {
      const part = entries.slice(number * entriesPerChunk, (number + 1) * entriesPerChunk);
      const json = JSON.stringify(part.map((entry) => [entry.index.toString(), entry.term.toString(), entry.kind, Buffer.from(entry.data).toString('hex')]));
      const payload = Buffer.from(json);
      const chunk = Buffer.alloc(4 + payload.length);
      chunk.writeUInt32LE(crc32(payload), 0);
      payload.copy(chunk, 4);
      return { data: chunk, last: (number + 1) * entriesPerChunk >= entries.length };
    },
    done: () => undefined,
  };
}

export function checkSimChunk(chunk: Uint8Array): void {
  const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (bytes.length < 4 || crc32(bytes.subarray(4)) !== bytes.readUInt32LE(0)) throw new Error('snapshot chunk checksum mismatch');
}

export function decodeSimChunk(chunk: Uint8Array): LogEntry[] {
  checkSimChunk(chunk);
  const rows = JSON.parse(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).subarray(4).toString()) as [string, string, LogEntry['kind'], string][];
  return rows.map(([index, term, kind, data]) => ({ index: BigInt(index), term: BigInt(term), kind, data: new Uint8Array(Buffer.from(data, 'hex')) }));
}
