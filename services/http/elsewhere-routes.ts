// The routes a server serves elsewhere: a session process (session-processes/DESIGN.md) serves
// SQL outside interactive transactions itself and passes every other request — transactions,
// change streams, the status, the Schema Registry API, the OpenAPI document — to its node's main
// process, which holds their state, as it came (method, path, query, credentials, body) over
// loopback, streaming the answer back as it goes. The main process logs the request in again,
// as the client's address the session process names, signed (passed-on-address.ts): the
// account an address matches and the failed-login bound go by the client, not by loopback.
import type { IncomingHttpHeaders } from 'node:http';
import replyFrom from '@fastify/reply-from';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode } from '../base/errors.js';
import { sendError } from './errors.js';
import { clientAddressHeaders } from './passed-on-address.js';

// Sends one request on and its answer back. `body`: what to send, when this server has
// parsed the request's body already (the SQL route's JSON); otherwise the bytes that came.
export type PassOn = (request: FastifyRequest, reply: FastifyReply, body?: unknown) => FastifyReply;

// Headers of one hop that do not travel on: undici refuses some of them outright (`expect`:
// Node has already answered 100 Continue to the client), and the main process's answer keeps
// its connection to this process, not the client's to this one.
const hopHeaders: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'expect', 'upgrade', 'te', 'trailer', 'transfer-encoding', 'proxy-authorization', 'proxy-connection']);
// Headers that only a node may set: a client's copy never travels on.
const nodeHeaderPrefix = 'x-tidedb-';

// Failures of a pass-on that prove the request never reached the main process.
const neverSentCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED', 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH']);

export async function elsewhereRoutes(app: FastifyInstance, baseUrl: string, secret: string): Promise<PassOn> {
  await app.register(replyFrom, {
    base: baseUrl,
    disableRequestLogging: true,
    // No timeouts of its own: the main process bounds its requests, and a change stream may be
    // quiet for hours. One connection per request in flight, unbounded in number: a change
    // stream holds one for as long as it lasts.
    undici: { connections: null, pipelining: 1, headersTimeout: 0, bodyTimeout: 0 },
  });
  const passOn: PassOn = (request, reply, body) => {
    // A GET's body, which fastify reads, is not for any route: none goes on.
    const reads = request.method === 'GET' || request.method === 'HEAD';
    const raw = body === undefined && Buffer.isBuffer(request.body) && !reads ? { body: request.body, contentType: request.headers['content-type'] ?? 'application/octet-stream' } : {};
    return reply.from(undefined, {
      ...raw,
      ...(body === undefined ? {} : { body }),
      // An answer goes back as it came, a 503 too: nothing is sent twice on the client's behalf.
      retryDelay: () => null,
      rewriteRequestHeaders: (_request, headers) => ({
        ...headersWithout(headers, (name) => hopHeaders.has(name) || name.startsWith(nodeHeaderPrefix) || (reads && name === 'content-length')),
        ...clientAddressHeaders(secret, request.socket.remoteAddress ?? '', request.method, request.url),
      }),
      rewriteHeaders: (headers) => headersWithout(headers, (name) => hopHeaders.has(name)),
      onError: (failed, { error }) => {
        const [code, message] = failureOf(reads, error);
        void sendError(failed as FastifyReply, code, message);
      },
    });
  };
  await app.register(async (context) => {
    // Bodies pass on as the bytes that came, whatever their type: the main process parses them.
    context.removeAllContentTypeParsers();
    context.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    const passRaw = (request: FastifyRequest, reply: FastifyReply): FastifyReply => passOn(request, reply);
    // Named, so that authentication finds it open (a health check sends no credentials).
    context.get('/v1/status', passRaw);
    context.all('/*', passRaw);
  });
  return passOn;
}

function headersWithout(headers: IncomingHttpHeaders, dropped: (name: string) => boolean): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !dropped(name)));
}

// What the client is told when the main process gave no answer: a request that never reached
// it, or a read, may simply be sent again; any other may have taken effect.
function failureOf(reads: boolean, error: Error): [ErrorCode, string] {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  if (typeof cause?.code === 'string' && neverSentCodes.has(cause.code)) return ['SHUTTING_DOWN', `the node's main process could not be reached (${cause.code}); nothing was done`];
  if (reads) return ['SHUTTING_DOWN', "the node's main process did not answer"];
  return ['OUTCOME_UNKNOWN', "the node's main process took the request but gave no answer; it may or may not have taken effect"];
}
