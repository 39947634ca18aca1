// Runs one sqllogictest script against a SQL client and says, per record, whether it passed,
// failed (with what was expected and what came) or was skipped. The client is anything that
// runs one statement: a node over HTTP, or a node in this process.
import { formatRows, hashValues, sortedValues } from './slt-format.js';
import { parseScript } from './slt-script.js';
import type { SltRecord } from './slt-script.js';

export type SqlAnswer =
  | { readonly ok: true; readonly rows: readonly (readonly unknown[])[] }
  | { readonly ok: false; readonly code: string; readonly message: string };

export interface SqlClient {
  run(sql: string): Promise<SqlAnswer>;
}

export type RecordOutcome =
  | { readonly kind: 'passed'; readonly line: number }
  | { readonly kind: 'skipped'; readonly line: number }
  | { readonly kind: 'failed'; readonly line: number; readonly sql: string; readonly why: string };

export interface ScriptOutcome {
  readonly outcomes: readonly RecordOutcome[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

export async function runScript(text: string, client: SqlClient): Promise<ScriptOutcome> {
  const outcomes: RecordOutcome[] = [];
  let hashThreshold = 0;
  for (const { record, skipped } of parseScript(text)) {
    if (record.kind === 'halt') {
      if (skipped) continue;
      break;
    }
    if (record.kind === 'hash_threshold') {
      hashThreshold = record.threshold;
      continue;
    }
    if (skipped) {
      outcomes.push({ kind: 'skipped', line: record.line });
      continue;
    }
    outcomes.push(await runRecord(record, client, hashThreshold));
  }
  const count = (kind: RecordOutcome['kind']): number => outcomes.filter((outcome) => outcome.kind === kind).length;
  return { outcomes, passed: count('passed'), failed: count('failed'), skipped: count('skipped') };
}

async function runRecord(record: Extract<SltRecord, { kind: 'statement' | 'query' }>, client: SqlClient, hashThreshold: number): Promise<RecordOutcome> {
  const { line, sql } = record;
  const answer = await client.run(sql);
  if (record.kind === 'statement') {
    if (record.expectError === !answer.ok) return { kind: 'passed', line };
    const why = answer.ok ? 'succeeded, but an error was expected' : `failed with ${answer.code}: ${answer.message}`;
    return { kind: 'failed', line, sql, why };
  }
  if (!answer.ok) return { kind: 'failed', line, sql, why: `failed with ${answer.code}: ${answer.message}` };
  const widths = new Set(answer.rows.map((row) => row.length));
  if (answer.rows.length > 0 && (widths.size !== 1 || !widths.has(record.types.length))) {
    return { kind: 'failed', line, sql, why: `expected ${record.types.length} columns, got rows of ${[...widths].join('/')}` };
  }
  const values = sortedValues(formatRows(answer.rows, record.types), record.sort);
  const { expected } = record;
  if (expected.kind === 'hash') {
    const md5 = hashValues(values);
    if (values.length === expected.count && md5 === expected.md5) return { kind: 'passed', line };
    return { kind: 'failed', line, sql, why: `expected ${expected.count} values hashing to ${expected.md5}, got ${values.length} hashing to ${md5}` };
  }
  // A result over the threshold is compared by hash when the script gives one; given values,
  // they are compared one by one.
  if (hashThreshold > 0 && values.length > hashThreshold && expected.values.length === 1) {
    return { kind: 'failed', line, sql, why: `expected ${expected.values[0]}, got ${values.length} values` };
  }
  if (values.length === expected.values.length && values.every((value, at) => value === expected.values[at])) return { kind: 'passed', line };
  return { kind: 'failed', line, sql, why: `expected [${expected.values.slice(0, 12).join(', ')}${expected.values.length > 12 ? ', …' : ''}], got [${values.slice(0, 12).join(', ')}${values.length > 12 ? ', …' : ''}] (${values.length} values)` };
}
