// Proves the sqllogictest runner reads the format and judges results as the reference runner
// does: conditions for engine mysql, type letters, sort modes, hashed results, expected errors
// and halt — against an in-test client that answers from a table of canned results.
import { describe, expect, it } from 'vitest';
import { formatValue, hashValues } from './slt-format.js';
import { runScript } from './slt-runner.js';
import type { SqlAnswer, SqlClient } from './slt-runner.js';

function client(answers: Record<string, SqlAnswer>): SqlClient {
  return { run: async (sql) => answers[sql] ?? { ok: false, code: 'SQL_SYNTAX', message: `no answer for ${sql}` } };
}
const rows = (...values: unknown[][]): SqlAnswer => ({ ok: true, rows: values });

describe('formatting values', () => {
  it('prints I, R and T as the reference runner does', () => {
    expect(['I', 'R', 'T'].map((type) => formatValue(null, type))).toEqual(['NULL', 'NULL', 'NULL']);
    expect(formatValue(2.7, 'I')).toBe('2');
    expect(formatValue(-2.7, 'I')).toBe('-2');
    expect(formatValue('9223372036854775807', 'I')).toBe('9223372036854775807');
    expect(formatValue(true, 'I')).toBe('1');
    expect(formatValue(1.5, 'R')).toBe('1.500');
    expect(formatValue(3, 'R')).toBe('3.000');
    expect(formatValue('', 'T')).toBe('(empty)');
    expect(formatValue('tab\there é', 'T')).toBe('tab@here @');
    expect(formatValue(12, 'T')).toBe('12');
  });

  it('hashes values each followed by a newline', () => {
    // Expected digests computed independently (printf '1\n2\n' | md5sum).
    expect(hashValues(['1', '2'])).toBe('6ddb4095eb719e2a9f0a3f95677d24e0');
    expect(hashValues([])).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(hashValues(['a'])).toBe('60b725f10c9c85c70d97880dfe8191b3');
  });
});

describe('running a script', () => {
  const script = [
    'statement ok',
    'CREATE TABLE t (a INT)',
    '',
    'statement error',
    'CREATE TABLE t (a INT)',
    '',
    'skipif mysql',
    'query I nosort',
    'SELECT sqlite_only()',
    '----',
    '1',
    '',
    'onlyif mysql # a comment after the engine',
    'query IT rowsort',
    'SELECT a, b FROM t',
    '----',
    '1',
    'x',
    '2',
    '(empty)',
    '',
    'query I valuesort',
    'SELECT a FROM t',
    '----',
    '1',
    '3',
    '',
    'query R nosort label-1',
    'SELECT r FROM t',
    '----',
    '3 values hashing to ' + hashValues(['0.500', '1.000', '1.500']),
    '',
    'query I nosort',
    'SELECT wrong FROM t',
    '----',
    '7',
    '',
    'onlyif sqlite',
    'halt',
    '',
    'halt',
    '',
    'statement ok',
    'NEVER RUN',
  ].join('\n');

  it('passes, fails and skips records as the reference runner does', async () => {
    const outcome = await runScript(
      script,
      client({
        'CREATE TABLE t (a INT)': rows(),
        'SELECT a, b FROM t': rows([2, ''], [1, 'x']),
        'SELECT a FROM t': rows([3], [1]),
        'SELECT r FROM t': rows([0.5], [1], [1.5]),
        'SELECT wrong FROM t': rows([8]),
      }),
    );
    // The second CREATE is answered ok by the canned client, so `statement error` fails.
    expect(outcome.outcomes.map((record) => `${record.line}:${record.kind}`)).toEqual(['1:passed', '4:failed', '8:skipped', '14:passed', '22:passed', '28:passed', '33:failed']);
    expect({ passed: outcome.passed, failed: outcome.failed, skipped: outcome.skipped }).toEqual({ passed: 4, failed: 2, skipped: 1 });
  });
});
