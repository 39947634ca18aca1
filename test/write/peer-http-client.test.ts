// The client a follower forwards with says how far a failed request got, over real sockets:
// nothing listening is 'connect'; a certificate from another CA, a plain server behind an
// https:// URL and a TLS peer that never finishes its handshake are 'tls' (nothing sent); a
// server that drops the connection after reading the request is 'exchange'. With the right CA
// the request and its answer go through, over HTTPS as over HTTP.
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { peerConnectTimeoutMs } from '../../services/base/limits.js';
import { PeerHttpClient, PeerHttpError } from '../../services/write/peer-http-client.js';
import { hasOpenssl, makeCertificates } from '../support/test-certificates.js';
import type { TestCertificates } from '../support/test-certificates.js';

const servers: Server[] = [];
const clients: PeerHttpClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(servers.splice(0).map((server) => new Promise((done) => server.close(done))));
});

async function listening<T extends Server>(server: T): Promise<{ server: T; port: number }> {
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, port: (server.address() as AddressInfo).port };
}

function client(ca?: Buffer): PeerHttpClient {
  const made = new PeerHttpClient(ca === undefined ? {} : { ca });
  clients.push(made);
  return made;
}

// Echoes the method and body, as JSON.
function echo(request: IncomingMessage, response: ServerResponse): void {
  let body = '';
  request.setEncoding('utf8');
  request.on('data', (chunk: string) => (body += chunk));
  request.on('end', () => response.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ method: request.method, body, header: request.headers['x-test'] })));
}

async function stageOf(sending: Promise<unknown>): Promise<string> {
  const error = await sending.then(() => null, (failure: unknown) => failure);
  expect(error).toBeInstanceOf(PeerHttpError);
  return (error as PeerHttpError).stage;
}

const post = { method: 'POST', headers: { 'content-type': 'application/json', 'x-test': 'yes' }, body: '{"a":1}' } as const;

it('sends over plain HTTP and returns the status and body', async () => {
  const { port } = await listening(createHttpServer(echo));
  const answer = await client().send(`http://127.0.0.1:${port}/v1/sql`, post);
  expect(answer).toEqual({ status: 201, body: JSON.stringify({ method: 'POST', body: '{"a":1}', header: 'yes' }) });
});

it("fails at 'connect' where nothing listens", async () => {
  const { server, port } = await listening(createHttpServer(echo));
  await new Promise((done) => server.close(done));
  servers.splice(servers.indexOf(server), 1);
  expect(await stageOf(client().send(`http://127.0.0.1:${port}/v1/sql`, post))).toBe('connect');
});

it("fails at 'exchange' when the server drops the connection after the request", async () => {
  const { port } = await listening(createHttpServer((request) => request.on('data', () => request.socket.destroy())));
  expect(await stageOf(client().send(`http://127.0.0.1:${port}/v1/sql`, post))).toBe('exchange');
});

describe.skipIf(!hasOpenssl())('over HTTPS (needs openssl on PATH)', () => {
  let certificates: TestCertificates;
  let otherCa: TestCertificates;

  beforeAll(() => {
    certificates = makeCertificates('peer-http');
    otherCa = makeCertificates('peer-http-other');
  });
  afterAll(() => {
    certificates.remove();
    otherCa.remove();
  });

  it('sends to a node whose certificate the given CA signed', async () => {
    const { port } = await listening(createHttpsServer({ cert: certificates.cert, key: certificates.key }, echo));
    const answer = await client(certificates.ca).send(`https://127.0.0.1:${port}/v1/sql`, { method: 'DELETE', headers: {} });
    expect(answer).toEqual({ status: 201, body: JSON.stringify({ method: 'DELETE', body: '' }) });
  });

  it("fails at 'tls' for a certificate of another CA, or with no CA given (the system's CAs)", async () => {
    const { port } = await listening(createHttpsServer({ cert: certificates.cert, key: certificates.key }, echo));
    expect(await stageOf(client(otherCa.ca).send(`https://127.0.0.1:${port}/v1/sql`, post))).toBe('tls');
    expect(await stageOf(client().send(`https://127.0.0.1:${port}/v1/sql`, post))).toBe('tls');
  });

  it("fails at 'tls' for a plain HTTP server behind an https:// URL", async () => {
    const { port } = await listening(createHttpServer(echo));
    expect(await stageOf(client(certificates.ca).send(`https://127.0.0.1:${port}/v1/sql`, post))).toBe('tls');
  });

  it("fails at 'tls' when the peer accepts the connection and never answers the handshake", async () => {
    // Reads and drops what the client sends, so it sees the client close.
    const { port } = await listening(createTcpServer((socket) => socket.resume()));
    expect(await stageOf(client(certificates.ca).send(`https://127.0.0.1:${port}/v1/sql`, post))).toBe('tls');
  }, peerConnectTimeoutMs + 5_000);
});
