// The JSON functions of MySQL 8 over evaluated arguments: reading parts of a document
// (JSON_EXTRACT, and `->`, `->>` bound to it), describing it (JSON_LENGTH, JSON_KEYS, JSON_TYPE,
// JSON_VALID, JSON_DEPTH, JSON_CONTAINS, JSON_CONTAINS_PATH), building one (JSON_OBJECT,
// JSON_ARRAY, JSON_QUOTE) and changing one (JSON_SET, JSON_INSERT, JSON_REPLACE, JSON_REMOVE,
// JSON_ARRAY_APPEND, JSON_MERGE_PATCH). A document
// argument is a JSON value or text that must parse as one (3140); a computed document is written
// as MySQL writes it (values/json-text.ts).
import { TideError } from '../base/errors.js';
import type { Value } from '../storage/types.js';
import { Decimal, formatDecimal } from '../values/decimal.js';
import { JsonDocument, jsonUnquote, parseJsonDocument } from '../values/json-document.js';
import { jsonRemove, jsonWrite } from '../values/json-edit.js';
import { parseJsonExact } from '../values/json-parse.js';
import type { JsonWriteMode } from '../values/json-edit.js';
import type { PathStep } from '../values/json-path.js';
import { isJsonObject, isSinglePath, parseJsonPath, requireSinglePath, selectPaths } from '../values/json-path.js';
import { jsonDocumentOfValue, setMember, sortedKeys } from '../values/json-text.js';
import { strict } from './function-def.js';
import type { FunctionDef } from './function-def.js';
import { textOf } from './values.js';

type Present = Exclude<Value, null>;

// A document argument, parsed.
function documentOf(value: Present): unknown {
  const document = value instanceof JsonDocument ? value : parseJsonDocument(textOf(value));
  return parseJsonExact(document.text);
}

// An SQL value as a part of a document: a JSON value as itself, text as a JSON string (as
// MySQL, which does not parse it: JSON_OBJECT('a', '[1]') holds the string "[1]"), a number as a
// number, a boolean as true or false and a date or time as the string of its text.
function partOf(value: Value): unknown {
  if (value === null) return null;
  if (value instanceof JsonDocument) return parseJsonExact(value.text);
  if (typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Decimal) return Number(formatDecimal(value));
  return textOf(value);
}

// The one part at a single path, or undefined where the document has none.
function partAt(document: unknown, path: Present): unknown {
  return selectPaths(document, requireSinglePath(textOf(path)))[0];
}

// JSON_EXTRACT: the part one plain path finds; with several paths or a wildcard, an array of
// all parts found; NULL when none is.
function extract(args: readonly Present[]): Value {
  const [document, ...paths] = args;
  const root = documentOf(document!);
  const parsed = paths.map((path) => parseJsonPath(textOf(path)));
  const found = parsed.flatMap((steps) => selectPaths(root, steps));
  if (found.length === 0) return null;
  return parsed.length === 1 && isSinglePath(parsed[0]!) ? jsonDocumentOfValue(found[0]) : jsonDocumentOfValue(found);
}

function lengthOf(part: unknown): bigint {
  if (Array.isArray(part)) return BigInt(part.length);
  return isJsonObject(part) ? BigInt(Object.keys(part).length) : 1n;
}

// JSON_TYPE's names. A number's kind comes from its text where the argument is a document's
// own text (1.0 is a DOUBLE); a part found was parsed, and is an INTEGER when it is whole.
function typeName(document: Present): string {
  const part = documentOf(document);
  if (part === null) return 'NULL';
  if (Array.isArray(part)) return 'ARRAY';
  if (isJsonObject(part)) return 'OBJECT';
  if (typeof part === 'string') return 'STRING';
  if (typeof part === 'boolean') return 'BOOLEAN';
  const digits = textOf(document).trim();
  if (!/^-?\d+$/.test(digits)) return 'DOUBLE';
  return BigInt(digits) > 9223372036854775807n ? 'UNSIGNED INTEGER' : 'INTEGER';
}

// JSON_CONTAINS's rule: a scalar contains an equal scalar; an array contains every element of
// an array candidate, or a non-array candidate contained in one of its elements; an object
// contains an object whose every member it has, each containing the candidate's value.
function contains(target: unknown, candidate: unknown): boolean {
  if (Array.isArray(target)) {
    if (Array.isArray(candidate)) return candidate.every((part) => target.some((element) => contains(element, part)));
    return target.some((element) => contains(element, candidate));
  }
  if (isJsonObject(target)) {
    if (!isJsonObject(candidate)) return false;
    return Object.keys(candidate).every((key) => Object.hasOwn(target, key) && contains(target[key], candidate[key]));
  }
  if (Array.isArray(candidate) || isJsonObject(candidate)) return false;
  return target === candidate;
}

// JSON_DEPTH: 1 for a scalar or an empty array or object, else one more than its deepest part.
function depthOf(part: unknown): number {
  const children = Array.isArray(part) ? part : isJsonObject(part) ? Object.values(part) : [];
  return children.length === 0 ? 1 : 1 + Math.max(...children.map(depthOf));
}

