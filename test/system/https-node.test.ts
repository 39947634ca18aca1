// A real node process given --tls-cert/--tls-key serves its HTTP port over HTTPS only: SQL, a
// change stream and the schema registry answer a client that trusts the test CA; plain HTTP and
// a client without the CA are refused; the MySQL port still upgrades to TLS, and a session
// process serves a share of its connections (HTTPS stays with the main process). With
// --http-tls false the HTTP port stays plain while MySQL keeps TLS. Certificates: openssl.
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasOpenssl } from '../support/test-certificates.js';
import type { TestCertificates } from '../support/test-certificates.js';
import { startHttpsNode } from './https-node-process.js';
import type { HttpsNode } from './https-node-process.js';
import { freePort } from './node-process.js';
import type { NodeProcess } from './node-process.js';

const openssl = hasOpenssl();

// Whether mysql2's connection runs over TLS (its socket after the upgrade).
function encrypted(connection: mysql.Connection): boolean {
  return (connection as unknown as { connection: { stream: { encrypted?: boolean } } }).connection.stream.encrypted === true;
}

describe.skipIf(!openssl)('a node serving HTTPS (needs openssl on PATH)', () => {
  let https: HttpsNode;
  let certificates: TestCertificates;
  let node: NodeProcess;
  let mysqlPort: number;

  beforeAll(async () => {
    mysqlPort = await freePort();
    https = await startHttpsNode('https-node', ['--mysql-port', String(mysqlPort), '--session-processes', '1']);
    ({ node, certificates } = https);
    expect((await node.sql('CREATE TABLE items (id INT PRIMARY KEY, name TEXT)')).status).toBe(200);
  }, 30_000);

  afterAll(async () => https?.close());

  it('answers SQL over https:// to a client that trusts the CA', async () => {
    expect(node.url).toMatch(/^https:\/\//);
    expect(await node.sql('INSERT INTO items VALUES (1, ?)', ['one'])).toMatchObject({ status: 200, body: { results: [{ rows_affected: 1 }] } });
    expect((await node.sql('SELECT name FROM items WHERE id = 1')).body.results?.[0]?.rows).toEqual([['one']]);
  });

  it('refuses plain HTTP on the port, and HTTPS from a client that does not trust the CA', async () => {
    await expect(fetch(`http://127.0.0.1:${node.port}/v1/status`)).rejects.toThrow();
    // Node's fetch trusts the system's CAs only: the node's certificate must fail verification.
    await expect(fetch(`${node.url}/v1/status`)).rejects.toMatchObject({ cause: { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' } });
  });

  it('delivers a change on a change stream over HTTPS', async () => {
    const controller = new AbortController();
    const response = await node.fetch(`${node.url}/v1/changes?table=items`, { signal: controller.signal });
    expect(response.status).toBe(200);
    expect((await node.sql('INSERT INTO items VALUES (2, ?)', ['two'])).status).toBe(200);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    let change: { op?: string; after?: Record<string, unknown> } | undefined;
    while (change === undefined) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the stream ended before the change: ${text}`);
      text += value;
      change = text.split('\n').filter((line) => line.includes('"two"')).map((line) => JSON.parse(line) as typeof change)[0];
    }
    controller.abort();
    expect(change).toMatchObject({ op: 'c', after: { id: 2, name: 'two' } });
  }, 15_000);

  it('serves the schema registry over HTTPS', async () => {
    const response = await node.fetch(`${node.url}/schemas/types`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(['AVRO']);
  });

  it('still upgrades MySQL connections to TLS with the same certificate', async () => {
    const connection = await mysql.createConnection({ host: '127.0.0.1', port: mysqlPort, user: 'root', database: 'app', ssl: { ca: certificates.ca.toString() } });
    try {
      expect(encrypted(connection)).toBe(true);
      const [rows] = await connection.query('SELECT name FROM items WHERE id = 1');
      expect(rows).toEqual([{ name: 'one' }]);
    } finally {
      await connection.end();
    }
  });

  it('deals MySQL connections to a session process too, which reads and writes over TLS', async () => {
    const status = async (): Promise<{ ready: number; connections: number }> => ((await (await node.fetch(`${node.url}/v1/status`)).json()) as { session_processes: { ready: number; connections: number } }).session_processes;
    // The session process reports a connection closed a moment after it closed.
    const waitFor = async (check: (seen: { ready: number; connections: number }) => boolean, what: string): Promise<void> => {
      for (const deadline = Date.now() + 20_000; !check(await status()); ) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await waitFor((seen) => seen.ready === 1 && seen.connections === 0, 'the session process, ready and idle');
    const connect = (): Promise<mysql.Connection> => mysql.createConnection({ host: '127.0.0.1', port: mysqlPort, user: 'root', database: 'app', ssl: { ca: certificates.ca.toString() } });
    // Two in a row: one in each process.
    const pair = [await connect(), await connect()];
    try {
      await waitFor((seen) => seen.connections === 1, 'one connection in the session process');
      for (const [at, connection] of pair.entries()) {
        expect(encrypted(connection)).toBe(true);
        await connection.query('INSERT INTO items VALUES (?, ?)', [10 + at, `tls${at}`]);
        const [rows] = await pair[1 - at]!.query('SELECT name FROM items WHERE id = ?', [10 + at]);
        expect(rows).toEqual([{ name: `tls${at}` }]);
      }
    } finally {
      for (const connection of pair) await connection.end();
    }
  });
});

describe.skipIf(!openssl)('a node with --http-tls false', () => {
  it('keeps HTTP plain while the MySQL port upgrades to TLS', async () => {
    const mysqlPort = await freePort();
    const { node, certificates, close } = await startHttpsNode('http-plain', ['--mysql-port', String(mysqlPort)], false);
    try {
      expect(node.url).toMatch(/^http:\/\//);
      expect((await node.sql('SELECT 1')).status).toBe(200);
      const connection = await mysql.createConnection({ host: '127.0.0.1', port: mysqlPort, user: 'root', ssl: { ca: certificates.ca.toString() } });
      expect(encrypted(connection)).toBe(true);
      await connection.end();
    } finally {
      await close();
    }
  }, 30_000);
});
