// A JSON column's value: a document that parsed as JSON, kept as the text it was given (trimmed)
// so that numbers past a double's precision stay as written. MySQL normalizes a document's
// spacing and key order when it stores it; TideDB keeps the client's text (results show it so).
// JSON_EXTRACT and `->` parse the document and answer the part found, written again by
// JSON.stringify (so a number in a part found past 2^53 is a double there).
import { TideError } from '../base/errors.js';
import { jsonDocumentBytesMax } from '../base/limits.js';

export class JsonDocument {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }
}

// MySQL's 3140: what a JSON column refuses.
export function parseJsonDocument(text: string): JsonDocument {
  const trimmed = text.trim();
  if (Buffer.byteLength(trimmed, 'utf8') > jsonDocumentBytesMax) throw new TideError('VALUE_TOO_LONG', `a JSON document is at most ${jsonDocumentBytesMax} bytes`);
  try {
    JSON.parse(trimmed);
  } catch (error) {
    throw new TideError('JSON_INVALID', `invalid JSON text: ${(error as Error).message.slice(0, 120)}`);
  }
  return new JsonDocument(trimmed);
}

// One step of a JSON path: a member name or an array index.
type PathStep = { readonly member: string } | { readonly index: number };

// `$`, then `.name`, `."quoted name"` or `[n]` steps; wildcards and ranges are not read yet.
const pathStep = /\.([A-Za-z_$][\w$]*)|\."((?:[^"\\]|\\.)*)"|\[\s*(\d+)\s*\]/y;

export function parseJsonPath(path: string): readonly PathStep[] {
  const text = path.trim();
  if (!text.startsWith('$')) throw new TideError('JSON_INVALID', `invalid JSON path '${path.slice(0, 60)}': it must start with $`);
  const steps: PathStep[] = [];
  pathStep.lastIndex = 1;
  while (pathStep.lastIndex < text.length) {
    const at = pathStep.lastIndex;
    const match = pathStep.exec(text);
    if (match === null) throw new TideError('JSON_INVALID', `invalid JSON path '${path.slice(0, 60)}' at character ${at + 1} (wildcards and ranges are not supported)`);
    if (match[3] !== undefined) steps.push({ index: Number(match[3]) });
    else steps.push({ member: match[1] ?? (JSON.parse(`"${match[2]}"`) as string) });
  }
  return steps;
}

// JSON_EXTRACT(doc, path): the part at `path`, or null (SQL NULL) where there is none.
export function jsonExtract(document: JsonDocument, path: string): JsonDocument | null {
  let found: unknown = JSON.parse(document.text);
  for (const step of parseJsonPath(path)) {
    if ('index' in step) {
      // MySQL reads a scalar as an array of one: $[0] of 5 is 5.
      found = Array.isArray(found) ? found[step.index] : step.index === 0 ? found : undefined;
    } else {
      found = found !== null && typeof found === 'object' && !Array.isArray(found) && Object.hasOwn(found, step.member) ? (found as Record<string, unknown>)[step.member] : undefined;
    }
    if (found === undefined) return null;
  }
  return new JsonDocument(JSON.stringify(found));
}

// JSON_UNQUOTE: a JSON string's characters; any other text as it is.
export function jsonUnquote(document: JsonDocument): string {
  if (!document.text.startsWith('"')) return document.text;
  try {
    const parsed: unknown = JSON.parse(document.text);
    return typeof parsed === 'string' ? parsed : document.text;
  } catch {
    return document.text;
  }
}
