// A whole node in the test's process: real LMDB files, a real Raft log with fsync, the write
// path and the HTTP routes, driven with fastify's inject() or, after listen(), a real socket.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ChangeFeed } from '../../services/cdc/change-feed.js';
import { ChangeStreams } from '../../services/cdc/change-streams.js';
import { SchemaRegistry } from '../../services/cdc/schema-registry.js';
import { EventLoopDelay } from '../../services/http/event-loop-delay.js';
import { schemaRegistryRoutes } from '../../services/http/schema-registry-routes.js';
import { buildHttpServer } from '../../services/http/server.js';
import type { HttpBounds } from '../../services/http/server.js';
import { RaftNode } from '../../services/raft/node/raft-node.js';
import { Store } from '../../services/storage/store.js';
import { AccountDirectory } from '../../services/users/account-directory.js';
import type { AccountDirectoryOptions, LoginLog } from '../../services/users/account-directory.js';
import { Sequencer } from '../../services/write/sequencer.js';
import { Transactions } from '../../services/write/transactions.js';
import { TxLeaderLink } from '../../services/write/tx-leader-link.js';

export interface InProcessNode {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly raft: RaftNode;
  readonly transactions: Transactions;
  readonly sequencer: Sequencer;
  sql(body: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  // Listens on 127.0.0.1 at a free port and returns it; starts the event loop monitor, as
  // main.ts does once the node listens.
  listen(): Promise<number>;
  close(): Promise<void>;
}

export interface InProcessNodeOptions {
  // Small timeouts and caps let a test reach each bound in a second or two.
  readonly bounds?: HttpBounds;
  // Change streams: how many may be open, and how long a stalled subscriber is kept.
  readonly streamsMax?: number;
  readonly streamStallMs?: number;
  // Logins and privileges as main.ts wires them: the directory of accounts (its options; the
  // catalog is the node's store).
  readonly accounts?: Omit<AccountDirectoryOptions, 'log'> & { readonly log?: LoginLog };
  // Interactive transactions' bounds (write/transactions.ts).
  readonly transactions?: { readonly openMax?: number; readonly idleMs?: number; readonly changesMax?: number };
  // A certificate and key: the port serves HTTPS.
  readonly https?: { readonly cert: Buffer; readonly key: Buffer };
}

export async function startInProcessNode(options: InProcessNodeOptions = {}): Promise<InProcessNode> {
  const dir = mkdtempSync(join(tmpdir(), 'tidedb-http-'));
  const store = Store.open(join(dir, 'lmdb'));
  let sequencer: Sequencer | null = null;
  const changeFeed = new ChangeFeed(store);
  const raft = await RaftNode.open({
    dir: join(dir, 'raft'),
    id: 1,
    appliedIndex: store.appliedIndex(),
    appliedTerm: store.appliedTerm(),
    apply: async (entries) => {
      await store.apply(entries);
      sequencer?.onApplied(entries.at(-1)!.index);
      changeFeed.notifyApplied();
    },
    onFatal: (error) => {
      throw error;
    },
  });
  const running = new Sequencer(store, raft, { defaultDatabase: 'app' });
  sequencer = running;
  const eventLoop = new EventLoopDelay();
  const changeStreams = new ChangeStreams(changeFeed, options.streamsMax ?? 100, options.streamStallMs);
  const link = new TxLeaderLink(sequencer, (id, version) => store.tableVersion(id, version));
  const transactions = new Transactions(
    { freshen: () => Promise.resolve(), applying: () => store.applying(), appliedIndex: () => store.appliedIndex(), openReadView: () => store.openReadView(), waitApplied: (index) => raft.waitApplied(index), runAutocommit: (statements, database, principal) => running.run(statements, { database, ...(principal === undefined ? {} : { principal }) }) },
    link,
    { defaultDatabase: 'app', ...options.transactions },
  );
  const app = await buildHttpServer({
    sql: sequencer,
    transactions,
    node: { status: () => ({ raft: raft.status, event_loop: eventLoop.status(), change_streams: changeStreams.status() }) },
    schemaRegistry: schemaRegistryRoutes(new SchemaRegistry(store, 'tide')),
    changes: { streams: changeStreams, defaultDatabase: 'app', readView: store },
    logLevel: 'silent',
    ...(options.bounds === undefined ? {} : { bounds: options.bounds }),
    ...(options.https === undefined ? {} : { https: options.https }),
    ...(options.accounts === undefined ? {} : { authentication: { directory: new AccountDirectory(store, { log: { warn: () => undefined }, ...options.accounts }), accounts: store } }),
  });
  return {
    app,
    store,
    raft,
    transactions,
    sequencer: running,
    async sql(body: unknown) {
      const payload = typeof body === 'string' ? body : JSON.stringify(body);
      const response = await app.inject({ method: 'POST', url: '/v1/sql', headers: { 'content-type': 'application/json' }, payload });
      return { status: response.statusCode, body: response.json() };
    },
    async listen() {
      await app.listen({ host: '127.0.0.1', port: 0 });
      eventLoop.start();
      return (app.server.address() as AddressInfo).port;
    },
    async close() {
      eventLoop.stop();
      transactions.closeAll();
      await app.close();
      await raft.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
