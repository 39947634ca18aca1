// Turns "key k is not linearizable" into something a person can act on: the shortest prefix of
// the key's history (in time order) that is already not linearizable, the operation whose return
// ends it (the one no order can explain), and the operations that bear on it.
import type { KvOperation } from './history.js';
import { describeOperation } from './history.js';
import { checkPartition, eventsInTimeOrder } from './check-partition.js';
import type { SearchBudget } from './search-budget.js';

export interface Violation {
  readonly key: string;
  // The operation whose return makes the prefix illegal.
  readonly failing: KvOperation;
  // Every operation of the shortest illegal prefix: the failing one, those before it, and
  // those still open at that point (a put open there counts as outcome unknown).
  readonly prefix: readonly KvOperation[];
  // Whether the prefix was found; if the budget ran out first, `prefix` is the key's whole
  // history and `failing` the operation that returns last.
  readonly minimal: boolean;
  readonly message: string;
}

// How many operations before the failing one the message shows, beside those concurrent with
// it: the latest completed ones are the writes a stale read missed.
const precedingShownMax = 5;

export function explainViolation(key: string, ops: readonly KvOperation[], budget: SearchBudget): Violation {
  const events = eventsInTimeOrder(ops);
  // A prefix of a linearizable history is linearizable, so "the first `length` events fail" is
  // monotonic in `length` and a binary search finds the shortest. A probe that runs out of
  // budget counts as not failing, so `shortest` is always a proven failure.
  let shortest = events.length;
  let low = 1;
  let minimal = true;
  while (low < shortest) {
    const mid = (low + shortest) >>> 1;
    const verdict = checkPartition(prefixOperations(ops, events.slice(0, mid)), budget);
    if (verdict === 'illegal') shortest = mid;
    else low = mid + 1;
    if (verdict === 'unknown') minimal = false;
  }
  const lastEvent = events[shortest - 1]!;
  const prefix = prefixOperations(ops, events.slice(0, shortest));
  const failing = ops[lastEvent.opIndex]!;
  return { key, failing, prefix, minimal, message: describe(key, failing, prefix, minimal) };
}

// The operations a prefix of events holds: calls without their return become open, which for a
// put means outcome unknown; a get without its return says nothing and is left out.
function prefixOperations(ops: readonly KvOperation[], events: readonly { opIndex: number; isCall: boolean }[]): KvOperation[] {
  const returned = new Set<number>();
  for (const event of events) if (!event.isCall) returned.add(event.opIndex);
  const result: KvOperation[] = [];
  for (const event of events) {
    if (!event.isCall) continue;
    const op = ops[event.opIndex]!;
    if (returned.has(event.opIndex)) result.push(op);
    else if (op.kind === 'put') result.push({ ...op, returnedAt: null });
  }
  return result;
}

function describe(key: string, failing: KvOperation, prefix: readonly KvOperation[], minimal: boolean): string {
  const concurrent = prefix.filter((op) => op !== failing && (op.returnedAt === null || op.returnedAt >= failing.invokedAt));
  const preceding = prefix
    .filter((op) => op.returnedAt !== null && op.returnedAt < failing.invokedAt)
    .sort((a, b) => a.returnedAt! - b.returnedAt!)
    .slice(-precedingShownMax);
  const lines = [
    `key ${JSON.stringify(key)} is not linearizable: no order of its ${minimal ? 'shortest failing prefix' : 'history'} (${prefix.length} operations) explains`,
    `  ${describeOperation(failing)}`,
    `latest operations completed before it was invoked:`,
    ...(preceding.length === 0 ? ['  (none)'] : preceding.map((op) => `  ${describeOperation(op)}`)),
    `operations concurrent with it:`,
    ...(concurrent.length === 0 ? ['  (none)'] : concurrent.map((op) => `  ${describeOperation(op)}`)),
  ];
  return lines.join('\n');
}
