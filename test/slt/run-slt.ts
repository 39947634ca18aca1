// `npm run slt`: runs sqllogictest scripts against TideDB and prints, per file, how many records
// passed, failed and were skipped, with the first failures in full.
//   npm run slt -- [files or folders…] [--url http://127.0.0.1:4001] [--failures N] [--out ids.txt]
// Without --url each file runs on a fresh node in this process; with --url, on a running node
// over HTTP (its tables are whatever the scripts leave behind). --out writes the ids
// (`file:line`) of the records that passed: `--out test/slt/passing.txt` renews the list the
// CI guard holds the engine to (corpus-guard.test.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { closeParser } from '../../services/sql/parser.js';
import { scriptFiles } from './corpus-files.js';
import { corpusDir, recordId, runFiles } from './corpus-run.js';

const { values: flags, positionals } = parseArgs({
  args: process.argv.slice(2),
  options: { url: { type: 'string' }, failures: { type: 'string', default: '3' }, out: { type: 'string' } },
  allowPositionals: true,
});
const failuresShown = Number(flags.failures);

const files = scriptFiles(positionals.length > 0 ? positionals : [corpusDir]);
const started = performance.now();
const outcomes = await runFiles(files, flags.url, (file) => {
  console.log(`${file.name}: ${file.passed} passed, ${file.failed} failed, ${file.skipped} skipped (${file.seconds.toFixed(1)} s)`);
  for (const failure of file.outcomes.filter((record) => record.kind === 'failed').slice(0, failuresShown)) {
    if (failure.kind !== 'failed') continue;
    console.log(`  ${file.name}:${failure.line}: ${failure.why}\n    ${failure.sql.split('\n').join('\n    ').slice(0, 600)}`);
  }
});
if (flags.out !== undefined) {
  const passed = outcomes.flatMap((file) => file.outcomes.filter((record) => record.kind === 'passed').map((record) => recordId(file, record.line)));
  writeFileSync(flags.out, `${passed.join('\n')}\n`);
}
const sum = (key: 'passed' | 'failed' | 'skipped'): number => outcomes.reduce((total, file) => total + file[key], 0);
// Failures of records MySQL itself rejects (SQLite's dialect), listed with the reason, count apart.
const rejectedByMysql = new Set(readFileSync(new URL('./mysql-rejects.txt', import.meta.url), 'utf8').split('\n').filter((line) => line !== '' && !line.startsWith('#')).map((line) => line.split('\t')[0]!));
const rejectedFailures = outcomes.reduce((total, file) => total + file.outcomes.filter((record) => record.kind === 'failed' && rejectedByMysql.has(recordId(file, record.line))).length, 0);
console.log(`slt: ${files.length} files in ${((performance.now() - started) / 1000).toFixed(1)} s`);
console.log(`${sum('passed')} passed, ${sum('failed') - rejectedFailures} failed, ${sum('skipped')} skipped; and ${rejectedFailures} failed that MySQL itself rejects (test/slt/mysql-rejects.txt)`);
await closeParser();
