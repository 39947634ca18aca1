// The shape of a scalar function over evaluated arguments, shared by the function tables
// (functions.ts, temporal-functions.ts): its arity and what it computes.
import type { Value } from '../storage/types.js';

export interface FunctionDef extends FunctionArity {
  readonly fn: (args: readonly Value[]) => Value;
}

// How many arguments a function takes: from min to max, and where they come in pairs (JSON_SET's
// paths and values, JSON_OBJECT's keys and values), an even number from `pairedFrom` on. A call
// of another count is refused as it is bound, before any row (MySQL's 1582).
export interface FunctionArity {
  readonly min: number;
  readonly max: number;
  readonly pairedFrom?: number;
}

export function takesArgumentCount(arity: FunctionArity, count: number): boolean {
  return count >= arity.min && count <= arity.max && (arity.pairedFrom === undefined || (count - arity.pairedFrom) % 2 === 0);
}

// A function whose every argument must be non-NULL for a non-NULL result.
export function strict(min: number, max: number, fn: (args: readonly Exclude<Value, null>[]) => Value): FunctionDef {
  return { min, max, fn: (args) => (args.some((arg) => arg === null) ? null : fn(args as readonly Exclude<Value, null>[])) };
}
