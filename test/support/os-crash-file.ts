// What an OS crash may leave of an LMDB data file that was synced and then written on without
// syncing: every page the sync covered as it was then, unless written since; each page written
// since as before, as after, or garbage (a write the disk tore or never finished); and the file
// cut back to its synced length or not (a size update lost). Given the file as the sync left it
// (the test-only copy storage/lmdb-checkpoint.ts makes) and as the page cache held it at the
// crash, one seed picks one such file.
import { seededRandom } from './seeded-random.js';

export const lmdbPageBytes = 4096;

// The pages (numbers) whose bytes differ between the two files, past either's end included.
export function pagesWrittenSince(atSync: Buffer, atCrash: Buffer): number[] {
  const changed: number[] = [];
  const pages = Math.ceil(Math.max(atSync.length, atCrash.length) / lmdbPageBytes);
  for (let page = 0; page < pages; page++) {
    const [from, to] = [page * lmdbPageBytes, (page + 1) * lmdbPageBytes];
    if (!atSync.subarray(from, to).equals(atCrash.subarray(from, to))) changed.push(page);
  }
  return changed;
}

export function osCrashFile(atSync: Buffer, atCrash: Buffer, seed: number): Buffer {
  const next = seededRandom(seed);
  const data = Buffer.alloc(Math.max(atSync.length, atCrash.length));
  atSync.copy(data);
  for (const page of pagesWrittenSince(atSync, atCrash)) {
    const at = page * lmdbPageBytes;
    const end = Math.min(at + lmdbPageBytes, data.length);
    const choice = next();
    if (choice < 1 / 3) data.fill(0, at, end).set(atSync.subarray(at, end), at);
    else if (choice < 2 / 3) data.fill(0, at, end).set(atCrash.subarray(at, end), at);
    else for (let byte = at; byte < end; byte++) data[byte] = Math.floor(next() * 256);
  }
  return next() < 0.5 ? data.subarray(0, atSync.length) : data;
}
