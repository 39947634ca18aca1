/**
 * SQL parser bake-off: MySQL coverage and speed of npm SQL parsers against the
 * statements of the sqllogictest corpus, as the `mysql` engine sees them.
 *
 *   npx --yes tsx test/bench/parser-coverage.ts [--corpus DIR] [--passes N]
 *       [--index-stride K] [--speed-sample N] [--only NAME] [--dump]
 *
 * Candidates other than node-sql-parser are not dependencies of the project; bring
 * them in temporarily (a later `npm ci` removes them again):
 *
 *   npm install --no-save sql-parser-cst @guanmingchiu/sqlparser-ts pgsql-ast-parser
 *
 * A candidate whose package cannot be imported is reported as skipped, so the script
 * runs (and typechecks) with only the project's own dependencies installed. For that
 * reason the optional packages are imported through a module name held in a
 * variable: the type checker must not need them.
 *
 * Results and the recommendation drawn from them are in docs/sql-parser.md.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { cpus } from 'node:os';
import type { Option as NspOption } from 'node-sql-parser';
import { corpusFiles, runnableRecords, statementKind } from '../slt/corpus-files.js';
import type { StatementKind } from '../slt/corpus-files.js';

// ---------------------------------------------------------------------------
// Corpus extraction

type Expect = 'ok' | 'error' | 'query';
type Kind =
  | 'CREATE TABLE'
  | 'INSERT'
  | 'SELECT'
  | 'UPDATE'
  | 'DELETE'
  | 'DROP'
  | 'CREATE INDEX'
  | 'CREATE VIEW'
  | 'other';
const KINDS: readonly Kind[] = [
  'CREATE TABLE',
  'INSERT',
  'SELECT',
  'UPDATE',
  'DELETE',
  'DROP',
  'CREATE INDEX',
  'CREATE VIEW',
  'other',
];

interface Stmt {
  file: string;
  line: number;
  expect: Expect;
  kind: Kind;
  sql: string;
}

// The bake-off's columns: the shared statement kinds, with those it does not report apart
// folded into DROP and other.
const kindOf: Readonly<Record<StatementKind, Kind>> = {
  'CREATE TABLE': 'CREATE TABLE',
  'CREATE INDEX': 'CREATE INDEX',
  'CREATE VIEW': 'CREATE VIEW',
  'CREATE other': 'other',
  'DROP TABLE': 'DROP',
  'DROP INDEX': 'DROP',
  'DROP VIEW': 'DROP',
  'DROP other': 'DROP',
  INSERT: 'INSERT',
  REPLACE: 'other',
  SELECT: 'SELECT',
  UPDATE: 'UPDATE',
  DELETE: 'DELETE',
  ALTER: 'other',
  TRUNCATE: 'other',
  other: 'other',
};

/** The SQL of every `statement` and `query` record engine `mysql` runs in one .test file. */
function extractFile(path: string, display: string): Stmt[] {
  return runnableRecords(readFileSync(path, 'utf8')).map((record) => {
    const expect: Expect = record.kind === 'query' ? 'query' : record.expectError ? 'error' : 'ok';
    const sql = record.sql.trim();
    return { file: display, line: record.line, expect, kind: kindOf[statementKind(sql)], sql };
  });
}

// ---------------------------------------------------------------------------
// Candidates

interface Candidate {
  name: string;
  /** Throws on a syntax error; the result is only kept alive, not inspected. */
  parse(sql: string): unknown;
}

interface Skipped {
  name: string;
  why: string;
}

// Imported through a variable so that neither tsc nor a bundler needs the package.
async function optionalImport(name: string): Promise<Record<string, unknown>> {
  return (await import(name)) as Record<string, unknown>;
}

type ParseFn = (sql: string, opts?: unknown) => unknown;

