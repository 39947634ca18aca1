// Holds the SQL engine to what it has reached: every record of ../shared/sqllogictest listed in
// passing.txt must still pass (each file on a fresh in-process node). Newly passing records are
// counted, not required; `npm run slt -- --out test/slt/passing.txt` renews the list.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scriptFiles } from './corpus-files.js';
import { corpusDir, recordId, runFiles } from './corpus-run.js';

const listPath = resolve(import.meta.dirname, 'passing.txt');

describe.skipIf(!existsSync(corpusDir))('the sqllogictest corpus', () => {
  it('still passes every record that passed before', async () => {
    const listed = new Set(readFileSync(listPath, 'utf8').split('\n').filter((line) => line !== ''));
    const outcomes = await runFiles(scriptFiles([corpusDir]), undefined);
    const passed = new Set(outcomes.flatMap((file) => file.outcomes.filter((record) => record.kind === 'passed').map((record) => recordId(file, record.line))));
    const failures = new Map(outcomes.flatMap((file) => file.outcomes.flatMap((record) => (record.kind === 'failed' ? [[recordId(file, record.line), record.why] as const] : []))));
    const lost = [...listed].filter((id) => !passed.has(id));
    const gained = [...passed].filter((id) => !listed.has(id)).length;
    console.log(`sqllogictest: ${passed.size} records pass (${listed.size} listed, ${gained} newly passing)`);
    expect(lost.map((id) => `${id}: ${failures.get(id) ?? 'not run'}`).slice(0, 20)).toEqual([]);
    expect(listed.size).toBeGreaterThan(0);
  }, 600_000);
});
