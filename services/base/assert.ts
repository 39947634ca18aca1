// Asserts catch TideDB's own bugs and stay on in production: a node that finds itself in a
// state its code says is impossible stops, because running on would spread the damage
// (a wrong row applied on one replica cannot be undone by the others).

export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

export function assert(condition: unknown, message = 'assertion failed'): asserts condition {
  if (!condition) throw new AssertionError(message);
}

// Ends a `switch` on a discriminated union: adding a kind fails to compile until it is handled.
export function assertNever(value: never): never {
  throw new AssertionError(`unexpected value: ${JSON.stringify(value, bigintReplacer)}`);
}

function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
