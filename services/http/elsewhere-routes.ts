// The routes a server serves elsewhere: a session process (session-processes/DESIGN.md) serves
// SQL outside interactive transactions itself and passes every other request — transactions,
// change streams, the status, the Schema Registry API, the OpenAPI document — to its node's main
// process, which holds their state, as it came (method, path, query, headers, body) over
// loopback, streaming the answer back as it goes. The main process checks the request's
// credentials again (Basic auth travels with it); this server has already checked them and the
// client's address, which the main process sees only as loopback.
import replyFrom from '@fastify/reply-from';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from './errors.js';

// Sends one request on and its answer back. `body`: what to send, when this server has
// parsed the request's body already (the SQL route's JSON); otherwise the bytes that came.
export type PassOn = (request: FastifyRequest, reply: FastifyReply, body?: unknown) => FastifyReply;

export async function elsewhereRoutes(app: FastifyInstance, baseUrl: string): Promise<PassOn> {
  await app.register(replyFrom, {
    base: baseUrl,
    disableRequestLogging: true,
    // No timeouts of its own: the main process bounds its requests, and a change stream may be
    // quiet for hours. One connection per request in flight, unbounded in number: a change
    // stream holds one for as long as it lasts.
    undici: { connections: null, pipelining: 1, headersTimeout: 0, bodyTimeout: 0 },
  });
  const passOn: PassOn = (request, reply, body) => {
    const raw = body === undefined && Buffer.isBuffer(request.body) ? { body: request.body, contentType: request.headers['content-type'] ?? 'application/octet-stream' } : {};
    return reply.from(undefined, {
      ...raw,
      ...(body === undefined ? {} : { body }),
      // An answer goes back as it came, a 503 too: nothing is sent twice on the client's behalf.
      retryDelay: () => null,
      onError: (failed) => {
        // A read may simply be sent again; any other request may have taken effect before its
        // answer was lost.
        if (request.method === 'GET' || request.method === 'HEAD') void sendError(failed as FastifyReply, 'SHUTTING_DOWN', "the node's main process did not answer");
        else void sendError(failed as FastifyReply, 'OUTCOME_UNKNOWN', "the node's main process took the request but gave no answer; it may or may not have taken effect");
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
