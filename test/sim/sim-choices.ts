// Small pieces both cluster simulations share, so that they draw and compare alike.
import type { LogEntry } from '../../services/raft/core/types.js';

// Removes a random non-empty selection from `items` (in the order drawn) and returns it.
// Consumes the same draws as it always has, so recorded seeds replay.
export function takeSome<T>(items: T[], random: () => number): T[] {
  const count = 1 + Math.floor(random() * items.length);
  const chosen: T[] = [];
  for (let at = 0; at < count; at++) {
    const pick = Math.floor(random() * items.length);
    chosen.push(items[pick]!);
    items[pick] = items.at(-1)!;
    items.pop();
  }
  return chosen;
}

export function sameEntry(a: LogEntry | undefined, b: LogEntry): boolean {
  if (a === undefined || a.index !== b.index || a.term !== b.term || a.kind !== b.kind) return false;
  return Buffer.from(a.data).equals(Buffer.from(b.data));
}
