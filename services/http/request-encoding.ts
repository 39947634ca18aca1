// The node reads request bodies as uncompressed UTF-8 JSON. A body in any other encoding is
// refused with 415 before it is read, rather than parsed as if it were UTF-8: a gzip body
// would fail as malformed JSON at best, and a Latin-1 or UTF-16 body could parse into a
// different statement from the one the client meant.
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { TideError } from '../base/errors.js';
import { sendError } from './errors.js';

// An onRequest hook: it runs before the body is read, so a refused body is never parsed.
// Answering without calling done() ends the request there (fastify's early-response form);
// closeIfBodyUnread then closes the connection, so the refused body is not read either.
export function refuseUnreadEncodings(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const encoding = request.headers['content-encoding'];
  if (encoding !== undefined && !isIdentity(encoding)) {
    void sendError(reply, 'CONTENT_ENCODING_UNSUPPORTED', `Content-Encoding ${encoding} is not supported; send the body uncompressed`);
    return;
  }
  const charset = charsetOf(request.headers['content-type']);
  if (charset !== undefined && !isUtf8(charset)) {
    void sendError(reply, 'UNSUPPORTED_MEDIA_TYPE', `charset ${charset} is not supported; send the body as utf-8`);
    return;
  }
  done();
}

// "identity", or a list of codings that are all identity (RFC 9110 §8.4); empty means none.
// The JSON body parser: fastify's own (which refuses prototype-poisoning keys), fed only a
// body that is valid UTF-8. Decoding with replacement would turn bytes of another encoding
// (a Latin-1 'é') into U+FFFD, and the statement would run on text the client never sent.
export function installStrictJsonParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      done(new TideError('UNSUPPORTED_MEDIA_TYPE', 'the body is not valid utf-8; send it as utf-8'), undefined);
      return;
    }
    parseJson(request, text, done);
  });
}

function isIdentity(encoding: string): boolean {
  return encoding.split(',').every((coding) => ['', 'identity'].includes(coding.trim().toLowerCase()));
}

function isUtf8(charset: string): boolean {
  return ['utf-8', 'utf8'].includes(charset.toLowerCase());
}

// The charset parameter of a media type such as `application/json; charset="UTF-8"`.
function charsetOf(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  for (const parameter of contentType.split(';').slice(1)) {
    const equals = parameter.indexOf('=');
    if (equals < 0 || parameter.slice(0, equals).trim().toLowerCase() !== 'charset') continue;
    return parameter.slice(equals + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}
