// An answer given before the request's body has arrived closes the connection, so the node
// neither reads the rest nor answers twice: raw bytes on a socket to an in-process node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessNode } from './in-process-node.js';
import type { InProcessNode } from './in-process-node.js';
import { nextResponse, openRawConnection } from './raw-connection.js';

describe('answers given before the body has arrived', () => {
  let node: InProcessNode;
  let port: number;

  beforeAll(async () => {
    // A short request timeout: a connection left open would see it fire within the test.
    node = await startInProcessNode({ bounds: { requestTimeoutMs: 1_000, headersTimeoutMs: 500, keepAliveTimeoutMs: 5_000, connectionsMax: 100 } });
    port = await node.listen();
  });
  afterAll(async () => node.close());

  it.each([
    ['no Content-Type', 'POST /v1/sql HTTP/1.1\r\nHost: tide\r\nContent-Length: 100\r\n\r\n{"sql":', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a Content-Length over the limit', 'POST /v1/sql HTTP/1.1\r\nHost: tide\r\nContent-Type: application/json\r\nContent-Length: 2000000\r\n\r\n{"sql":', 413, 'REQUEST_TOO_LARGE'],
    ['a gzip body', 'POST /v1/sql HTTP/1.1\r\nHost: tide\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: 100\r\n\r\n\x1f\x8b', 415, 'CONTENT_ENCODING_UNSUPPORTED'],
  ])('close the connection after one answer, for %s', async (_name, request, status, code) => {
    const connection = await openRawConnection(port);
    connection.write(request);
    const response = await nextResponse(connection);
    expect(response.status).toBe(status);
    expect(response.headers['connection']).toBe('close');
    expect(JSON.parse(response.body)).toMatchObject({ error: { code } });
    const { text, afterMs } = await connection.closed;
    expect(afterMs).toBeLessThan(500);
    // One status line: no 408 followed the answer.
    expect(text.match(/HTTP\/1\.1 /g)).toHaveLength(1);
  });

  it('keep the connection open after an error answered once the body was read', async () => {
    const connection = await openRawConnection(port);
    const body = '{"sql":"SELEC 1"}';
    connection.write(`POST /v1/sql HTTP/1.1\r\nHost: tide\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    const refused = await nextResponse(connection);
    expect(refused.status).toBe(400);
    expect(refused.headers['connection']).toBe('keep-alive');
    const from = connection.received().length;
    connection.write('GET /v1/status HTTP/1.1\r\nHost: tide\r\n\r\n');
    expect((await nextResponse(connection, from)).status).toBe(200);
    connection.destroy();
  });
});
