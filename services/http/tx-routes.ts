// Interactive transactions over HTTP: POST /v1/tx opens one and answers its handle; /v1/sql
// with "tx" runs statements in it (sql-route.ts); POST /v1/tx/<handle>/commit and /rollback end
// it. A handle is served by the node that opened it, where its snapshot lives. The internal
// routes take a transaction's commit and auto-increment reservations on the leader, from the
// node that serves it (write/tx-leader-link.ts); their bodies are the peers' JSON.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TideError } from '../base/errors.js';
import { identifierLengthMax, identifierPattern } from '../base/identifiers.js';
import { batchBytesMax } from '../base/limits.js';
import type { Principal } from '../users/privilege-check.js';
import { isolations } from '../write/isolation.js';
import type { Isolation } from '../write/isolation.js';
import type { CommitResult } from '../write/transactions.js';
import type { CommitBody, ReserveBody } from '../write/tx-leader-link.js';
import { peerSignatureHeader } from '../write/peer-signature.js';
import { forwardedByHeader } from '../write/request-router.js';
import { principalOf } from './authentication.js';

export interface TxRoutesOptions {
  // `principal`: the account the request logged in as (undefined: the node's own); a
  // transaction is its opener's alone.
  open(database?: string, principal?: Principal, isolation?: Isolation): Promise<string>;
  commit(handle: string, principal?: Principal): Promise<CommitResult>;
  rollback(handle: string, principal?: Principal): Promise<void>;
  // In a cluster: the leader's side of a transaction served by another node. A single node
  // has no such routes.
  readonly internal?: TxInternalRoutes;
}

export interface TxInternalRoutes {
  serveCommit(body: CommitBody, forwardedBy: string | undefined): Promise<{ index: string }>;
  serveReserve(body: ReserveBody, forwardedBy: string | undefined): Promise<{ first: string }>;
  // Whether the request came from a member of the cluster (write/peer-signature.ts).
  fromPeer(body: string, signature: string | undefined): boolean;
}

const handleParams = { type: 'object', required: ['handle'], properties: { handle: { type: 'string', pattern: '^[0-9a-f]{32}$' } } } as const;
const base64 = { type: 'string', pattern: '^[A-Za-z0-9+/]*={0,2}$' } as const;
const keyRanges = { type: 'array', items: { type: 'array', minItems: 2, maxItems: 2, items: base64 } } as const;
const decimal = { type: 'string', pattern: '^[0-9]{1,20}$' } as const;
const keys = { type: 'array', items: base64 } as const;
// What a commit's body says of one set of reads (tx-leader-link.ts), at its snapshot or later.
const readSetBody = { row_keys: keys, row_ranges: keyRanges, index_ranges: keyRanges, table_ids: { type: 'array', items: { type: 'integer', minimum: 0 } }, locked_row_keys: keys } as const;
const readSetFields = Object.keys(readSetBody);

export function txRoutes(app: FastifyInstance, options: TxRoutesOptions): void {
  const json = 'application/json; charset=utf-8';
  app.post<{ Body: { database?: string; isolation?: Isolation } | null }>(
    '/v1/tx',
    {
      schema: {
        summary: 'Open an interactive transaction on this node; answers its handle',
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: { database: { type: 'string', pattern: identifierPattern.source, maxLength: identifierLengthMax }, isolation: { type: 'string', enum: [...isolations] } },
        },
      },
    },
    async (request, reply) => reply.type(json).send(JSON.stringify({ tx: await options.open(request.body?.database, principalOf(request), request.body?.isolation) })),
  );
  app.post<{ Params: { handle: string } }>(
    '/v1/tx/:handle/commit',
    { schema: { summary: "Commit a transaction: answers its entry's lsn and its id (null, with its snapshot's lsn, when it changed nothing)", params: handleParams } },
    async (request, reply) => {
      const { lsn, txId } = await options.commit(request.params.handle, principalOf(request));
      return reply.type(json).send(JSON.stringify({ lsn: lsn.toString(), tx_id: txId === null ? null : txId.toString() }));
    },
  );
  app.post<{ Params: { handle: string } }>('/v1/tx/:handle/rollback', { schema: { summary: 'Roll a transaction back', params: handleParams } }, async (request, reply) => {
    await options.rollback(request.params.handle, principalOf(request));
    return reply.type(json).send('{}');
  });
  if (options.internal !== undefined) internalRoutes(app, options.internal);
}

function internalRoutes(app: FastifyInstance, internal: TxInternalRoutes): void {
  const json = 'application/json; charset=utf-8';
  const header = (headers: Record<string, unknown>, name: string): string | undefined => {
    const value = headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  const forwardedBy = (headers: Record<string, unknown>): string | undefined => header(headers, forwardedByHeader);
  // The body as the member signed it: JSON.stringify of what it sent, which parsing and
  // stringifying again gives back exactly (keys in order, strings and integers only).
  const checkPeer = async (request: FastifyRequest): Promise<void> => {
    if (!internal.fromPeer(JSON.stringify(request.body), header(request.headers, peerSignatureHeader))) {
      throw new TideError('PEER_AUTH_FAILED', 'only a member of the cluster may call this route');
    }
  };
  app.post<{ Body: CommitBody }>(
    '/v1/internal/tx/commit',
    {
      preHandler: checkPeer,
      // A commit carries up to a whole batch, in base64.
      bodyLimit: 2 * batchBytesMax,
      schema: {
        summary: "Internal: validate and commit a transaction's changes on the leader",
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['snapshot_index', 'batch', ...readSetFields],
          properties: { snapshot_index: decimal, batch: base64, ...readSetBody, current_reads: { type: 'array', items: { type: 'object', additionalProperties: false, required: ['index', ...readSetFields, 'written_row_keys'], properties: { index: decimal, ...readSetBody, written_row_keys: keys } } } },
        },
      },
    },
    async (request, reply) => reply.type(json).send(JSON.stringify(await internal.serveCommit(request.body, forwardedBy(request.headers)))),
  );
  app.post<{ Body: ReserveBody }>(
    '/v1/internal/tx/reserve-ids',
    {
      preHandler: checkPeer,
      schema: {
        summary: "Internal: reserve a block of a table's auto-increment ids for a transaction, on the leader",
        body: { type: 'object', additionalProperties: false, required: ['table_id', 'count', 'floor'], properties: { table_id: { type: 'integer', minimum: 0 }, count: decimal, floor: decimal } },
      },
    },
    async (request, reply) => reply.type(json).send(JSON.stringify(await internal.serveReserve(request.body, forwardedBy(request.headers)))),
  );
}
