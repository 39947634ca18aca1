// A body in an encoding the node does not read (compressed, or a charset other than UTF-8) is
// refused with 415 and changes nothing: requests on a real socket to an in-process node.
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessNode } from './in-process-node.js';
import type { InProcessNode } from './in-process-node.js';
import { nextResponse, openRawConnection } from './raw-connection.js';

interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Record<string, unknown>;
}

describe('request bodies in encodings the node does not read', () => {
  let node: InProcessNode;
  let port: number;

  beforeAll(async () => {
    node = await startInProcessNode();
    port = await node.listen();
    expect((await node.sql({ sql: 'CREATE TABLE items (id INT PRIMARY KEY, name TEXT)' })).status).toBe(200);
  });
  afterAll(async () => node.close());

  async function post(headers: Record<string, string>, body: Buffer): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const outgoing = request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/sql', headers: { ...headers, 'content-length': String(body.length) } }, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  async function snapshot(): Promise<unknown> {
    const select = await node.sql({ sql: 'SELECT * FROM items ORDER BY id' });
    return { applied: node.store.appliedIndex(), rows: (select.body['results'] as { rows: unknown[] }[])[0]!.rows };
  }

  const insert = (id: number): string => JSON.stringify({ sql: `INSERT INTO items VALUES (${id}, 'é')` });

  it.each([
    ['gzip', { 'content-encoding': 'gzip' }, gzipSync(insert(1))],
    ['deflate', { 'content-encoding': 'deflate' }, Buffer.from(insert(1))],
    ['br', { 'content-encoding': 'br' }, Buffer.from(insert(1))],
    ['identity then gzip', { 'content-encoding': 'identity, gzip' }, gzipSync(insert(1))],
  ])('refuses Content-Encoding %s with 415 CONTENT_ENCODING_UNSUPPORTED', async (_name, headers, body) => {
    const before = await snapshot();
    const answer = await post({ 'content-type': 'application/json', ...headers }, body);
    expect(answer.status).toBe(415);
    expect(answer.body).toEqual({ error: { code: 'CONTENT_ENCODING_UNSUPPORTED', message: expect.any(String) } });
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    ['utf-16', 'application/json; charset=utf-16', Buffer.from(insert(2), 'utf16le')],
    ['UTF-16LE, quoted', 'application/json; charset="UTF-16LE"', Buffer.from(insert(2), 'utf16le')],
    ['latin1', 'application/json; charset=latin1', Buffer.from(insert(2), 'latin1')],
    ['iso-8859-1', 'application/json;charset=ISO-8859-1', Buffer.from(insert(2), 'latin1')],
    // Not valid UTF-8, whatever is declared: refused, not read as text with U+FFFD.
    ['latin1 bytes with no charset', 'application/json', Buffer.from(insert(3), 'latin1')],
    ['latin1 bytes declared utf-8', 'application/json; charset=utf-8', Buffer.from(insert(3), 'latin1')],
  ])('refuses a body in %s with 415 UNSUPPORTED_MEDIA_TYPE', async (_name, contentType, body) => {
    const before = await snapshot();
    const answer = await post({ 'content-type': contentType }, body);
    expect(answer.status).toBe(415);
    expect(answer.body).toEqual({ error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.any(String) } });
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    ['no charset and no encoding', { 'content-type': 'application/json' }],
    ['charset=utf-8', { 'content-type': 'application/json; charset=utf-8' }],
    ['charset="UTF-8"', { 'content-type': 'application/json; charset="UTF-8"' }],
    ['charset=utf8', { 'content-type': 'application/json; charset=utf8' }],
    ['Content-Encoding identity', { 'content-type': 'application/json', 'content-encoding': 'identity' }],
  ])('accepts %s', async (_name, headers) => {
    const id = 100 + Math.floor(Math.random() * 1_000_000);
    const answer = await post(headers, Buffer.from(insert(id)));
    expect(answer.status).toBe(200);
    const select = await node.sql({ sql: 'SELECT name FROM items WHERE id = ?', params: [id] });
    expect((select.body['results'] as { rows: unknown[] }[])[0]!.rows).toEqual([['é']]);
  });

  it('answers before the refused body has arrived, then closes the connection', async () => {
    const before = await snapshot();
    const connection = await openRawConnection(port);
    // Headers only: the 1 MB body announced is never sent, and need not be.
    connection.write('POST /v1/sql HTTP/1.1\r\nHost: tide\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: 1000000\r\n\r\n');
    const response = await nextResponse(connection);
    expect(response.status).toBe(415);
    const { afterMs } = await connection.closed;
    expect(afterMs).toBeLessThan(1_000);
    expect(await snapshot()).toEqual(before);
  });
});
