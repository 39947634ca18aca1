// Failures Node's http parser meets before fastify sees a request (a malformed request line,
// headers too large, a request not received within its timeout) answered in TideDB's error
// shape instead of fastify's, then the connection is closed: after a parse error the rest of
// the stream cannot be trusted to start at a request boundary.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError } from 'fastify';
import { ErrorCode } from '../base/errors.js';
import { errorBody } from './errors.js';

// Node's socket keeps the response in progress here; not in its public types.
interface HttpSocket extends Socket {
  readonly _httpMessage?: { readonly headersSent: boolean } | null;
}

export function clientErrorReply(error: ConnectionError, socket: Socket): void {
  // A reset peer, or a socket already closed: there is no one to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // Answer only if no response has begun on this connection: a 415 refused before its body
  // arrived can still be followed by the body timing out, and a second status line written
  // after the first response would be read by the client as garbage. (Node's own handler,
  // replaced by this one, makes the same check.)
  if (socket.writable && (socket as HttpSocket)._httpMessage?.headersSent !== true) {
    const [code, message] = describe(error);
    socket.write(rawResponse(ErrorCode[code].status, errorBody(code, message)));
  }
  socket.destroy();
}

function describe(error: ConnectionError): [ErrorCode, string] {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return ['REQUEST_TIMEOUT', 'the request was not received in time'];
    case 'HPE_HEADER_OVERFLOW':
      return ['REQUEST_TOO_LARGE', 'the request headers are too large'];
    default:
      // The parser's reason ("Unexpected char in url schema") names the rule; it quotes none
      // of the client's bytes.
      return ['REQUEST_INVALID', `malformed HTTP request: ${parserReason(error)}`];
  }
}

function parserReason(error: ConnectionError): string {
  const reason: unknown = (error as ConnectionError & { reason?: unknown }).reason;
  return typeof reason === 'string' && reason !== '' ? reason : error.code;
}

function rawResponse(status: number, body: string): string {
  return [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`, 'Content-Type: application/json; charset=utf-8', `Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close', '', body].join('\r\n');
}
