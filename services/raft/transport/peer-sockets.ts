// Plain TCP or TLS for peer links, chosen by one option, so that the rest of the transport
// sees a Socket either way. TLS is mutual: each side presents its certificate and checks the
// other's against the cluster's CA, so the link is encrypted and neither side can be
// impersonated by a machine without a certificate; the HMAC handshake runs inside it as well.
import { createServer as createTcpServer, connect as connectTcp, isIP } from 'node:net';
import type { Server, Socket } from 'node:net';
import { createSecureContext, createServer as createTlsServer, connect as connectTls } from 'node:tls';
import { TideError } from '../../base/errors.js';
import type { PeerAddress } from './peer-address.js';

export interface PeerTlsOptions {
  // PEM: this node's certificate and key, and the CA that signed every peer's certificate.
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  readonly ca: string | Buffer;
}

// Unreadable PEM would otherwise throw from the server's creation or, worse, from a redial
// timer much later; checked once, before the transport starts.
export function checkPeerTls(tls: PeerTlsOptions): void {
  try {
    createSecureContext({ ...tls });
  } catch (error) {
    throw new TideError('PEER_CONFIG_INVALID', `the peer TLS certificate, key or CA is unusable: ${(error as Error).message}`);
  }
}

// Dead peers (a machine gone without closing its sockets) are noticed by TCP keepalive,
// after this idle time and the system's probes.
const keepAliveDelayMs = 5_000;

// A server whose every accepted socket goes to `onSocket` once it is ready to carry bytes
// (after the TLS handshake, with TLS); `onRawSocket` sees every TCP connection as it arrives,
// TLS handshake or not, so that closing the transport can end them all.
export function createPeerServer(tls: PeerTlsOptions | null, handshakeTimeoutMs: number, onSocket: (socket: Socket) => void, onRawSocket: (socket: Socket) => void): Server {
  const server =
    tls === null
      ? createTcpServer({ noDelay: true, keepAlive: true, keepAliveInitialDelay: keepAliveDelayMs }, onSocket)
      : createTlsServer({ ...tls, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3', handshakeTimeout: handshakeTimeoutMs }, onSocket);
  server.on('connection', onRawSocket);
  return server;
}

export function dialPeerSocket(address: PeerAddress, tls: PeerTlsOptions | null): Socket {
  const { host, port } = address;
  if (tls === null) return connectTcp({ host, port, noDelay: true, keepAlive: true, keepAliveInitialDelay: keepAliveDelayMs });
  // SNI takes host names only; the peer's certificate is still checked against an IP host.
  const servername = isIP(host) === 0 ? host : undefined;
  const socket = connectTls({ host, port, ...tls, minVersion: 'TLSv1.3', ...(servername === undefined ? {} : { servername }) });
  socket.setKeepAlive(true, keepAliveDelayMs);
  return socket;
}
