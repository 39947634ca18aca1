// The HTTP server: fastify with TideDB's routes and error mapping. Thin by design: each route
// validates outside input by schema and hands it to a part below.
import Fastify, { LogController } from 'fastify';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { requestBytesMax } from '../base/limits.js';
import { frameworkErrorReply, installErrorHandling } from './errors.js';
import { toJson } from './json-body.js';
import { sqlRoute } from './sql-route.js';
import type { SqlRunner } from './sql-route.js';

export interface NodeStatus {
  status(): Record<string, unknown>;
}

export interface HttpServerOptions {
  readonly sql: SqlRunner;
  readonly node: NodeStatus;
  readonly schemaRegistry: FastifyPluginAsync;
  readonly logLevel: string;
}

export async function buildHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: requestBytesMax,
    logger: { level: options.logLevel },
    // A line per request would cost more than a point write; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    frameworkErrors: frameworkErrorReply,
    // Ajv must not coerce types: a string where a number belongs is the client's mistake.
    ajv: { customOptions: { allowUnionTypes: true, coerceTypes: false, removeAdditional: false, allErrors: false } },
  });
  installErrorHandling(app);
  sqlRoute(app, options.sql);
  app.get('/v1/status', async (_request, reply) => reply.type('application/json; charset=utf-8').send(toJson(options.node.status())));
  await app.register(options.schemaRegistry);
  return app;
}
