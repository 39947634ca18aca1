// Who sends each request: HTTP Basic auth on every route but GET /v1/status (the health check a
// load balancer or orchestrator polls without credentials; a loopback-only node refuses it too
// beyond loopback), checked against the catalog's
// accounts (users/account-directory.ts) before the body is read. A request forwarded by
// another node carries its client's identity signed with the cluster secret instead
// (write/forwarded-identity.ts), checked once its body is read, since the signature covers it.
// A request a session process passed on to its main process logs in as the client's address
// it names, signed (passed-on-address.ts), not as the loopback it came from.
// Routes read the outcome with principalOf; a server built without authentication (tests of
// other parts) runs every request as the node itself.
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { TideError } from '../base/errors.js';
import type { HttpLogin } from '../users/account-directory.js';
import type { Principal } from '../users/privilege-check.js';
import { verifiedPrincipal } from '../write/forwarded-identity.js';
import { forwardedByHeader } from '../write/request-router.js';
import { verifiedClientAddress } from './passed-on-address.js';
import { sendError } from './errors.js';

export interface HttpAuthentication {
  readonly directory: {
    loginHttp(user: string | null, password: string, remoteAddress: string): HttpLogin;
    refusedAddress(remoteAddress: string): Extract<HttpLogin, { kind: 'refused' }> | null;
  };
  // In a cluster: the secret forwarded identities are signed with; on a node with session
  // processes, the secret of their passed-on requests. Without it, a request that says it was
  // forwarded or passed on is refused.
  readonly clusterSecret?: string;
}

// The route that stays open: the node's status, which health checks poll.
export const openRoutes: ReadonlySet<string> = new Set(['/v1/status']);

const principals = new WeakMap<FastifyRequest, Principal>();
const forwarded = new WeakSet<FastifyRequest>();

// The account a request runs as; undefined: the node itself, or root on a loopback-only node.
export function principalOf(request: FastifyRequest): Principal | undefined {
  return principals.get(request);
}

export function installAuthentication(app: FastifyInstance, options: HttpAuthentication): void {
  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    let address: string;
    try {
      address = verifiedClientAddress(options.clusterSecret, request.method, request.url, request.headers) ?? request.socket.remoteAddress ?? '';
    } catch (error) {
      if (!(error instanceof TideError)) throw error;
      void sendError(reply, error.code, error.message);
      return;
    }
    if (openRoutes.has(request.routeOptions.url ?? '')) {
      // Open to every client a login would admit: on a loopback-only node, loopback ones.
      const refused = options.directory.refusedAddress(address);
      if (refused === null) return done();
      void refuse(reply, refused.code, refused.message);
      return;
    }
    if (request.headers[forwardedByHeader] !== undefined) {
      forwarded.add(request);
      return done();
    }
    const credentials = basicCredentials(request.headers.authorization);
    if (credentials === 'malformed') {
      void refuse(reply, 'LOGIN_FAILED', 'the Authorization header is not HTTP Basic credentials');
      return;
    }
    const login = options.directory.loginHttp(credentials?.user ?? null, credentials?.password ?? '', address);
    if (login.kind === 'refused') {
      void refuse(reply, login.code, login.message);
      return;
    }
    if (login.principal !== undefined) principals.set(request, login.principal);
    done();
  });
  app.addHook('preHandler', async (request) => {
    if (!forwarded.has(request)) return;
    const secret = options.clusterSecret;
    if (secret === undefined) throw new TideError('FORWARD_UNAUTHENTICATED', 'this node is not in a cluster and takes no forwarded requests');
    const body = request.method === 'DELETE' ? '' : JSON.stringify(request.body ?? {});
    const signed = { forwardedBy: String(request.headers[forwardedByHeader]), method: request.method, path: request.url, body };
    const principal = verifiedPrincipal(secret, signed, request.headers);
    if (principal !== null) principals.set(request, principal);
  });
}

function refuse(reply: FastifyReply, code: Extract<HttpLogin, { kind: 'refused' }>['code'], message: string): FastifyReply {
  if (code === 'LOGIN_FAILED') void reply.header('www-authenticate', 'Basic realm="TideDB", charset="UTF-8"');
  return sendError(reply, code, message);
}

// The user and password of `Authorization: Basic base64(user:password)`; undefined when the
// header is absent.
function basicCredentials(header: string | undefined): { user: string; password: string } | undefined | 'malformed' {
  if (header === undefined) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header);
  if (match === null) return 'malformed';
  const text = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return 'malformed';
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}
