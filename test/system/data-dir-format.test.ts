// Proves a node process started on a data directory of the old format exits with code 2 and a
// message saying what to do, not a stack: the built main.js against LMDB files written with plain lmdb calls.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { open } from 'lmdb';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, temporaryDir } from './node-process.js';

const mainScript = resolve(import.meta.dirname, '../../dist/services/main.js');

function run(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [mainScript, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, KAFKA_BROKERS: '' } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolveRun({ code, stderr }));
  });
}

describe('a node on a data directory of the old format', () => {
  const dir = temporaryDir('old-format');
  afterAll(() => dir.remove());

  it('exits 2 naming the directory and what to do, without a stack', async () => {
    const lmdbPath = join(dir.path, 'lmdb');
    mkdirSync(lmdbPath, { recursive: true });
    // The layout before format stamps: applied state in meta, a catalog keyed by table id alone.
    const root = open({ path: lmdbPath, maxDbs: 8 });
    await root.openDB<unknown, string>({ name: 'meta', encoding: 'msgpack' }).put('applied_index', 2);
    await root.openDB<unknown, Buffer>({ name: 'catalog', keyEncoding: 'binary', encoding: 'msgpack' }).put(Buffer.from([0, 0, 0, 1]), { dropped: false });
    await root.close();

    const { code, stderr } = await run(['--data-dir', dir.path, '--port', String(await freePort()), '--log-level', 'warn', '--mysql-port', 'off']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^tidedb: the data directory .*lmdb was written by an earlier TideDB format/);
    expect(stderr).toContain('start with an empty --data-dir');
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
