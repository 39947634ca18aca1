// How long a client may take to send a request, how long an idle connection is kept, and how
// many connections are open at once: the bounds that stop a slow or hostile client from
// holding the node's sockets, translated into the options of fastify and Node's http server.
import type { Server } from 'node:http';
import type { FastifyHttpOptions } from 'fastify';
import {
  headersTimeoutMsDefault,
  httpConnectionsMaxDefault,
  keepAliveTimeoutMsDefault,
  requestHeaderBytesMax,
  requestTimeoutMsDefault,
} from '../base/limits.js';

export interface HttpBounds {
  // Receiving one whole request, headers and body. Only receiving: Node stops this clock when
  // the request's last byte arrives, so a handler that waits (a write queued behind Raft) or a
  // response streamed for hours (the change streams to come) is not cut by it; both are
  // shown in test/http/http-bounds.test.ts.
  readonly requestTimeoutMs: number;
  // Receiving the headers, counted from the start of the request (on a new connection, from
  // its opening, so a connection that sends nothing is closed too). At most requestTimeoutMs.
  readonly headersTimeoutMs: number;
  // An idle keep-alive connection, between a response and the next request. Node advertises
  // it (Keep-Alive: timeout=N) and closes the socket a second later, so that a client that
  // honours the header never sends on a connection as it is being closed.
  readonly keepAliveTimeoutMs: number;
  // Connections open at once; Node closes a connection beyond this as soon as it is accepted.
  readonly connectionsMax: number;
}

export const httpBoundsDefaults: HttpBounds = {
  requestTimeoutMs: requestTimeoutMsDefault,
  headersTimeoutMs: headersTimeoutMsDefault,
  keepAliveTimeoutMs: keepAliveTimeoutMsDefault,
  connectionsMax: httpConnectionsMaxDefault,
};

// Node checks the two request timeouts in a sweep over open connections, every 30 s unless
// told; a stalled request then lives up to timeout + interval. A tenth of the headers timeout
// keeps that overshoot small, and one second at most keeps the sweep cheap.
function connectionsCheckingIntervalMs(bounds: HttpBounds): number {
  return Math.max(10, Math.min(1_000, Math.floor(bounds.headersTimeoutMs / 10)));
}

// With `https` (a certificate and key), the server is an HTTPS one: fastify then creates it
// from the `https` options alone and ignores `http`, so the bounds go in both.
export function serverBoundOptions(bounds: HttpBounds, https?: { readonly cert: Buffer; readonly key: Buffer }): FastifyHttpOptions<Server> {
  const server = {
    requestTimeout: bounds.requestTimeoutMs,
    headersTimeout: bounds.headersTimeoutMs,
    maxHeaderSize: requestHeaderBytesMax,
    connectionsCheckingInterval: connectionsCheckingIntervalMs(bounds),
  };
  return {
    ...(https === undefined ? {} : { https: { ...server, cert: https.cert, key: https.key } }),
    requestTimeout: bounds.requestTimeoutMs,
    keepAliveTimeout: bounds.keepAliveTimeoutMs,
    // No socket idle timeout (fastify's connectionTimeout is Node's server.setTimeout): it
    // would also fire on a long response that is quiet for a while, such as a change stream
    // with no changes. Idleness is bounded by the two timeouts above and keepAliveTimeout.
    connectionTimeout: 0,
    // Unlimited: many requests on one connection is the cheap case, not one to discourage.
    maxRequestsPerSocket: 0,
    // On close, idle keep-alive connections are closed at once; a request still arriving is
    // given until its timeout. (A change stream will need closing by its route.)
    forceCloseConnections: 'idle',
    http: server,
  };
}