async function loadCandidates(): Promise<{ ok: Candidate[]; skipped: Skipped[] }> {
  const ok: Candidate[] = [];
  const skipped: Skipped[] = [];
  const attempt = async (names: string[], pkg: string, make: () => Promise<Candidate[]>): Promise<void> => {
    try {
      ok.push(...(await make()));
    } catch (e) {
      for (const n of names) skipped.push({ name: n, why: `${pkg} not importable: ${(e as Error).message.split('\n')[0]}` });
    }
  };

  await attempt(['node-sql-parser (MySQL)', 'node-sql-parser (MariaDB)'], 'node-sql-parser', async () => {
    const mod = await import('node-sql-parser');
    // The package is CommonJS; depending on the loader the class is on the
    // namespace or on its default export.
    const P = (mod as { Parser?: typeof mod.Parser }).Parser ?? (mod as unknown as { default: typeof mod }).default.Parser;
    const parser = new P();
    const my: NspOption = { database: 'MySQL' };
    const maria: NspOption = { database: 'MariaDB' };
    return [
      { name: 'node-sql-parser (MySQL)', parse: (sql) => parser.astify(sql, my) },
      { name: 'node-sql-parser (MariaDB)', parse: (sql) => parser.astify(sql, maria) },
    ];
  });

  await attempt(['sql-parser-cst (mysql)'], 'sql-parser-cst', async () => {
    const mod = await optionalImport('sql-parser-cst');
    const parse = (mod['parse'] ?? (mod['default'] as Record<string, unknown>)['parse']) as ParseFn;
    // `?` must be enabled explicitly; TideDB's HTTP API binds positional params.
    const opts = { dialect: 'mysql', paramTypes: ['?'] };
    return [{ name: 'sql-parser-cst (mysql)', parse: (sql) => parse(sql, opts) }];
  });

  await attempt(['sqlparser-rs WASM (mysql)'], '@guanmingchiu/sqlparser-ts', async () => {
    const mod = await optionalImport('@guanmingchiu/sqlparser-ts');
    await (mod['init'] as () => Promise<void>)();
    const parse = mod['parse'] as ParseFn;
    return [{ name: 'sqlparser-rs WASM (mysql)', parse: (sql) => parse(sql, 'mysql') }];
  });

  await attempt(['pgsql-ast-parser (PostgreSQL)'], 'pgsql-ast-parser', async () => {
    const mod = await optionalImport('pgsql-ast-parser');
    const parse = (mod['parse'] ?? (mod['default'] as Record<string, unknown>)['parse']) as ParseFn;
    return [{ name: 'pgsql-ast-parser (PostgreSQL)', parse: (sql) => parse(sql) }];
  });

  // sqlparser-rs-wasm (0.2.4) installs from npm but is a wasm-pack "bundler" build:
  // it imports its .wasm as an ES module and its package.json has neither `main`
  // nor `type: module`, so plain Node cannot load it.
  skipped.push({
    name: 'sqlparser-rs-wasm',
    why: 'bundler-only wasm-pack build (ESM .wasm import, no main): not loadable by Node',
  });
  return { ok, skipped };
}

// ---------------------------------------------------------------------------
// Measurement

interface Tally {
  ok: number;
  fail: number;
}

interface Coverage {
  /** statement ok + query records, by kind */
  must: Map<Kind, Tally>;
  /** statement error records: how many the parser already rejects */
  errRejected: number;
  errTotal: number;
  failures: Map<string, { count: number; example: Stmt }>;
  ms: number;
}

/** 0-based offset of a syntax error, from the error's fields or its message. */
function errorOffset(e: unknown, sql: string): number | undefined {
  const loc = (e as { location?: { start?: { offset?: number } } } | null)?.location?.start?.offset;
  if (typeof loc === 'number') return loc;
  const msg = e instanceof Error ? e.message : String(e);
  // sqlparser-rs: "... at Line: L, Column: C"; sql-parser-cst: "--> file:L:C"
  const m = /Line: (\d+), Column: (\d+)/.exec(msg) ?? /--> [^\n]*:(\d+):(\d+)/.exec(msg);
  if (!m) return undefined;
  const lines = sql.split('\n');
  let off = 0;
  for (let i = 0; i < Number(m[1]) - 1; i++) off += (lines[i]?.length ?? 0) + 1;
  return off + Number(m[2]) - 1;
}

