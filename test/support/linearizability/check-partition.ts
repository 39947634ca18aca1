// Porcupine's search (Wing & Gong with Lowe's memoization) over the history of one key: walk the
// calls and returns in time order, linearize a pending operation when the model allows it, and
// back up when a return arrives for an operation not yet linearized. A (set of linearized
// operations, model state) pair already seen leads nowhere new, so it is pruned.
import type { KvOperation } from './history.js';
import { illegalStep, registerInitialState, registerStateKey, registerStep } from './register-model.js';
import type { RegisterState } from './register-model.js';
import type { SearchBudget } from './search-budget.js';

export type PartitionVerdict = 'linearizable' | 'illegal' | 'unknown';

// One call or return. Calls sort before returns at equal times, so two operations that touch at
// an instant count as concurrent: the checker never rejects a history over a clock tie. An
// operation with an unknown outcome returns at +Infinity: it may linearize anywhere after its
// call, and linearizing last is the same as never having happened, since nothing observes it.
export interface HistoryEvent {
  readonly opIndex: number;
  readonly isCall: boolean;
  readonly at: number;
}

export function eventsInTimeOrder(ops: readonly KvOperation[]): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  ops.forEach((op, opIndex) => {
    events.push({ opIndex, isCall: true, at: op.invokedAt });
    events.push({ opIndex, isCall: false, at: op.returnedAt ?? Number.POSITIVE_INFINITY });
  });
  // Array.prototype.sort is stable: equal events keep the operations' order.
  return events.sort((a, b) => a.at - b.at || Number(b.isCall) - Number(a.isCall));
}

const none = -1;

// Two prunings, each sound for a register, make histories with many concurrent clients on one
// key tractable (without them 1,000 operations from 16 clients on one key took 13 s):
// - A read that matches the current state and may go next is taken at once, with no
//   alternative tried: if any order completes the history, the one with that read moved first
//   does too, since a read changes nothing and everything that had to precede it already has.
//   So when the search backs up to such a read, it backs up past it.
// - A write of unknown outcome whose value no read returned is left out: if an order exists
//   with it, dropping it leaves a valid order (only writes could follow it directly, or
//   something would have read its value), and an order without it is one where it never
//   happened.
export function checkPartition(allOps: readonly KvOperation[], budget: SearchBudget): PartitionVerdict {
  // Indexed by invocation, the linearized set is mostly a run of ones followed by a few bits,
  // which keeps the memo key short (see memoKey).
  const ops = withoutUnobservedUnknownWrites(allOps).sort((a, b) => a.invokedAt - b.invokedAt);
  const events = eventsInTimeOrder(ops);
  const head = events.length; // sentinel before the first event
  // A doubly linked list over the events, in arrays: lifting an operation unlinks its call and
  // return, and undoing relinks them in reverse order (dancing links).
  const next = new Int32Array(events.length + 1);
  const prev = new Int32Array(events.length + 1);
  const returnOf = new Int32Array(ops.length);
  let last = head;
  events.forEach((event, at) => {
    next[last] = at;
    prev[at] = last;
    last = at;
    if (!event.isCall) returnOf[event.opIndex] = at;
  });
  next[last] = none;

  const unlink = (at: number): void => {
    next[prev[at]!] = next[at]!;
    if (next[at] !== none) prev[next[at]!] = prev[at]!;
  };
  const relink = (at: number): void => {
    next[prev[at]!] = at;
    if (next[at] !== none) prev[next[at]!] = at;
  };

  const linearized = new Uint32Array(Math.ceil(ops.length / 32));
  const flip = (opIndex: number): void => {
    linearized[opIndex >>> 5]! ^= 1 << (opIndex & 31);
  };
  const seen = new Set<string>();
  const stack: { callAt: number; stateBefore: RegisterState; forced: boolean }[] = [];
  let state = registerInitialState;

  // Linearizes the operation called at `callAt` unless the model forbids it or the resulting
  // (linearized set, state) was reached before, which then led to no complete order.
  const maybeLinearize = (callAt: number, forced: boolean): boolean => {
    const opIndex = events[callAt]!.opIndex;
    const after = registerStep(state, ops[opIndex]!);
    if (after === illegalStep) return false;
    flip(opIndex);
    const memo = `${memoKey(linearized)}|${registerStateKey(after)}`;
    if (seen.has(memo)) {
      flip(opIndex);
      return false;
    }
    seen.add(memo);
    stack.push({ callAt, stateBefore: state, forced });
    state = after;
    unlink(callAt);
    unlink(returnOf[opIndex]!);
    return true;
  };
  // Undoes linearizations up to and including the latest one that had alternatives, and
  // returns where the search for those alternatives resumes; none when there is none left.
  const backtrack = (): number => {
    for (;;) {
      const top = stack.pop();
      if (top === undefined) return none;
      const undone = events[top.callAt]!.opIndex;
      state = top.stateBefore;
      flip(undone);
      relink(returnOf[undone]!);
      relink(top.callAt);
      if (!top.forced) return next[top.callAt]!;
    }
  };
  // A read that may go next (called before any pending return) and reads the current state.
  const matchingRead = (): number => {
    for (let at = next[head]!; at !== none && events[at]!.isCall; at = next[at]!) {
      const op = ops[events[at]!.opIndex]!;
      if (op.kind === 'get' && op.value === state) return at;
    }
    return none;
  };

  let at = next[head]!;
  // Whether the search just reached a new configuration, where a matching read is looked for.
  let fresh = true;
  let steps = 0;
  while (next[head] !== none) {
    if (!budget.allows(++steps)) return 'unknown';
    if (fresh) {
      fresh = false;
      const read = matchingRead();
      if (read !== none) {
        if (maybeLinearize(read, true)) {
          fresh = true;
        } else {
          at = backtrack();
          if (at === none) return 'illegal';
        }
        continue;
      }
      at = next[head]!;
    }
    if (events[at]!.isCall) {
      if (maybeLinearize(at, false)) fresh = true;
      // A call is always followed by its own return, so `next` is never none here.
      else at = next[at]!;
    } else {
      // The operation returning here was not linearized, and every choice before it was
      // tried: undo the latest choice and try what follows it.
      at = backtrack();
      if (at === none) return 'illegal';
    }
  }
  return 'linearizable';
}

function withoutUnobservedUnknownWrites(ops: readonly KvOperation[]): KvOperation[] {
  const read = new Set<string | null>();
  for (const op of ops) if (op.kind === 'get') read.add(op.value);
  return ops.filter((op) => op.kind === 'get' || op.returnedAt !== null || read.has(op.value));
}

// The bit set as text, with its leading all-ones words counted instead of spelled out and its
// trailing zero words left off: joining every word made each step cost O(operations).
function memoKey(words: Uint32Array): string {
  let first = 0;
  while (first < words.length && words[first] === 0xffffffff) first++;
  let end = words.length;
  while (end > first && words[end - 1] === 0) end--;
  return `${first}:${words.subarray(first, end).join(',')}`;
}
