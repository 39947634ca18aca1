// The HTTP server: fastify with TideDB's routes and error mapping. Thin by design: each route
// validates outside input by schema and hands it to a part below.
import swagger from '@fastify/swagger';
import Fastify, { LogController } from 'fastify';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { requestBytesMax } from '../base/limits.js';
import type { AccountView } from '../users/route-privileges.js';
import { installAuthentication } from './authentication.js';
import type { HttpAuthentication } from './authentication.js';
import { changesRoute } from './changes-route.js';
import type { ChangesRouteOptions } from './changes-route.js';
import { clientErrorReply } from './client-errors.js';
import { elsewhereRoutes } from './elsewhere-routes.js';
import { clusterRoutes } from './cluster-routes.js';
import type { ClusterRoutesOptions } from './cluster-routes.js';
import { serverBoundOptions } from './connection-bounds.js';
import { httpBoundsDefaults } from './connection-bounds.js';
import type { HttpBounds } from './connection-bounds.js';
import { frameworkErrorReply, installErrorHandling } from './errors.js';
import { toJson } from './json-body.js';
import { installStrictJsonParser, refuseUnreadEncodings } from './request-encoding.js';
import { sqlRoute } from './sql-route.js';
import { closeIfBodyUnread } from './unread-body.js';
import type { SqlRouter, SqlRunner, TxRunner } from './sql-route.js';
import { txRoutes } from './tx-routes.js';
import type { TxRoutesOptions } from './tx-routes.js';

export type { HttpBounds } from './connection-bounds.js';

export interface NodeStatus {
  status(): Record<string, unknown>;
}

// What every server takes: SQL, who may send it, and its bounds.
interface HttpServerBase {
  readonly sql: SqlRunner;
  // In a cluster, sends requests that reach a follower on to the leader.
  readonly sqlRouter?: SqlRouter;
  readonly logLevel: string;
  // The node's configured bounds; tests that never open a socket may leave the defaults.
  readonly bounds?: HttpBounds;
  // Logins and who may do what (authentication.ts); without it every request runs as the node.
  readonly authentication?: HttpAuthentication & { readonly accounts: AccountView };
  // PEM certificate chain and key: the port serves HTTPS only; without them, plain HTTP.
  readonly https?: { readonly cert: Buffer; readonly key: Buffer };
}

// A node's server: every route.
export interface HttpServerOptions extends HttpServerBase {
  // Interactive transactions (POST /v1/tx…, and "tx" in /v1/sql); a server without has none.
  readonly transactions?: TxRoutesOptions & TxRunner;
  readonly node: NodeStatus;
  // GET /v1/cluster (members, roles, term, indexes and each follower's lag) and the admin
  // routes that change the membership or hand leadership over.
  readonly cluster?: ClusterRoutesOptions;
  readonly schemaRegistry: FastifyPluginAsync;
  // GET /v1/changes; a server without it has no change streams.
  readonly changes?: ChangesRouteOptions;
}

// A session process's server: SQL outside interactive transactions, and every other request
// passed on to `elsewhere`, the base URL of its node's main process, naming the client's
// address signed with `secret` (elsewhere-routes.ts).
export interface ElsewhereServerOptions extends HttpServerBase {
  readonly elsewhere: { readonly url: string; readonly secret: string };
}

const openApiInfo = {
  openapi: '3.0.3',
  info: {
    title: 'TideDB HTTP API',
    version: '1',
    description: 'SQL over HTTP, change streams, and the Schema Registry API for the Kafka events. Errors are {"error": {"code", "message", ...}}.',
  },
};

export async function buildHttpServer(options: HttpServerOptions | ElsewhereServerOptions): Promise<FastifyInstance> {
  const bounds = options.bounds ?? httpBoundsDefaults;
  const app = Fastify({
    ...serverBoundOptions(bounds, options.https),
    bodyLimit: requestBytesMax,
    logger: { level: options.logLevel },
    // A line per request would cost more than a point write; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    frameworkErrors: frameworkErrorReply,
    clientErrorHandler: clientErrorReply,
    // Ajv must not coerce types: a string where a number belongs is the client's mistake.
    ajv: { customOptions: { allowUnionTypes: true, coerceTypes: false, removeAdditional: false, allErrors: false } },
  });
  // Node accepts a connection beyond this and closes it at once, before reading a byte.
  app.server.maxConnections = bounds.connectionsMax;
  app.addHook('onRequest', refuseUnreadEncodings);
  installStrictJsonParser(app);
  app.addHook('onSend', closeIfBodyUnread);
  const authentication = options.authentication;
  if (authentication !== undefined) installAuthentication(app, authentication);
  installErrorHandling(app);
  if ('elsewhere' in options) {
    sqlRoute(app, options.sql, options.sqlRouter, undefined, await elsewhereRoutes(app, options.elsewhere.url, options.elsewhere.secret));
    return app;
  }
  // Before any route: the OpenAPI document is built from the routes' own schemas as they are
  // added, so it cannot list a route the node lacks or miss one it has.
  await app.register(swagger, { openapi: openApiInfo });
  app.get('/v1/openapi.json', { schema: { summary: "This document: the node's HTTP API as OpenAPI 3" } }, async (_request, reply) =>
    reply.type('application/json; charset=utf-8').send(JSON.stringify(app.swagger())),
  );
  sqlRoute(app, options.sql, options.sqlRouter, options.transactions);
  if (options.transactions !== undefined) txRoutes(app, options.transactions);
  const changes = options.changes;
  if (changes !== undefined) {
    changesRoute(app, authentication === undefined ? changes : { ...changes, accounts: authentication.accounts });
    // Streams end (with their resume position) before the server waits for connections to close.
    app.addHook('preClose', async () => changes.streams.closeAll());
  }
  const cluster = options.cluster;
  if (cluster !== undefined) {
    clusterRoutes(app, authentication === undefined ? cluster : { ...cluster, accounts: authentication.accounts });
  }
  app.get('/v1/status', { schema: { summary: "The node's role, Raft indexes, Kafka publisher, event loop, change streams, session processes and row locks" } }, async (_request, reply) => reply.type('application/json; charset=utf-8').send(toJson(options.node.status())));
  await app.register(options.schemaRegistry);
  return app;
}
