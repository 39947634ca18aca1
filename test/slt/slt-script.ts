// The sqllogictest format: a script is records separated by blank lines — `statement ok|error`,
// `query <types> <sort> [label]` with its expected block after `----`, `hash-threshold N` and
// `halt` — each optionally preceded by `skipif <engine>` / `onlyif <engine>` lines. TideDB runs
// the corpus as engine `mysql`, as its dialect is MySQL's.

export type SortMode = 'nosort' | 'rowsort' | 'valuesort';

export type Expected =
  | { readonly kind: 'values'; readonly values: readonly string[] }
  | { readonly kind: 'hash'; readonly count: number; readonly md5: string };

export type SltRecord =
  | { readonly kind: 'statement'; readonly line: number; readonly expectError: boolean; readonly sql: string }
  | { readonly kind: 'query'; readonly line: number; readonly types: string; readonly sort: SortMode; readonly sql: string; readonly expected: Expected }
  | { readonly kind: 'hash_threshold'; readonly line: number; readonly threshold: number }
  | { readonly kind: 'halt'; readonly line: number };

// A record with whether this engine runs it.
export interface ScriptRecord {
  readonly record: SltRecord;
  readonly skipped: boolean;
}

export const engine = 'mysql';

export function parseScript(text: string): ScriptRecord[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const records: ScriptRecord[] = [];
  let at = 0;
  while (at < lines.length) {
    // Skip blank lines and comments between records.
    while (at < lines.length && (lines[at]!.trim() === '' || lines[at]!.startsWith('#'))) at++;
    if (at >= lines.length) break;
    let skipped = false;
    // Conditions: skip when `skipif` names this engine or `onlyif` names another.
    for (let words = wordsOf(lines[at]!); words[0] === 'skipif' || words[0] === 'onlyif'; words = wordsOf(lines[at]!)) {
      const named = words[1] === engine;
      if ((words[0] === 'skipif' && named) || (words[0] === 'onlyif' && !named)) skipped = true;
      at++;
    }
    const line = at + 1;
    const words = wordsOf(lines[at]!);
    at++;
    const body: string[] = [];
    const readUntilBlank = (stopAtDashes: boolean): void => {
      while (at < lines.length && lines[at]!.trim() !== '' && !(stopAtDashes && lines[at] === '----')) body.push(lines[at++]!);
    };
    switch (words[0]) {
      case 'statement': {
        readUntilBlank(false);
        records.push({ skipped, record: { kind: 'statement', line, expectError: words[1] === 'error', sql: body.join('\n') } });
        break;
      }
      case 'query': {
        readUntilBlank(true);
        const sql = body.join('\n');
        const values: string[] = [];
        if (lines[at] === '----') {
          at++;
          while (at < lines.length && lines[at]!.trim() !== '') values.push(lines[at++]!);
        }
        const hashed = values.length === 1 ? /^(\d+) values hashing to ([0-9a-f]{32})$/.exec(values[0]!.trim()) : null;
        const expected: Expected = hashed === null ? { kind: 'values', values: values.map((value) => value.trim()) } : { kind: 'hash', count: Number(hashed[1]), md5: hashed[2]! };
        const sort = (words[2] ?? 'nosort') as SortMode;
        records.push({ skipped, record: { kind: 'query', line, types: words[1] ?? '', sort, sql, expected } });
        break;
      }
      case 'hash-threshold':
        records.push({ skipped, record: { kind: 'hash_threshold', line, threshold: Number(words[1]) } });
        break;
      case 'halt':
        records.push({ skipped, record: { kind: 'halt', line } });
        break;
      default:
        // An unknown line: skip to the next blank line, as the reference runner does.
        readUntilBlank(false);
    }
  }
  return records;
}

// A line's words, without a trailing `# comment`.
function wordsOf(line: string): string[] {
  return line.replace(/\s#.*$/, '').trim().split(/\s+/);
}
