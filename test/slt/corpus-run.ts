// Runs sqllogictest scripts against TideDB: each file on a fresh node in this process (real
// LMDB and Raft log in a temporary folder), or all of them on one running node over HTTP. The
// CLI (run-slt.ts) and the CI guard (corpus-guard.test.ts) share it.
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { startInProcessNode } from '../http/in-process-node.js';
import { runScript } from './slt-runner.js';
import type { ScriptOutcome, SqlAnswer, SqlClient } from './slt-runner.js';

export const corpusDir = resolve(import.meta.dirname, '../../../shared/sqllogictest');

export interface FileOutcome extends ScriptOutcome {
  // The file's path below the corpus folder (or as given, outside it): the prefix of its ids.
  readonly name: string;
  readonly seconds: number;
}

// A record's stable id: its file below the corpus folder and the line its record starts on.
export function recordId(file: FileOutcome, line: number): string {
  return `${file.name}:${line}`;
}

export async function runFiles(files: readonly string[], url: string | undefined, onFile: (outcome: FileOutcome) => void = () => {}): Promise<FileOutcome[]> {
  const outcomes: FileOutcome[] = [];
  for (const file of files) {
    const name = relative(corpusDir, file).startsWith('..') ? file : relative(corpusDir, file);
    const node = url === undefined ? await startInProcessNode() : null;
    const client = node === null ? httpClient(url!) : inProcessClient(node);
    const started = performance.now();
    try {
      const outcome = await runScript(readFileSync(file, 'utf8'), client);
      const fileOutcome = { ...outcome, name, seconds: (performance.now() - started) / 1000 };
      outcomes.push(fileOutcome);
      onFile(fileOutcome);
    } finally {
      await node?.close();
    }
  }
  return outcomes;
}

function inProcessClient(node: Awaited<ReturnType<typeof startInProcessNode>>): SqlClient {
  return {
    async run(sql) {
      const { status, body } = await node.sql({ sql });
      return answerOf(status, body);
    },
  };
}

function httpClient(url: string): SqlClient {
  return {
    async run(sql) {
      const response = await fetch(`${url}/v1/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql }) });
      return answerOf(response.status, (await response.json()) as Record<string, unknown>);
    },
  };
}

function answerOf(status: number, body: Record<string, unknown>): SqlAnswer {
  if (status === 200) {
    const [result] = body['results'] as { rows: unknown[][] }[];
    return { ok: true, rows: result?.rows ?? [] };
  }
  const error = (body['error'] ?? {}) as { code?: string; message?: string };
  return { ok: false, code: error.code ?? String(status), message: error.message ?? '' };
}