// RFC 7396, as JSON_MERGE_PATCH: a non-object patch replaces the target; an object patch
// removes the members it sets to null and merges the others in.
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return patch;
  const merged: Record<string, unknown> = isJsonObject(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else setMember(merged, key, mergePatch(Object.hasOwn(merged, key) ? merged[key] : undefined, value));
  }
  return merged;
}

// JSON_ARRAY_APPEND: `value` appended to the array at `steps`; a scalar or an object there
// becomes an array of it and `value`.
function appendAt(root: unknown, steps: readonly PathStep[], value: unknown): unknown {
  const [found] = selectPaths(root, steps);
  if (found === undefined) return root;
  if (Array.isArray(found)) {
    found.push(value);
    return root;
  }
  return jsonWrite(root, steps, [found, value], 'replace');
}

function write(mode: JsonWriteMode): FunctionDef {
  return {
    min: 3,
    max: Infinity,
    pairedFrom: 1,
    fn: ([document, ...pairs]) => {
      if (document === null || document === undefined) return null;
      let root = documentOf(document);
      for (let at = 0; at < pairs.length; at += 2) {
        const path = pairs[at];
        if (path === null || path === undefined) return null;
        root = jsonWrite(root, requireSinglePath(textOf(path)), partOf(pairs[at + 1] ?? null), mode);
      }
      return jsonDocumentOfValue(root);
    },
  };
}

function object(args: readonly Value[]): Value {
  const built: Record<string, unknown> = {};
  for (let at = 0; at < args.length; at += 2) {
    const key = args[at];
    if (key === null || key === undefined) throw new TideError('JSON_KEY_NULL', 'JSON documents may not contain NULL member names');
    setMember(built, textOf(key), partOf(args[at + 1] ?? null));
  }
  return jsonDocumentOfValue(built);
}

export const jsonFunctions: Readonly<Record<string, FunctionDef>> = {
  JSON_EXTRACT: strict(2, Infinity, extract),
  JSON_UNQUOTE: strict(1, 1, ([document]) => jsonUnquote(document instanceof JsonDocument ? document : new JsonDocument(textOf(document!)))),
  JSON_VALID: strict(1, 1, ([document]) => {
    if (document instanceof JsonDocument) return true;
    try {
      parseJsonDocument(textOf(document!));
      return true;
    } catch {
      return false;
    }
  }),
  JSON_LENGTH: strict(1, 2, ([document, path]) => {
    const root = documentOf(document!);
    const part = path === undefined ? root : partAt(root, path);
    return part === undefined ? null : lengthOf(part);
  }),
  JSON_KEYS: strict(1, 2, ([document, path]) => {
    const root = documentOf(document!);
    const part = path === undefined ? root : partAt(root, path);
    return isJsonObject(part) ? jsonDocumentOfValue(sortedKeys(part)) : null;
  }),
  JSON_TYPE: strict(1, 1, ([document]) => typeName(document!)),
  JSON_CONTAINS: strict(2, 3, ([target, candidate, path]) => {
    const root = documentOf(target!);
    const part = path === undefined ? root : partAt(root, path);
    return part === undefined ? null : contains(part, documentOf(candidate!));
  }),
  // 'one': whether any path finds a part; 'all': whether every path does.
  JSON_CONTAINS_PATH: strict(3, Infinity, ([document, which, ...paths]) => {
    const root = documentOf(document!);
    const mode = textOf(which!).toLowerCase();
    if (mode !== 'one' && mode !== 'all') throw new TideError('JSON_INVALID', "JSON_CONTAINS_PATH's second argument is 'one' or 'all'");
    const found = paths.map((path) => selectPaths(root, parseJsonPath(textOf(path))).length > 0);
    return mode === 'one' ? found.some(Boolean) : found.every(Boolean);
  }),
  JSON_OBJECT: { min: 0, max: Infinity, pairedFrom: 0, fn: object },
  JSON_ARRAY: { min: 0, max: Infinity, fn: (args) => jsonDocumentOfValue(args.map(partOf)) },
  JSON_QUOTE: strict(1, 1, ([value]) => JSON.stringify(textOf(value!))),
  JSON_SET: write('set'),
  JSON_INSERT: write('insert'),
  JSON_REPLACE: write('replace'),
  JSON_DEPTH: strict(1, 1, ([document]) => BigInt(depthOf(documentOf(document!)))),
  JSON_MERGE_PATCH: strict(2, Infinity, (documents) => jsonDocumentOfValue(documents.map(documentOf).reduce(mergePatch))),
  // A NULL value is appended as JSON null; a NULL document or path gives NULL.
  JSON_ARRAY_APPEND: {
    min: 3,
    max: Infinity,
    pairedFrom: 1,
    fn: ([document, ...pairs]) => {
      if (document === null || document === undefined || pairs.some((value, at) => at % 2 === 0 && value === null)) return null;
      let root = documentOf(document);
      for (let at = 0; at < pairs.length; at += 2) root = appendAt(root, requireSinglePath(textOf(pairs[at]!)), partOf(pairs[at + 1] ?? null));
      return jsonDocumentOfValue(root);
    },
  },
  JSON_REMOVE: strict(2, Infinity, ([document, ...paths]) => {
    let root = documentOf(document!);
    for (const path of paths) root = jsonRemove(root, requireSinglePath(textOf(path)));
    return jsonDocumentOfValue(root);
  }),
};
