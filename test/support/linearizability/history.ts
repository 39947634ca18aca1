// The history a client-side recorder keeps of a key-value register: each operation's call, when
// it was invoked, and when and with what it returned. Times are any monotonic clock (for example
// performance.now() in milliseconds) shared by every client of one history.
import { TideError } from '../../../services/base/errors.js';

// A write. `returnedAt` is null when its outcome is unknown (a timeout, a dropped connection, an
// OUTCOME_UNKNOWN answer): it may have taken effect at any point after its invocation, or never.
export interface PutOperation {
  readonly kind: 'put';
  readonly clientId: number;
  readonly key: string;
  readonly value: string;
  readonly invokedAt: number;
  readonly returnedAt: number | null;
}

// A read that returned: `value` is what it saw, null for an absent key. A read that did not
// return tells nothing about the register, so a recorder leaves it out of the history.
export interface GetOperation {
  readonly kind: 'get';
  readonly clientId: number;
  readonly key: string;
  readonly value: string | null;
  readonly invokedAt: number;
  readonly returnedAt: number;
}

export type KvOperation = PutOperation | GetOperation;

// A malformed history would make any verdict meaningless, so it is refused before checking.
export function validateHistory(history: readonly KvOperation[]): void {
  const lastReturnByClient = new Map<number, { at: number; index: number }>();
  // A client runs one operation at a time: sort its operations by invocation to compare each
  // with the one before.
  const order = history.map((_, index) => index).sort((a, b) => history[a]!.invokedAt - history[b]!.invokedAt);
  for (const index of order) {
    const op = history[index]!;
    if (!Number.isFinite(op.invokedAt)) invalid(index, 'invokedAt must be a finite number');
    if (op.returnedAt !== null && !Number.isFinite(op.returnedAt)) invalid(index, 'returnedAt must be a finite number or null');
    if (op.returnedAt !== null && op.returnedAt < op.invokedAt) invalid(index, `returned at ${op.returnedAt}, before its invocation at ${op.invokedAt}`);
    if (op.kind === 'get' && op.returnedAt === null) invalid(index, 'a read without a result belongs out of the history');
    const previous = lastReturnByClient.get(op.clientId);
    if (previous !== undefined && previous.at >= op.invokedAt) {
      invalid(index, `client ${op.clientId} invoked it while its operation ${previous.index} was still open`);
    }
    // After an unknown outcome the client's window never closes, so it must not invoke again.
    lastReturnByClient.set(op.clientId, { at: op.returnedAt ?? Number.POSITIVE_INFINITY, index });
  }
}

function invalid(index: number, why: string): never {
  throw new TideError('REQUEST_INVALID', `history operation ${index}: ${why}`);
}

// P-compositionality: a history of independent registers is linearizable exactly when each
// register's sub-history is, so each key is checked on its own (far smaller searches).
export function partitionByKey(history: readonly KvOperation[]): Map<string, KvOperation[]> {
  const byKey = new Map<string, KvOperation[]>();
  for (const op of history) {
    const ops = byKey.get(op.key);
    if (ops === undefined) byKey.set(op.key, [op]);
    else ops.push(op);
  }
  return byKey;
}

export function describeOperation(op: KvOperation): string {
  const window = `[${op.invokedAt}, ${op.returnedAt ?? '?'}]`;
  const call = op.kind === 'put' ? `put(${op.key}, ${JSON.stringify(op.value)})` : `get(${op.key}) -> ${JSON.stringify(op.value)}`;
  const outcome = op.returnedAt === null ? ' outcome unknown' : '';
  return `client ${op.clientId} ${window} ${call}${outcome}`;
}
