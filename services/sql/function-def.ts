// The shape of a scalar function over evaluated arguments, shared by the function tables
// (functions.ts, temporal-functions.ts): its arity and what it computes.
import type { Value } from '../storage/types.js';

export interface FunctionDef {
  readonly min: number;
  readonly max: number;
  readonly fn: (args: readonly Value[]) => Value;
}

// A function whose every argument must be non-NULL for a non-NULL result.
export function strict(min: number, max: number, fn: (args: readonly Exclude<Value, null>[]) => Value): FunctionDef {
  return { min, max, fn: (args) => (args.some((arg) => arg === null) ? null : fn(args as readonly Exclude<Value, null>[])) };
}
