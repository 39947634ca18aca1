// Requests from this node to another node's HTTP API (a follower forwarding to its leader), over
// http:// or https://. Node's http and https modules rather than fetch: Node 20's fetch takes
// no CA of its own without the undici package, and a cluster's certificates are usually signed
// by a private CA (--tls-ca). Verification is never turned off.
//
// A failure says how far the request got, because the caller's answer depends on it: nothing
// left this node (no connection, or a TLS handshake that failed, both before a byte of the
// request is written), or the request may have reached the other node, whose answer was lost.
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { peerConnectTimeoutMs } from '../base/limits.js';

export interface PeerHttpRequest {
  readonly method: 'POST' | 'DELETE';
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface PeerHttpAnswer {
  readonly status: number;
  readonly body: string;
}

// 'connect': no connection was made, nothing was sent. 'tls': connected, but the TLS handshake
// failed (the other node's certificate is not trusted, or it does not speak TLS): nothing was
// sent either. 'exchange': the request may have been received; its fate is unknown.
export type PeerHttpStage = 'connect' | 'tls' | 'exchange';

export class PeerHttpError extends Error {
  constructor(
    readonly stage: PeerHttpStage,
    readonly url: string,
    cause: Error,
  ) {
    super(cause.message, { cause });
  }
}

export interface PeerHttpClientOptions {
  // PEM of the CA(s) that https:// nodes' certificates must chain to; undefined: the system's
  // CAs (and NODE_EXTRA_CA_CERTS).
  readonly ca?: Buffer;
}

export class PeerHttpClient {
  // Kept-alive connections, as fetch keeps them: a forwarded write does not pay for a new
  // TCP (and TLS) handshake each time. The server advertises its keep-alive timeout and Node's
  // agent drops an idle socket before the server closes it.
  private readonly plain = new HttpAgent({ keepAlive: true });
  private readonly secure: HttpsAgent;

  constructor(options: PeerHttpClientOptions = {}) {
    this.secure = new HttpsAgent({ keepAlive: true, ...(options.ca === undefined ? {} : { ca: options.ca }) });
  }

  send(url: string, request: PeerHttpRequest): Promise<PeerHttpAnswer> {
    return new Promise((resolve, reject) => {
      const target = new URL(url);
      const secure = target.protocol === 'https:';
      const send = secure ? httpsRequest : httpRequest;
      const headers = { ...request.headers, ...(request.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(request.body)) }) };
      const outgoing = send(target, { method: request.method, headers, agent: secure ? this.secure : this.plain });
      const stage = trackStage(outgoing, secure);
      outgoing.once('error', (error) => reject(new PeerHttpError(stage.current(), url, error)));
      outgoing.once('response', (response) => {
        readBody(response).then(
          (body) => resolve({ status: response.statusCode ?? 0, body }),
          (error: Error) => reject(new PeerHttpError('exchange', url, error)),
        );
      });
      outgoing.end(request.body);
    });
  }

  close(): void {
    this.plain.destroy();
    this.secure.destroy();
  }
}

// How far a request got, from its socket's events; and a bound on connecting (with the TLS
// handshake), which Node's http client lacks: a peer that accepts a connection and never
// completes the handshake must not hold the forwarded request for ever.
function trackStage(outgoing: ClientRequest, secure: boolean): { current(): PeerHttpStage } {
  let stage: PeerHttpStage = 'connect';
  outgoing.once('socket', (socket: Socket) => {
    // A kept-alive socket is already connected and, over https, past its handshake.
    if (!socket.connecting) {
      stage = 'exchange';
      return;
    }
    const timer = setTimeout(() => outgoing.destroy(new Error(`no connection within ${peerConnectTimeoutMs} ms`)), peerConnectTimeoutMs);
    const open = (): void => {
      clearTimeout(timer);
      stage = 'exchange';
    };
    socket.once('connect', () => {
      if (secure) stage = 'tls';
      else open();
    });
    if (secure) socket.once('secureConnect', open);
    socket.once('close', () => clearTimeout(timer));
  });
  return { current: () => stage };
}

async function readBody(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
