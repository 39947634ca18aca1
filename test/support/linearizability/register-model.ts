// The sequential specification of one key: a register that starts absent (null), which a put
// overwrites and a get must read exactly.
import type { KvOperation } from './history.js';

export type RegisterState = string | null;

export const registerInitialState: RegisterState = null;

// Marks an operation that cannot happen in a state (a get that read something else).
export const illegalStep: unique symbol = Symbol('illegal step');

export function registerStep(state: RegisterState, op: KvOperation): RegisterState | typeof illegalStep {
  if (op.kind === 'put') return op.value;
  return op.value === state ? state : illegalStep;
}

// Distinct states get distinct keys: null cannot collide with any string value.
export function registerStateKey(state: RegisterState): string {
  return state === null ? '-' : `+${state}`;
}
