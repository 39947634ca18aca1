// Every failure leaves as {"error": {"code", "message", ...}} with the code's status. Fastify's
// own failures (bad JSON, body too large, schema validation) are mapped onto TideDB's codes;
// anything unexpected is a 500 that says nothing of its internals.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, TideError, isTideError } from '../base/errors.js';
import type { ErrorDetails } from '../base/errors.js';
import { errorMessageLengthMax } from '../base/limits.js';
import { mysqlErrorOf } from '../base/mysql-errors.js';
import { toJson } from './json-body.js';


const fastifyCodes: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'JSON_MALFORMED',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'JSON_MALFORMED',
  FST_ERR_CTP_BODY_TOO_LARGE: 'REQUEST_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'REQUEST_INVALID',
  FST_ERR_VALIDATION: 'REQUEST_INVALID',
};

// The JSON body of an error response: the one place its shape and the message bound live.
// Codes with a MySQL counterpart carry its number and SQLSTATE too (base/mysql-errors.ts).
export function errorBody(code: ErrorCode, message: string, details: ErrorDetails = {}): string {
  const mysql = mysqlErrorOf(code);
  const mysqlFields = mysql === undefined ? {} : { mysql_errno: mysql.errno, sqlstate: mysql.sqlstate };
  return toJson({ error: { code, message: boundedMessage(message), ...mysqlFields, ...details } });
}

// Keeps a message within errorMessageLengthMax characters: a prefix, an ellipsis and the
// original length, so the reader knows the text was cut and by how much.
export function boundedMessage(message: string): string {
  if (message.length <= errorMessageLengthMax) return message;
  const suffix = `… (${message.length} characters)`;
  let prefix = message.slice(0, errorMessageLengthMax - suffix.length);
  // A cut between the halves of a surrogate pair would leave a lone surrogate in the JSON.
  const last = prefix.charCodeAt(prefix.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) prefix = prefix.slice(0, -1);
  return prefix + suffix;
}

// Errors fastify meets before routing (a malformed URL) skip the error handler; the server
// passes this as its `frameworkErrors` option so they leave in TideDB's shape too.
export function frameworkErrorReply(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const tideError = toTideError(error);
  sendError(reply, tideError.code, tideError.message);
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const tideError = toTideError(error);
    if (tideError.code === 'INTERNAL') request.log.error({ err: error }, 'internal error');
    sendError(reply, tideError.code, tideError.message, tideError.details);
  });
  app.setNotFoundHandler((request, reply) => {
    sendError(reply, 'NOT_FOUND', `no route ${request.method} ${request.url}`);
  });
}

export function sendError(reply: FastifyReply, code: ErrorCode, message: string, details: ErrorDetails = {}): FastifyReply {
  return reply.status(ErrorCode[code].status).type('application/json; charset=utf-8').send(errorBody(code, message, details));
}

function toTideError(error: FastifyError): TideError {
  if (isTideError(error)) return error;
  const mapped = fastifyCodes[error.code];
  if (mapped !== undefined) return new TideError(mapped, error.message);
  // JSON.parse failures surface as SyntaxError with status 400 in some fastify paths.
  if (error instanceof SyntaxError && error.statusCode === 400) return new TideError('JSON_MALFORMED', 'request body is not valid JSON');
  // Any other client error fastify reports (a bad header, an odd method) is the client's.
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) return new TideError('REQUEST_INVALID', error.message);
  return new TideError('INTERNAL', 'internal error');
}
