// JSON_SET, JSON_INSERT, JSON_REPLACE and JSON_REMOVE on a parsed document, as MySQL 8 does
// them: a path names one place (json-path.ts requireSinglePath); a place whose parent is not in
// the document is left alone; an array step past the end appends, and one that meets a scalar
// or an object wraps it in an array first (`JSON_SET('1', '$[1]', 2)` is `[1, 2]`). Each call
// changes the document it is given, which the caller parsed for it.
import { TideError } from '../base/errors.js';
import { indexIn, isJsonObject, selectPaths } from './json-path.js';
import type { PathStep } from './json-path.js';
import { setMember } from './json-text.js';

// SET writes a place whether or not it holds a value; INSERT only a new one; REPLACE only one
// that exists.
export type JsonWriteMode = 'set' | 'insert' | 'replace';

// The document with `value` at `steps`: the root itself for `$`.
export function jsonWrite(root: unknown, steps: readonly PathStep[], value: unknown, mode: JsonWriteMode): unknown {
  const last = steps.at(-1);
  if (last === undefined) return mode === 'insert' ? root : value;
  const parentSteps = steps.slice(0, -1);
  const [parent] = selectPaths(root, parentSteps);
  if (parent === undefined) return root;
  if (last.kind === 'member') {
    if (!isJsonObject(parent)) return root;
    const exists = Object.hasOwn(parent, last.name);
    if (exists ? mode !== 'insert' : mode !== 'replace') setMember(parent, last.name, value);
    return root;
  }
  if (last.kind !== 'index') throw new TideError('JSON_INVALID', 'a path to write names one place');
  const elements = Array.isArray(parent) ? parent : [parent];
  const at = indexIn(elements.length, last.at);
  const exists = at >= 0 && at < elements.length;
  if (exists ? mode === 'insert' : mode === 'replace') return root;
  if (exists && !Array.isArray(parent)) return replaceAt(root, parentSteps, value);
  if (exists) elements[at] = value;
  else elements.push(value);
  return Array.isArray(parent) ? root : replaceAt(root, parentSteps, elements);
}

// The document without the part at `steps`, or as it was when there is none there.
export function jsonRemove(root: unknown, steps: readonly PathStep[]): unknown {
  const last = steps.at(-1);
  if (last === undefined) throw new TideError('JSON_INVALID', "the path '$' names the whole document, which cannot be removed");
  const [parent] = selectPaths(root, steps.slice(0, -1));
  if (last.kind === 'member' && isJsonObject(parent)) delete parent[last.name];
  if (last.kind === 'index' && Array.isArray(parent)) {
    const at = indexIn(parent.length, last.at);
    if (at >= 0 && at < parent.length) parent.splice(at, 1);
  }
  return root;
}

// The document with the part at `steps` (found there before) replaced by `value`.
function replaceAt(root: unknown, steps: readonly PathStep[], value: unknown): unknown {
  return steps.length === 0 ? value : jsonWrite(root, steps, value, 'replace');
}
