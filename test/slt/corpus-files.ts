// The sqllogictest corpus as the tools beside the runner read it (the parser bake-off and
// strictness scripts in test/bench/, the HTTP fuzz test): its script files in one fixed order,
// the records engine mysql runs in each — read by parseScript, so they agree with the runner —
// and the kind of a statement.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseScript } from './slt-script.js';
import type { SltRecord } from './slt-script.js';

export type SqlRecord = Extract<SltRecord, { kind: 'statement' | 'query' }>;

export type StatementKind =
  | 'CREATE TABLE' | 'CREATE INDEX' | 'CREATE VIEW' | 'CREATE other'
  | 'DROP TABLE' | 'DROP INDEX' | 'DROP VIEW' | 'DROP other'
  | 'INSERT' | 'REPLACE' | 'SELECT' | 'UPDATE' | 'DELETE' | 'ALTER' | 'TRUNCATE' | 'other';

// Every `.test` file under dir, depth first, each folder's entries sorted by name (UTF-16 code
// units, not locale), so a seeded tool sees the same statements in the same order everywhere.
export function corpusFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...corpusFiles(path));
    else if (entry.name.endsWith('.test')) files.push(path);
  }
  return files;
}

// The script files the paths name: folders walked as corpusFiles does, files taken when they
// end in `.test`.
export function scriptFiles(paths: readonly string[]): string[] {
  return paths.flatMap((path) => (statSync(path).isDirectory() ? corpusFiles(path) : path.endsWith('.test') ? [path] : []));
}

// The statement and query records engine mysql runs, in script order, until a `halt` it runs:
// what the runner would send, whether or not an error is expected.
export function runnableRecords(text: string): SqlRecord[] {
  const records: SqlRecord[] = [];
  for (const { record, skipped } of parseScript(text)) {
    if (skipped || record.kind === 'hash_threshold') continue;
    if (record.kind === 'halt') break;
    records.push(record);
  }
  return records;
}

// The kind of a statement, from its leading keywords. Leading parentheses occur on compound
// SELECTs; the corpus's SQL lines carry no comments, so a keyword prefix is enough.
export function statementKind(sql: string): StatementKind {
  const s = sql.replace(/^[\s(]+/, '').toUpperCase();
  if (/^CREATE\s+(TEMP\s+|TEMPORARY\s+)?TABLE\b/.test(s)) return 'CREATE TABLE';
  if (/^CREATE\s+(UNIQUE\s+)?INDEX\b/.test(s)) return 'CREATE INDEX';
  if (/^CREATE\s+(TEMP\s+|TEMPORARY\s+)?VIEW\b/.test(s)) return 'CREATE VIEW';
  if (/^CREATE\b/.test(s)) return 'CREATE other';
  if (/^DROP\s+(TEMPORARY\s+)?TABLE\b/.test(s)) return 'DROP TABLE';
  if (/^DROP\s+INDEX\b/.test(s)) return 'DROP INDEX';
  if (/^DROP\s+VIEW\b/.test(s)) return 'DROP VIEW';
  if (/^DROP\b/.test(s)) return 'DROP other';
  if (/^INSERT\b/.test(s)) return 'INSERT';
  if (/^REPLACE\b/.test(s)) return 'REPLACE';
  if (/^(SELECT|WITH|VALUES)\b/.test(s)) return 'SELECT';
  if (/^UPDATE\b/.test(s)) return 'UPDATE';
  if (/^DELETE\b/.test(s)) return 'DELETE';
  if (/^ALTER\b/.test(s)) return 'ALTER';
  if (/^TRUNCATE\b/.test(s)) return 'TRUNCATE';
  return 'other';
}
