// MySQL's JSON path language: `$`, then `.name`, `."quoted name"`, `.*`, `[n]`, `[last]`,
// `[last-n]`, `[m to n]`, `[*]` and `**` steps. A path reads parts of a parsed document; one
// with a wildcard or a range may find several, and is refused where a function needs one place.
import { TideError } from '../base/errors.js';
import { sortedKeys } from './json-text.js';

// An array position counted from the start, or back from the last element (`last-2`).
export interface ArrayPosition {
  readonly fromEnd: boolean;
  readonly offset: number;
}

export type PathStep =
  | { readonly kind: 'member'; readonly name: string }
  | { readonly kind: 'index'; readonly at: ArrayPosition }
  | { readonly kind: 'range'; readonly from: ArrayPosition; readonly to: ArrayPosition }
  | { readonly kind: 'any-member' }
  | { readonly kind: 'any-index' }
  | { readonly kind: 'descendants' };

const position = String.raw`(?:last(?:\s*-\s*\d+)?|\d+)`;
const pathStep = new RegExp(
  [
    String.raw`\s*\.\s*([A-Za-z_$][\w$]*)`,
    String.raw`\s*\.\s*"((?:[^"\\]|\\.)*)"`,
    String.raw`\s*\.\s*(\*)`,
    String.raw`\s*\[\s*(\*|${position}(?:\s+to\s+${position})?)\s*\]`,
    String.raw`\s*(\*\*)`,
  ].join('|'),
  'y',
);

export function parseJsonPath(path: string): readonly PathStep[] {
  const text = path.trim();
  if (!text.startsWith('$')) throw invalidPath(path, 'it must start with $');
  const steps: PathStep[] = [];
  pathStep.lastIndex = 1;
  while (pathStep.lastIndex < text.length) {
    const at = pathStep.lastIndex;
    const match = pathStep.exec(text);
    if (match === null) throw invalidPath(path, `at character ${at + 1}`);
    steps.push(stepOf(match));
  }
  // MySQL: a path may not end in `**`, which would select every part of the document.
  if (steps.at(-1)?.kind === 'descendants') throw invalidPath(path, 'it ends in **');
  return steps;
}

function stepOf(match: RegExpExecArray): PathStep {
  if (match[1] !== undefined) return { kind: 'member', name: match[1] };
  if (match[2] !== undefined) return { kind: 'member', name: JSON.parse(`"${match[2]}"`) as string };
  if (match[3] !== undefined) return { kind: 'any-member' };
  if (match[5] !== undefined) return { kind: 'descendants' };
  const inside = match[4]!;
  if (inside === '*') return { kind: 'any-index' };
  const [from, to] = inside.split(/\s+to\s+/);
  if (to === undefined) return { kind: 'index', at: positionOf(from!) };
  return { kind: 'range', from: positionOf(from!), to: positionOf(to) };
}

function positionOf(text: string): ArrayPosition {
  if (!text.startsWith('last')) return { fromEnd: false, offset: Number(text) };
  const back = text.slice(4).replace(/[\s-]/g, '');
  return { fromEnd: true, offset: back === '' ? 0 : Number(back) };
}

function invalidPath(path: string, why: string): TideError {
  return new TideError('JSON_INVALID', `invalid JSON path '${path.slice(0, 60)}': ${why}`);
}

// Whether a path names at most one place: what JSON_SET, JSON_REMOVE and the path arguments of
// JSON_LENGTH, JSON_KEYS and JSON_CONTAINS require (MySQL's 3149 otherwise).
export function isSinglePath(steps: readonly PathStep[]): boolean {
  return steps.every((step) => step.kind === 'member' || step.kind === 'index');
}

export function requireSinglePath(path: string): readonly PathStep[] {
  const steps = parseJsonPath(path);
  if (!isSinglePath(steps)) throw invalidPath(path, 'wildcards and ranges are not allowed here');
  return steps;
}

// The index an ArrayPosition means in an array of `length` elements (may be out of range).
export function indexIn(length: number, at: ArrayPosition): number {
  return at.fromEnd ? length - 1 - at.offset : at.offset;
}

// Every part of `root` that `steps` reach, in document order. MySQL reads a scalar or an object
// as an array of one where an array step meets it: `$[0]` of 5 is 5.
export function selectPaths(root: unknown, steps: readonly PathStep[]): unknown[] {
  let found: unknown[] = [root];
  for (const step of steps) found = found.flatMap((value) => stepFrom(value, step));
  return found;
}

function stepFrom(value: unknown, step: PathStep): unknown[] {
  const elements = Array.isArray(value) ? value : [value];
  switch (step.kind) {
    case 'member':
      return isJsonObject(value) && Object.hasOwn(value, step.name) ? [value[step.name]] : [];
    case 'any-member':
      return membersInOrder(value);
    case 'index': {
      const at = indexIn(elements.length, step.at);
      return at >= 0 && at < elements.length ? [elements[at]] : [];
    }
    case 'range': {
      const from = Math.max(0, indexIn(elements.length, step.from));
      const to = Math.min(elements.length - 1, indexIn(elements.length, step.to));
      return elements.slice(from, to + 1);
    }
    case 'any-index':
      return Array.isArray(value) ? [...value] : [];
    case 'descendants':
      return [value, ...childrenOf(value).flatMap((child) => stepFrom(child, step))];
  }
}

function childrenOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : membersInOrder(value);
}

// An object's member values in MySQL's key order (json-text.ts), which wildcards follow.
function membersInOrder(value: unknown): unknown[] {
  return isJsonObject(value) ? sortedKeys(value).map((key) => value[key]) : [];
}

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
