// Histories of a real sequential execution, for testing the checker and anything that records
// histories: clients invoke operations on a map, each operation takes effect at one instant
// inside a random window, and the window is what the history records. Such a history is
// linearizable by construction; corrupting one read may make it not.
import type { GetOperation, KvOperation } from './history.js';
import { seededRandom } from '../seeded-random.js';

export interface RandomHistoryOptions {
  readonly seed: number;
  readonly clients: number;
  readonly keys: number;
  readonly operations: number;
  // Share of operations that are puts; the rest are gets.
  readonly putShare: number;
  // Share of puts whose outcome the client never learns. Half of them take effect, half never.
  readonly unknownShare: number;
}

interface InFlight {
  readonly clientId: number;
  readonly key: string;
  readonly kind: 'put' | 'get';
  readonly value: string;
  readonly invokedAt: number;
  readonly effectAt: number;
  readonly returnAt: number;
  readonly outcome: 'known' | 'unknown-applied' | 'unknown-lost';
  seen: string | null;
}

// Ticks between invocation and effect, and between effect and return, are drawn from
// [0, windowTicksMax]: wide enough that operations of different clients overlap often.
const windowTicksMax = 3;

export function randomHistory(options: RandomHistoryOptions): KvOperation[] {
  const random = seededRandom(options.seed);
  const below = (n: number): number => Math.floor(random() * n);
  const store = new Map<string, string>();
  const history: KvOperation[] = [];
  // Slot i holds the client running there; a client whose outcome is unknown is replaced by a
  // fresh client id, since its own window never closes.
  const slots = Array.from({ length: options.clients }, (_, i) => ({ clientId: i, readyAt: below(windowTicksMax), busy: null as InFlight | null }));
  let nextClientId = options.clients;
  let invoked = 0;
  let nextValue = 1;

  for (let tick = 0; invoked < options.operations || slots.some((slot) => slot.busy !== null); tick++) {
    for (const slot of slots) {
      if (slot.busy !== null || tick < slot.readyAt || invoked >= options.operations) continue;
      invoked++;
      const kind = random() < options.putShare ? 'put' : 'get';
      const effectAt = tick + below(windowTicksMax + 1);
      const roll = random();
      const outcome = kind === 'put' && roll < options.unknownShare ? (roll < options.unknownShare / 2 ? 'unknown-applied' : 'unknown-lost') : 'known';
      slot.busy = {
        clientId: slot.clientId,
        key: `k${below(options.keys)}`,
        kind,
        value: `v${nextValue++}`,
        invokedAt: tick,
        effectAt,
        returnAt: effectAt + below(windowTicksMax + 1),
        outcome,
        seen: null,
      };
    }
    // Operations taking effect in the same tick take effect one after another, in a random order.
    const effective = shuffle(slots.flatMap((slot) => (slot.busy?.effectAt === tick ? [slot.busy] : [])), below);
    for (const op of effective) {
      if (op.kind === 'get') op.seen = store.get(op.key) ?? null;
      else if (op.outcome !== 'unknown-lost') store.set(op.key, op.value);
    }
    for (const slot of slots) {
      const op = slot.busy;
      if (op === null || op.returnAt !== tick) continue;
      slot.busy = null;
      slot.readyAt = tick + 1 + below(windowTicksMax);
      if (op.outcome !== 'known') {
        history.push({ kind: 'put', clientId: op.clientId, key: op.key, value: op.value, invokedAt: op.invokedAt, returnedAt: null });
        slot.clientId = nextClientId++;
      } else if (op.kind === 'put') {
        history.push({ kind: 'put', clientId: op.clientId, key: op.key, value: op.value, invokedAt: op.invokedAt, returnedAt: tick });
      } else {
        history.push({ kind: 'get', clientId: op.clientId, key: op.key, value: op.seen, invokedAt: op.invokedAt, returnedAt: tick });
      }
    }
  }
  return history;
}

function shuffle<T>(items: T[], below: (n: number) => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = below(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

// The history with one read changed to `replacement(read)`; null when it has no read.
export function withOneReadChanged(
  history: readonly KvOperation[],
  pick: (n: number) => number,
  replacement: (read: GetOperation) => string | null,
): { history: KvOperation[]; changed: GetOperation } | null {
  const reads = history.flatMap((op, index) => (op.kind === 'get' ? [index] : []));
  if (reads.length === 0) return null;
  const index = reads[pick(reads.length)]!;
  const read = history[index] as GetOperation;
  const changed: GetOperation = { ...read, value: replacement(read) };
  return { history: history.map((op, at) => (at === index ? changed : op)), changed };
}
