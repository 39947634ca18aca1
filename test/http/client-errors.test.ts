// Requests Node's http parser refuses before fastify sees them are answered in TideDB's error
// shape and the connection is closed: raw bytes on a socket to an in-process node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessNode } from './in-process-node.js';
import type { InProcessNode } from './in-process-node.js';
import { openRawConnection, parseResponse } from './raw-connection.js';

describe('requests the http parser refuses', () => {
  let node: InProcessNode;
  let port: number;

  beforeAll(async () => {
    node = await startInProcessNode();
    port = await node.listen();
  });
  afterAll(async () => node.close());

  async function exchange(request: string): Promise<{ status: number; body: unknown; headers: Readonly<Record<string, string>> }> {
    const connection = await openRawConnection(port);
    connection.write(request);
    const { text } = await connection.closed;
    const response = parseResponse(text);
    return { status: response.status, body: JSON.parse(response.body), headers: response.headers };
  }

  it.each([
    ['a request line without a leading slash', 'GET v1/status HTTP/1.1\r\nHost: tide\r\n\r\n'],
    ['an unknown HTTP version', 'GET /v1/status HTTP/7.1\r\nHost: tide\r\n\r\n'],
    ['a header line without a colon', 'GET /v1/status HTTP/1.1\r\nHost tide\r\n\r\n'],
    ['a negative Content-Length', 'POST /v1/sql HTTP/1.1\r\nHost: tide\r\nContent-Length: -1\r\n\r\n'],
    ['both Content-Length and chunked', 'POST /v1/sql HTTP/1.1\r\nHost: tide\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
  ])('answers 400 REQUEST_INVALID to %s and closes', async (_name, request) => {
    const response = await exchange(request);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.headers['connection']).toBe('close');
    expect(response.body).toEqual({ error: { code: 'REQUEST_INVALID', message: expect.stringMatching(/^malformed HTTP request: /) } });
  });

  it('answers 413 REQUEST_TOO_LARGE to headers over Node\'s limit and closes', async () => {
    const response = await exchange(`GET /v1/status HTTP/1.1\r\nHost: tide\r\nX-Pad: ${'p'.repeat(20_000)}\r\n\r\n`);
    expect(response.status).toBe(413);
    expect(response.body).toEqual({ error: { code: 'REQUEST_TOO_LARGE', message: 'the request headers are too large' } });
  });

  it('still serves well-formed requests after refusing those', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/v1/status`);
    expect(response.status).toBe(200);
  });
});
