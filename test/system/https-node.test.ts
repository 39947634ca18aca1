// A real node process given --tls-cert/--tls-key serves its HTTP port over HTTPS only: SQL, a
// change stream and the schema registry answer a client that trusts the test CA; plain HTTP and
// a client without the CA are refused; the MySQL port still upgrades to TLS. With
// --http-tls false the HTTP port stays plain while MySQL keeps TLS. Certificates: openssl.
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasOpenssl, makeCertificates } from '../support/test-certificates.js';
import type { TestCertificates } from '../support/test-certificates.js';
import { NodeProcess, freePort, temporaryDir } from './node-process.js';

const openssl = hasOpenssl();

// Whether mysql2's connection runs over TLS (its socket after the upgrade).
function encrypted(connection: mysql.Connection): boolean {
  return (connection as unknown as { connection: { stream: { encrypted?: boolean } } }).connection.stream.encrypted === true;
}

describe.skipIf(!openssl)('a node serving HTTPS (needs openssl on PATH)', () => {
  let certificates: TestCertificates;
  let dir: { path: string; remove: () => void };
  let node: NodeProcess;
  let mysqlPort: number;

  beforeAll(async () => {
    certificates = makeCertificates('https-node');
    dir = temporaryDir('https-node');
    mysqlPort = await freePort();
    const flags = ['--tls-cert', certificates.certFile, '--tls-key', certificates.keyFile, '--mysql-port', String(mysqlPort)];
    node = new NodeProcess(dir.path, await freePort(), flags, { ca: certificates.ca });
    await node.start();
    expect((await node.sql('CREATE TABLE items (id INT PRIMARY KEY, name TEXT)')).status).toBe(200);
  }, 30_000);

  afterAll(async () => {
    await node?.stop();
    dir?.remove();
    certificates?.remove();
  });

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
});

describe.skipIf(!openssl)('a node with --http-tls false', () => {
  it('keeps HTTP plain while the MySQL port upgrades to TLS', async () => {
    const certificates = makeCertificates('http-plain');
    const dir = temporaryDir('http-plain');
    const mysqlPort = await freePort();
    const node = new NodeProcess(dir.path, await freePort(), ['--tls-cert', certificates.certFile, '--tls-key', certificates.keyFile, '--http-tls', 'false', '--mysql-port', String(mysqlPort)]);
    try {
      await node.start();
      expect(node.url).toMatch(/^http:\/\//);
      expect((await node.sql('SELECT 1')).status).toBe(200);
      const connection = await mysql.createConnection({ host: '127.0.0.1', port: mysqlPort, user: 'root', ssl: { ca: certificates.ca.toString() } });
      expect(encrypted(connection)).toBe(true);
      await connection.end();
    } finally {
      await node.stop();
      dir.remove();
      certificates.remove();
    }
  }, 30_000);
});