function shapeOf(e: unknown, sql: string): string {
  const msg = e instanceof Error ? e.message : String(e);
  // Peggy messages list every alternative ("Expected "#", "(", ... but "X" found"),
  // which makes each one distinct; keep what was found, which identifies the shape.
  const first = (msg.split('\n')[0] ?? '').trim();
  const m = /^Expected .* but (.*) found\.?$/.exec(first);
  let s = m ? `Expected … but ${m[1]} found` : first;
  s = s.replace(/\d+/g, 'N').slice(0, 90);
  // The word just before the error is what tells one grammar gap from another
  // (e.g. `SELECT ALL`, `SUM(DISTINCT`), so it is part of the shape.
  const off = errorOffset(e, sql);
  if (off !== undefined) {
    const prev = /([A-Za-z_]+)[\s(]*$/.exec(sql.slice(0, off))?.[1];
    if (prev !== undefined) s += `, after ${prev.toUpperCase()}`;
  }
  return s;
}

function measureCoverage(c: Candidate, stmts: readonly Stmt[]): Coverage {
  const must = new Map<Kind, Tally>(KINDS.map((k) => [k, { ok: 0, fail: 0 }]));
  const failures = new Map<string, { count: number; example: Stmt }>();
  let errRejected = 0;
  let errTotal = 0;
  const t0 = performance.now();
  for (const s of stmts) {
    let error: unknown = undefined;
    try {
      c.parse(s.sql);
    } catch (e) {
      error = e ?? new Error('threw a non-error');
    }
    if (s.expect === 'error') {
      errTotal++;
      if (error !== undefined) errRejected++;
      continue;
    }
    const t = must.get(s.kind)!;
    if (error === undefined) {
      t.ok++;
      continue;
    }
    t.fail++;
    const key = `${s.kind}: ${shapeOf(error, s.sql)}`;
    const f = failures.get(key);
    if (f) f.count++;
    else failures.set(key, { count: 1, example: s });
  }
  return { must, errRejected, errTotal, failures, ms: performance.now() - t0 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Statements/second over the sample, median of `passes` timed passes after one warm-up. */
function measureSpeed(c: Candidate, sample: readonly string[], passes: number): { median: number; runs: number[] } {
  const once = (): number => {
    const t0 = performance.now();
    for (const sql of sample) {
      try {
        c.parse(sql);
      } catch {
        // Failures are part of the work a parser does on this input.
      }
    }
    return (sample.length * 1000) / (performance.now() - t0);
  };
  once(); // warm-up: let the JIT settle before timing
  const runs: number[] = [];
  for (let p = 0; p < passes; p++) runs.push(once());
  return { median: median(runs), runs };
}

// ---------------------------------------------------------------------------
// Feature probe: what an executor needs from the AST

const PROBES: readonly string[] = [
  'CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL, score DOUBLE, ok BOOLEAN)',
  'CREATE TABLE u (id BIGINT NOT NULL, body TEXT, PRIMARY KEY (id))',
  'INSERT INTO t (id, name) VALUES (?, ?), (?, ?)',
  'UPDATE t SET a = a + 1 WHERE id = ?',
  "DELETE FROM t WHERE id > 3 AND name <> 'x'",
  'SELECT a, b FROM t WHERE a >= ? ORDER BY a LIMIT 10',
];
const BROKEN = 'SELECT a, b\nFROM t WHERE a >= ORDER BY a';

/** Finds the first node in `ast` that represents the `?` placeholder, for the report. */
function findPlaceholder(ast: unknown): unknown {
  const seen = new Set<unknown>();
  const walk = (n: unknown): unknown => {
    if (n === null || typeof n !== 'object' || seen.has(n)) return undefined;
    seen.add(n);
    const vals = Object.values(n as Record<string, unknown>);
    if (vals.includes('?')) return n;
    for (const v of vals) {
      const hit = walk(v);
      if (hit !== undefined) return hit;
    }
    return undefined;
  };
  return walk(ast);
}

function errorLocation(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const rec = e as Error & Record<string, unknown>;
  const fields = ['location', 'line', 'column', 'offset', 'start', 'end'].filter((k) => rec[k] !== undefined);
  const loc = fields.length ? JSON.stringify(Object.fromEntries(fields.map((k) => [k, rec[k]]))) : '(no location fields)';
  return `${e.constructor.name}: ${loc}\n      message: ${e.message.split('\n').slice(0, 3).join(' | ').slice(0, 200)}`;
}

function probe(c: Candidate, dump: boolean): void {
  console.log(`\n### ${c.name}`);
  for (const sql of PROBES) {
    try {
      const ast = c.parse(sql);
      const ph = sql.includes('?') ? `  placeholder node: ${JSON.stringify(findPlaceholder(ast))}` : '';
      console.log(`  ok    ${sql}${ph ? '\n    ' + ph.trim() : ''}`);
      if (dump) console.log('    ' + JSON.stringify(ast));
    } catch (e) {
      console.log(`  FAIL  ${sql}\n      ${(e as Error).message.split('\n')[0]}`);
    }
  }
  try {
    c.parse(BROKEN);
    console.log(`  broken statement unexpectedly parsed: ${JSON.stringify(BROKEN)}`);
  } catch (e) {
    console.log(`  syntax error for ${JSON.stringify(BROKEN)} -> ${errorLocation(e)}`);
  }
}

// ---------------------------------------------------------------------------
// Main

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
}

const pct = (a: number, b: number): string => (b === 0 ? '-' : `${((100 * a) / b).toFixed(1)}%`);

async function main(): Promise<void> {
  const corpus = arg('corpus', process.env['SLT_CORPUS'] ?? '/work/shared/sqllogictest');
  const passes = Number(arg('passes', '5'));
  // index/ holds ~90% of the records in a dozen near-identical shapes; a stride keeps
  // the run short on a shared 2-core machine without losing a shape. 1 = every record.
  const indexStride = Number(arg('index-stride', '10'));
  const speedSample = Number(arg('speed-sample', '4000'));
  const dump = process.argv.includes('--dump');
  // Substring of candidate names to measure, e.g. `--only node-sql` for a full-corpus run.
  const only = arg('only', '');

  const files = corpusFiles(corpus);
  let stmts: Stmt[] = [];
  for (const f of files) {
    const rel = relative(corpus, f);
    const all = extractFile(f, rel);
    stmts.push(...(rel.startsWith('index/') ? all.filter((_, i) => i % indexStride === 0) : all));
  }
  stmts = stmts.filter((s) => s.sql.length > 0);
  const must = stmts.filter((s) => s.expect !== 'error');
  const byKind = new Map<Kind, number>(KINDS.map((k) => [k, must.filter((s) => s.kind === k).length]));

  // The speed sample is an even stride over the must-parse statements, the same for
  // every candidate, so that the mix of kinds matches the corpus.
  const step = Math.max(1, Math.floor(must.length / speedSample));
  const sample = must.filter((_, i) => i % step === 0).slice(0, speedSample).map((s) => s.sql);

  console.log(`corpus: ${corpus} (${files.length} files, index/ stride ${indexStride})`);
  console.log(`node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'})`);
  console.log(
    `statements: ${stmts.length} (${must.length} statement ok/query, ${stmts.length - must.length} statement error)`,
  );
  console.log('must-parse by kind: ' + KINDS.map((k) => `${k} ${byKind.get(k)}`).join(', '));
  console.log(`speed sample: ${sample.length} statements, ${passes} timed passes after 1 warm-up, median reported\n`);

  const { ok: candidates, skipped } = await loadCandidates();
  for (const s of skipped) console.log(`skipped: ${s.name}: ${s.why}`);

  const rows: string[][] = [];
  const details: string[] = [];
  for (const c of candidates.filter((x) => x.name.includes(only))) {
    process.stderr.write(`measuring ${c.name}...\n`);
    const cov = measureCoverage(c, stmts);
    const speed = measureSpeed(c, sample, passes);
    let okAll = 0;
    let totAll = 0;
    const perKind = KINDS.map((k) => {
      const t = cov.must.get(k)!;
      okAll += t.ok;
      totAll += t.ok + t.fail;
      return pct(t.ok, t.ok + t.fail);
    });
    rows.push([
      c.name,
      pct(okAll, totAll),
      ...perKind,
      pct(cov.errRejected, cov.errTotal),
      Math.round(speed.median).toString(),
    ]);
    const top = [...cov.failures.entries()].sort((a, b) => b[1].count - a[1].count).slice(0, 10);
    details.push(
      `\n### ${c.name}: ${totAll - okAll} failures, ${cov.failures.size} distinct shapes; ` +
        `speed runs ${speed.runs.map((r) => Math.round(r)).join(', ')} stmt/s`,
    );
    for (const [shape, { count, example }] of top) {
      details.push(`  ${String(count).padStart(6)}  ${shape}`);
      details.push(`          e.g. ${example.file}:${example.line}: ${example.sql.replace(/\s+/g, ' ').slice(0, 140)}`);
    }
  }

  const header = ['candidate', 'all ok/query', ...KINDS, 'stmt-error rejected', 'stmt/s (median)'];
  const table = [header, header.map(() => '---'), ...rows];
  console.log('\n' + table.map((r) => `| ${r.join(' | ')} |`).join('\n'));
  console.log('\n(per-kind columns: % of `statement ok` + `query` records of that kind that parse)');
  console.log('\n## Most common failure shapes' + details.join('\n'));

  console.log('\n## Feature probe');
  for (const c of candidates.filter((x) => x.name.includes(only))) probe(c, dump);
}

await main();
