// The cluster's routes: GET /v1/cluster (the cluster as this node sees it) and the admin
// requests that change it, which the node sends on to the leader (cluster-admin.ts).
import type { FastifyInstance } from 'fastify';
import type { FastifyRequest } from 'fastify';
import { checkAdministrator } from '../users/route-privileges.js';
import type { AccountView } from '../users/route-privileges.js';
import type { Principal } from '../users/privilege-check.js';
import { forwardedByHeader } from '../write/request-router.js';
import { principalOf } from './authentication.js';
import { toJson } from './json-body.js';

export type ClusterAdminRequest =
  | { readonly kind: 'add'; readonly id: number; readonly peer: string; readonly http: string; readonly role: 'learner' | 'voter' }
  | { readonly kind: 'promote'; readonly id: number }
  | { readonly kind: 'remove'; readonly id: number }
  | { readonly kind: 'transfer'; readonly id: number };

export interface ClusterRoutesOptions {
  status(): Record<string, unknown>;
  // Runs an admin request here or on the leader, as `principal`; the answer's status and JSON body.
  admin(request: ClusterAdminRequest, forwardedBy: string | undefined, principal: Principal | undefined): Promise<{ readonly status: number; readonly body: string }>;
  // With authentication: admin requests need what account management needs.
  readonly accounts?: AccountView;
}

// Node ids are positive u32 (the peer wire's width).
const nodeId = { type: 'integer', minimum: 1, maximum: 0xffff_ffff } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' } }, additionalProperties: false } as const;
const addBody = {
  type: 'object',
  required: ['id', 'peer', 'http'],
  additionalProperties: false,
  properties: {
    id: nodeId,
    // host:port of the new node's peer link, and its HTTP base URL (where followers forward).
    peer: { type: 'string', minLength: 3, maxLength: 255, pattern: '^[^\\s:]+:[0-9]{1,5}$' },
    http: { type: 'string', minLength: 8, maxLength: 255, pattern: '^https?://[^\\s]+$' },
    role: { type: 'string', enum: ['learner', 'voter'] },
  },
} as const;
const transferBody = { type: 'object', required: ['id'], additionalProperties: false, properties: { id: nodeId } } as const;

export function clusterRoutes(app: FastifyInstance, options: ClusterRoutesOptions): void {
  const json = 'application/json; charset=utf-8';
  // Checked where the request arrived (a forwarded one is checked again on the leader).
  const admin = (request: ClusterAdminRequest, from: FastifyRequest): ReturnType<ClusterRoutesOptions['admin']> => {
    const principal = principalOf(from);
    if (options.accounts !== undefined) checkAdministrator(principal, options.accounts);
    return options.admin(request, forwardedBy(from.headers), principal);
  };
  const forwardedBy = (headers: Record<string, unknown>): string | undefined => {
    const value = headers[forwardedByHeader];
    return typeof value === 'string' ? value : undefined;
  };
  app.get('/v1/cluster', { schema: { summary: "The cluster as this node sees it: members, roles, term, commit and applied indexes, each follower's lag" } }, async (_request, reply) =>
    reply.type(json).send(toJson(options.status())),
  );
  app.post<{ Body: { id: number; peer: string; http: string; role?: 'learner' | 'voter' } }>(
    '/v1/cluster/members',
    { schema: { summary: 'Add a node: as a learner (the default), promoted once caught up, or as a voter; answered once the change is applied on the leader', body: addBody } },
    async (request, reply) => {
      const { id, peer, http, role } = request.body;
      const answer = await admin({ kind: 'add', id, peer, http, role: role ?? 'learner' }, request);
      return reply.status(answer.status).type(json).send(answer.body);
    },
  );
  app.post<{ Params: { id: string } }>('/v1/cluster/members/:id/promote', { schema: { summary: 'Promote a learner to voter, once it has caught up', params: idParams } }, async (request, reply) => {
    const answer = await admin({ kind: 'promote', id: Number(request.params.id) }, request);
    return reply.status(answer.status).type(json).send(answer.body);
  });
  app.delete<{ Params: { id: string } }>('/v1/cluster/members/:id', { schema: { summary: 'Remove a member; a leader that removes itself steps down', params: idParams } }, async (request, reply) => {
    const answer = await admin({ kind: 'remove', id: Number(request.params.id) }, request);
    return reply.status(answer.status).type(json).send(answer.body);
  });
  app.post<{ Body: { id: number } }>('/v1/cluster/leader', { schema: { summary: 'Hand leadership to a voter; answered once it leads', body: transferBody } }, async (request, reply) => {
    const answer = await admin({ kind: 'transfer', id: request.body.id }, request);
    return reply.status(answer.status).type(json).send(answer.body);
  });
}
