// A JSON column's value: a document that parsed as JSON, kept as the text it was given (trimmed)
// so that numbers past a double's precision stay as written. MySQL normalizes a document's
// spacing and key order when it stores it; TideDB keeps the client's text (results show it so).
// The JSON functions (sql/json-functions.ts) parse the document (json-parse.ts: its integers
// exact, its other numbers doubles, as MySQL holds them) and answer what they compute written
// as MySQL writes it (json-text.ts).
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
