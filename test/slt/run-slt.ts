// `npm run slt`: runs sqllogictest scripts against TideDB and prints, per file, how many records
// passed, failed and were skipped, with the first failures in full.
//   npm run slt -- [files or folders…] [--url http://127.0.0.1:4001] [--failures N] [--out ids.txt]
// Without --url each file runs on a fresh node in this process (real LMDB and Raft log in a
// temporary folder); with --url, on a running node over HTTP (its tables are whatever the
// scripts leave behind). --out writes the ids (`file:line`) of the records that passed.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startInProcessNode } from '../http/in-process-node.js';
import { runScript } from './slt-runner.js';
import type { SqlAnswer, SqlClient } from './slt-runner.js';

const corpusDir = resolve(import.meta.dirname, '../../../shared/sqllogictest');

const { values: flags, positionals } = parseArgs({
  args: process.argv.slice(2),
  options: { url: { type: 'string' }, failures: { type: 'string', default: '3' }, out: { type: 'string' } },
  allowPositionals: true,
});
const failuresShown = Number(flags.failures);

function scriptFiles(paths: readonly string[]): string[] {
  return paths.flatMap((path) => {
    if (statSync(path).isDirectory()) return scriptFiles(readdirSync(path).sort().map((name) => join(path, name)));
    return path.endsWith('.test') ? [path] : [];
  });
}

function answerOf(status: number, body: Record<string, unknown>): SqlAnswer {
  if (status === 200) {
    const [result] = body['results'] as { rows: unknown[][] }[];
    return { ok: true, rows: result?.rows ?? [] };
  }
  const error = (body['error'] ?? {}) as { code?: string; message?: string };
  return { ok: false, code: error.code ?? String(status), message: error.message ?? '' };
}

function httpClient(url: string): SqlClient {
  return {
    async run(sql) {
      const response = await fetch(`${url}/v1/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql }) });
      return answerOf(response.status, (await response.json()) as Record<string, unknown>);
    },
  };
}

const files = scriptFiles(positionals.length > 0 ? positionals : [corpusDir]);
const passedIds: string[] = [];
const totals = { passed: 0, failed: 0, skipped: 0 };
const started = performance.now();
for (const file of files) {
  const name = relative(corpusDir, file).startsWith('..') ? file : relative(corpusDir, file);
  const node = flags.url === undefined ? await startInProcessNode() : null;
  const client: SqlClient = node === null ? httpClient(flags.url!) : { run: async (sql) => { const { status, body } = await node.sql({ sql }); return answerOf(status, body); } };
  const fileStarted = performance.now();
  const outcome = await runScript(readFileSync(file, 'utf8'), client);
  await node?.close();
  totals.passed += outcome.passed;
  totals.failed += outcome.failed;
  totals.skipped += outcome.skipped;
  for (const record of outcome.outcomes) if (record.kind === 'passed') passedIds.push(`${name}:${record.line}`);
  const seconds = ((performance.now() - fileStarted) / 1000).toFixed(1);
  console.log(`${name}: ${outcome.passed} passed, ${outcome.failed} failed, ${outcome.skipped} skipped (${seconds} s)`);
  for (const failure of outcome.outcomes.filter((record) => record.kind === 'failed').slice(0, failuresShown)) {
    if (failure.kind !== 'failed') continue;
    console.log(`  ${name}:${failure.line}: ${failure.why}\n    ${failure.sql.split('\n').join('\n    ').slice(0, 600)}`);
  }
}
if (flags.out !== undefined) writeFileSync(flags.out, `${passedIds.join('\n')}\n`);
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(`slt: ${files.length} files in ${seconds} s`);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
