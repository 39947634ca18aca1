// An HTTPS port keeps the HTTP port's bounds: fastify builds an HTTPS server from its https
// options alone, so without them Node's defaults (a minute for the headers, checked every 30 s)
// would hold a slow client's connection. Here a TLS client that never finishes its headers is
// answered 408 REQUEST_TIMEOUT and closed well before those defaults could act.
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpBounds } from '../../services/http/server.js';
import { hasOpenssl, makeCertificates } from '../support/test-certificates.js';
import type { TestCertificates } from '../support/test-certificates.js';
import { startInProcessNode } from './in-process-node.js';
import type { InProcessNode } from './in-process-node.js';
import { parseResponse } from './raw-connection.js';

const bounds: HttpBounds = { requestTimeoutMs: 1_500, headersTimeoutMs: 700, keepAliveTimeoutMs: 1_000, connectionsMax: 100 };

describe.skipIf(!hasOpenssl())('bounds on an HTTPS port (needs openssl on PATH)', () => {
  let certificates: TestCertificates;
  let node: InProcessNode;
  let port: number;

  beforeAll(async () => {
    certificates = makeCertificates('https-bounds');
    node = await startInProcessNode({ bounds, https: { cert: certificates.cert, key: certificates.key } });
    port = await node.listen();
  });
  afterAll(async () => {
    await node?.close();
    certificates?.remove();
  });

  it('answers 408 REQUEST_TIMEOUT to a TLS connection whose headers never finish, and closes it', async () => {
    const socket = connect({ host: '127.0.0.1', port, ca: certificates.ca });
    await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
    socket.write('GET /v1/status HTTP/1.1\r\nHost: tide\r\n');
    let text = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    await new Promise((resolve) => socket.once('close', resolve));
    expect(parseResponse(text).status).toBe(408);
    expect(JSON.parse(parseResponse(text).body)).toMatchObject({ error: { code: 'REQUEST_TIMEOUT' } });
  }, 10_000);
});
