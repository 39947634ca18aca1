// A response sent before its request's body has fully arrived (a 415 for a gzip body, fastify's
// 413 for a Content-Length over the limit, its 415 for a missing Content-Type) closes the
// connection. Kept open, the node would have to read and discard the rest of the body, as
// slowly as the client cares to send it; and if the body then stalled, the request timeout
// would write a 408 after the answer already given, which the client would take for the
// answer to its next request.
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { onSendHookHandler } from 'fastify';

// An onSend hook: it runs for every response, errors included, just before the headers go.
// `complete` turns true when the parser has seen the request's last byte, read or not. An
// answer from an onRequest hook always closes: the hook runs as the headers are parsed,
// before the parser looks at any body bytes, even ones that came in the same packet.
export const closeIfBodyUnread: onSendHookHandler = (request, reply, payload, done) => {
  if (announcesBody(request.headers) && !request.raw.complete) {
    reply.header('connection', 'close');
    lingerOnClose(request.raw.socket);
  }
  done(null, payload);
};

// Closing a socket that still has the client's unread bytes makes the kernel reset the
// connection, and a client still writing its body then fails on EPIPE before it reads the
// answer it was given. So the node ends its side after the answer and keeps reading (Node
// discards a request's unread body) for a moment, closing once the client has closed its side,
// or after `lingerMs` whatever it does: a client that stalls gains nothing, and the node writes
// nothing more (no 408 after the answer).
const lingerMs = 250;

function lingerOnClose(socket: Socket): void {
  socket.destroySoon = function destroyAfterLinger(this: Socket): void {
    if (this.writable) this.end();
    const timer = setTimeout(() => this.destroy(), lingerMs);
    this.once('end', () => this.destroy());
    this.once('close', () => clearTimeout(timer));
  };
}

// `complete` alone cannot tell: for a request without a body Node may run the whole route
// before it marks the request complete, and such a request has nothing left to read.
function announcesBody(headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
