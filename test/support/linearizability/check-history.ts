// Checks a key-value history for linearizability: every operation appears to take effect at one
// instant between its invocation and its return, in an order that a single register per key
// would explain. Each key is checked on its own (P-compositionality); a violation on any key
// makes the history illegal, and a search that runs out of budget makes it unknown.
import type { KvOperation } from './history.js';
import { partitionByKey, validateHistory } from './history.js';
import { checkPartition } from './check-partition.js';
import { explainViolation } from './explain-violation.js';
import type { Violation } from './explain-violation.js';
import { SearchBudget, searchStepsMaxDefault, searchTimeMsMaxDefault } from './search-budget.js';

export type { KvOperation, GetOperation, PutOperation } from './history.js';
export type { Violation } from './explain-violation.js';

export type CheckResult =
  | { readonly kind: 'linearizable'; readonly keys: number; readonly operations: number }
  | { readonly kind: 'illegal'; readonly violation: Violation }
  // The search gave up on `key` (and found no violation elsewhere): neither verdict is proven.
  | { readonly kind: 'unknown'; readonly key: string; readonly reason: 'steps' | 'time'; readonly message: string };

export interface CheckOptions {
  // Search steps allowed per key (default searchStepsMaxDefault).
  readonly stepsMax?: number;
  // Wall-clock time allowed for the whole check (default searchTimeMsMaxDefault).
  readonly timeMsMax?: number;
}

export function checkHistory(history: readonly KvOperation[], options: CheckOptions = {}): CheckResult {
  validateHistory(history);
  const stepsMax = options.stepsMax ?? searchStepsMaxDefault;
  const budget = new SearchBudget(stepsMax, options.timeMsMax ?? searchTimeMsMaxDefault);
  const byKey = partitionByKey(history);
  let undecided: { key: string; reason: 'steps' | 'time' } | null = null;
  for (const [key, ops] of byKey) {
    // Each key's search gets the full step allowance; the time allowance is shared.
    const verdict = checkPartition(ops, budget);
    if (verdict === 'illegal') return { kind: 'illegal', violation: explainViolation(key, ops, budget) };
    if (verdict === 'unknown' && undecided === null) undecided = { key, reason: budget.exceeded ?? 'steps' };
  }
  if (undecided !== null) {
    const limit = undecided.reason === 'steps' ? `${stepsMax} search steps` : 'its time allowance';
    return { ...undecided, kind: 'unknown', message: `key ${JSON.stringify(undecided.key)}: the search ran past ${limit} without a verdict` };
  }
  return { kind: 'linearizable', keys: byKey.size, operations: history.length };
}
