// The only place that wires TideDB's parts together: storage, the Raft node, the write path,
// the CDC publisher and the HTTP API. Every part declares the small interface it needs; the
// real parts are plugged in here.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { SASLOptions } from 'kafkajs';
import { changelogPruneIntervalMs, electionTicks, kafkaCheckpointNoteIntervalMs, tickMs } from './base/limits.js';
import { ClusterAdmin } from './cluster-admin.js';
import { addressesOf, membersFromFlags } from './cluster-membership.js';
import type { ClusterRoutesOptions } from './http/cluster-routes.js';
import { ChangeFeed } from './cdc/change-feed.js';
import { ChangeStreams } from './cdc/change-streams.js';
import { ChangelogRetention } from './cdc/changelog-retention.js';
import { KafkaPublisher, checkpointKey, readCheckpoint } from './cdc/kafka-publisher.js';
import type { KafkaPublisherOptions } from './cdc/kafka-publisher.js';
import { LeaderPublishing } from './cdc/leader-publishing.js';
import { backlogEntries, checkBacklog } from './cdc/publish-backlog.js';
import { checkSchemaChanges } from './cdc/schema-compatibility.js';
import { SchemaRegistry } from './cdc/schema-registry.js';
import { clusterStatus } from './cluster-status.js';
import { ConfigError, helpText, parseConfig } from './config.js';
import type { ClusterConfig, KafkaSasl, KafkaTopicsConfig, NodeConfig } from './config.js';
import { EventLoopDelay } from './http/event-loop-delay.js';
import { buildHttpServer } from './http/server.js';
import { schemaRegistryRoutes } from './http/schema-registry-routes.js';
import { LogCompaction } from './raft/node/log-compaction.js';
import { checkSnapshotChunk } from './storage/state-snapshot.js';
import { RaftNode } from './raft/node/raft-node.js';
import { TcpTransport } from './raft/transport/tcp-transport.js';
import { DataDirFormatError } from './storage/data-dir-format.js';
import { Store } from './storage/store.js';
import type { BatchChange } from './storage/types.js';
import { AccountDirectory } from './users/account-directory.js';
import type { LoginLog } from './users/account-directory.js';
import { RootAccount } from './users/root-account.js';
import { isLoopback } from './users/host-match.js';
import type { Principal } from './users/privilege-check.js';
import { MysqlServer, serverKeyPair } from './mysql/server.js';
import { NamedLocks } from './mysql/named-locks.js';
import { HttpDealer } from './session-processes/http-dealer.js';
import { answerSessionRequest } from './session-processes/main-requests.js';
import type { MainRequestTargets } from './session-processes/main-requests.js';
import { SessionPool } from './session-processes/session-pool.js';
import { transactionsOpenMaxPerProcess } from './session-processes/shares.js';
import { StatementRunner } from './mysql/statement-runner.js';
import { RequestRouter } from './write/request-router.js';
import { Sequencer } from './write/sequencer.js';
import { forwardedAnswer, forwardedBody } from './write/forwarded-sql.js';
import type { RunOptions, Statement, TransactionResult } from './write/sequencer.js';
import { Transactions } from './write/transactions.js';
import type { TxNode } from './write/transactions.js';
import { TxLeaderLink } from './write/tx-leader-link.js';
import { PeerHttpClient } from './write/peer-http-client.js';
import { verifyPeerBody } from './write/peer-signature.js';
import type { TxInternalRoutes, TxRoutesOptions } from './http/tx-routes.js';

async function main(): Promise<void> {
  let config: NodeConfig | null;
  try {
    config = parseConfig(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`tidedb: ${error.message}\n\n${helpText()}`);
    process.exit(2);
  }
  if (config === null) {
    process.stdout.write(helpText());
    return;
  }
  await startNode(config);
}

async function startNode(config: NodeConfig): Promise<void> {
  const dataDir = resolve(config.dataDir);
  mkdirSync(join(dataDir, 'lmdb'), { recursive: true });
  const store = openStore(join(dataDir, 'lmdb'));

  let app: FastifyInstance | null = null;
  let sequencer: Sequencer | null = null;
  let publishing: LeaderPublishing | null = null;
  let rootAccount: RootAccount | null = null;
  let sessions: SessionPool | null = null;
  const changeFeed = new ChangeFeed(store);
  // The log or the state machine failed under us: stop at once, and let restart replay.
  const onFatal = (error: unknown): never => {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`tidedb: fatal: ${message}\n`);
    process.exit(70);
  };

  const cluster = config.cluster;
  const transport = cluster === null ? undefined : await openTransport(config.nodeId, cluster).catch(onFatal);
  // Each member's HTTP URL, where writes and admin requests are forwarded; kept as the
  // configuration changes, as the transport's peers are.
  const httpUrls = new Map(cluster?.httpUrls ?? []);
  const raft = await RaftNode.open({
    dir: join(dataDir, 'raft'),
    logSegmentBytesMax: config.raftLog.segmentBytes,
    id: config.nodeId,
    voters: cluster === null ? undefined : [...cluster.peers.keys()],
    members: cluster === null ? undefined : membersFromFlags(cluster),
    join: cluster?.join,
    core: { readOnly: cluster?.leaseReads === true ? 'lease' : 'safe' },
    onMembership: (membership) => {
      if (cluster === null || transport === undefined) return;
      const addresses = addressesOf(membership, config.nodeId, cluster);
      transport.setPeers(addresses.peers);
      httpUrls.clear();
      for (const [id, url] of addresses.httpUrls) httpUrls.set(id, url);
    },
    transport,
    appliedIndex: store.appliedIndex(),
    appliedTerm: store.appliedTerm(),
    apply: async (entries) => {
      await store.apply(entries);
      sequencer?.onApplied(entries.at(-1)!.index);
      publishing?.notify();
      changeFeed.notifyApplied();
    },
    onFatal,
    onLeadershipChange: () => {
      sequencer?.onLeadershipChange();
      publishing?.onLeadershipChange();
      void rootAccount?.maybePropose();
    },
    snapshots: {
      open: () => store.openStateSnapshot(),
      check: checkSnapshotChunk,
      install: async (chunks) => {
        await store.installStateSnapshot(chunks);
        sequencer?.onApplied(store.appliedIndex());
        publishing?.notify();
        changeFeed.notifyApplied();
      },
    },
  }).catch(onFatal); // a damaged log found on open stops the node the same way
  // A single node replays the entries its last run left unapplied once this term's first
  // entry commits; until then its applied state is stale, and a write planned on it could
  // contradict the log. In a cluster the request router holds writes back the same way
  // (leaderReady), and a node catches up from its leader, however long that takes.
  if (cluster === null) await raft.waitApplied(raft.status.lastIndex);
  // How far publishing is behind, on the node that publishes (the leader); null elsewhere.
  const publishBacklog = (): bigint | null => {
    const publisher = publishing?.current() ?? null;
    return publisher === null ? null : backlogEntries(store, raft.status.appliedIndex, publisher.publishedLsn());
  };
  const backlogMax = config.kafkaTopics.backlogMaxEntries;
  const registry = new SchemaRegistry(store, config.topicPrefix);
  // With Kafka on: writes wait while the backlog is past its bound, and a DDL may not break a
  // published table's subject unless the request forces it.
  const admitWrite = (changes: readonly BatchChange[], options: RunOptions): void => {
    // The backlog is a changelog read: only with a bound to check it against. A publisher
    // stopped by its alarm does not hold writes back: they go on, as promised.
    if (backlogMax > 0 && publishing?.current()?.alarm() === null) {
      const backlog = publishBacklog();
      if (backlog !== null) checkBacklog(backlog, backlogMax);
    }
    if (options.forceSchemaChange !== true) checkSchemaChanges(changes, registry, config.kafkaTopics.tables);
  };
  sequencer = new Sequencer(store, raft, { defaultDatabase: config.database, linearizableReads: cluster !== null, ...(config.kafkaBrokers.length > 0 ? { admitWrite } : {}) });

  // Forwarding to the leader's --peer-http URL, over HTTPS when it is https:// (trusting --tls-ca).
  const peerHttp = cluster === null ? null : new PeerHttpClient(cluster.httpCaFile === null ? {} : { ca: readFileSync(cluster.httpCaFile) });
  const router = cluster === null || peerHttp === null ? undefined : new RequestRouter(config.nodeId, raft, httpUrls, cluster.secret, peerHttp);
  // What signs a request forwarded here by another member (the cluster secret), or a client's
  // address that one of this node's session processes passes on with its request (a secret of
  // this run, which only they are given).
  const forwardSecret = cluster?.secret ?? (config.sessionProcesses > 0 ? randomBytes(32).toString('hex') : undefined);
  const transactions = openTransactions(config, store, raft, sequencer, router, cluster?.secret);

  const eventLoop = new EventLoopDelay();
  const changeStreams = new ChangeStreams(changeFeed, config.changeStreamsMax);
  // Logins are logged through the server's logger, which exists only once it is built.
  const loginLog: LoginLog = { warn: (fields, message) => app?.log.warn(fields, message) };
  const accounts = new AccountDirectory(store, { rootPasswordGiven: config.rootPassword !== null, log: loginLog, onOutcome: (outcome, address) => sessions?.loginOutcome(outcome, address) });
  app = await buildHttpServer({
    sql: sequencer,
    ...(cluster === null || router === undefined ? {} : clusterRoutesOf(config.nodeId, cluster, raft, router)),
    authentication: { directory: accounts, accounts: store, ...(forwardSecret === undefined ? {} : { clusterSecret: forwardSecret }) },
    transactions,
    node: { status: () => ({ node_id: config.nodeId, raft: raftStatus(raft), kafka: publisherStatus(publishing, store, publishBacklog()), event_loop: eventLoop.status(), change_streams: changeStreams.status(), session_processes: sessions?.status() ?? null, row_locks: sequencer.rowLocksStatus() }) },
    schemaRegistry: schemaRegistryRoutes(registry),
    changes: { streams: changeStreams, defaultDatabase: config.database, readView: store },
    logLevel: config.logLevel,
    bounds: config.http,
    ...(config.tls?.https === true ? { https: { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) } } : {}),
  });
  const log = app.log;

  if (config.kafkaBrokers.length > 0) {
    const createPublisher = (): KafkaPublisher => new KafkaPublisher(store, {
      brokers: config.kafkaBrokers,
      clientId: `tidedb-${config.nodeId}`,
      delivery: config.kafkaTopics.delivery,
      // One name per cluster: a new leader's producer must fence the old leader's.
      publisherName: cluster === null ? 'tidedb' : `tidedb-${cluster.clusterId}`,
      topicPrefix: config.topicPrefix,
      topicCleanupPolicy: config.kafkaTopics.cleanupPolicy,
      topicPartitions: config.kafkaTopics.partitions,
      topicReplicationFactor: config.kafkaTopics.replicationFactor,
      tombstones: config.kafkaTopics.tombstones,
      transactionMarkers: config.kafkaTopics.transactionMarkers,
      resolvedIntervalMs: config.kafkaTopics.resolvedIntervalMs,
      tables: config.kafkaTopics.tables,
      initialSnapshot: config.kafkaTopics.snapshot,
      logEnd: () => raft.status.lastIndex,
      compression: config.kafkaTopics.compression,
      ...kafkaSecurity(config.kafkaTopics),
      logger: { debug: (m) => log.debug(m), info: (m) => log.info(m), warn: (m) => log.warn(m), error: (m) => log.error(m) },
    });
    // A single node always leads.
    publishing = new LeaderPublishing(createPublisher, () => cluster === null || raft.status.role === 'leader', {
      checkpointNoteIntervalMs: kafkaCheckpointNoteIntervalMs,
      onNoteFailed: (error) => log.debug({ err: error }, 'reading the Kafka checkpoint failed'),
    });
    publishing.onLeadershipChange();
  }

  // LMDB is synced at checkpoints, and segments behind the last one are dropped (an unclean
  // stop replays from it); in a cluster a margin of entries stays, so that a follower slightly
  // behind catches up from the log, and one further behind is sent a snapshot.
  store.startCheckpoints(config.lmdbCheckpointIntervalMs, onFatal);
  const compaction = new LogCompaction(store, raft, cluster === null ? 0n : config.raftLog.keepEntries);
  compaction.start(config.raftLog.compactionIntervalMs);
  // With Kafka off, a checkpoint left from a run with it still holds pruning back: the topics
  // must not miss what this node has yet to publish if Kafka comes back.
  const retention = new ChangelogRetention(store, {
    window: config.changelogRetention,
    keepAfter: () => {
      const publisher = publishing?.current() ?? null;
      if (publisher !== null) return publisher.publishedLsn();
      // Not publishing (Kafka off, or a follower): the checkpoint this node last read from
      // Kafka (leader-publishing.ts notes it) holds pruning back. With Kafka on and none known
      // yet, nothing is pruned: this node may lead next and must have what is unpublished.
      // With Kafka off and none, the window alone applies.
      return readCheckpoint(store.getLocal(checkpointKey)) ?? (publishing !== null ? null : 'any');
    },
  });
  retention.start(changelogPruneIntervalMs);

  if (config.rootPassword !== null) {
    const root = new RootAccount({ password: config.rootPassword, accounts: store, sql: sequencer, isLeader: () => raft.status.role === 'leader', leaderReady: () => raft.leaderReady(), log });
    rootAccount = root;
    void root.maybePropose();
  } else if (accounts.loopbackOnly()) {
    log.warn({ host: config.host }, 'no root password (--root-password, TIDE_ROOT_PASSWORD) and no root account: serving loopback clients only, each as root; clients beyond loopback are refused');
  }

  const namedLocks = new NamedLocks();
  const rsaKeys = serverKeyPair();
  const sessionSecret = config.sessionProcesses === 0 ? undefined : forwardSecret;
  // When session processes serve HTTP too, the node's port deals its connections
  // (session-processes/http-dealer.ts), and the server listens on a loopback port of its own,
  // where they send what they pass on; otherwise it listens on the node's port.
  const dealsHttp = sessionSecret !== undefined && config.sessionHttp;
  await app.listen(dealsHttp ? { host: '127.0.0.1', port: 0, listenTextResolver: (address) => `HTTP for the session processes at ${address}` } : { host: config.host, port: config.port });
  sessions = sessionSecret === undefined ? null : startSessionProcesses(config, app, sequencer, store, sessionSecret, namedLocks, rsaKeys, accounts);
  const dealer = sessions === null || !dealsHttp ? null : await HttpDealer.listen({ host: config.host, port: config.port, http: app.server, handOff: sessions.http, connectionsMax: config.http.connectionsMax });
  if (dealer !== null) log.info({ address: dealer.address(), sessionProcesses: config.sessionProcesses }, 'HTTP listening, its connections dealt over the node and its session processes');
  const mysql = config.mysql === null ? null : await startMysql(config, sequencer, router, log, accounts, transactions, namedLocks, sessions, rsaKeys);
  // Measured from here: replay and startup block the loop by design and would hide in the max.
  eventLoop.start();
  log.info({ dataDir, kafka: config.kafkaBrokers, https: config.tls?.https === true }, 'tidedb node ready');

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    // A leader hands over first, so the cluster need not wait out an election timeout; the
    // wait is bounded, and a failed transfer only costs that election.
    const successor = raft.mostCaughtUpVoter();
    if (successor !== null) {
      await raft.transferLeadership(successor, transferWaitMs).catch((error: unknown) => log.warn({ err: error }, 'leadership transfer before stopping failed'));
      log.info({ successor, leader: raft.detail.leaderId }, 'leadership handed over before stopping');
    }
    compaction.stop();
    await retention.stop();
    eventLoop.stop();
    transactions.closeAll();
    try {
      dealer?.stopAccepting();
      // Streams end with their resume position, those a session process passes on too,
      // before the processes stop.
      await changeStreams.closeAll();
      await sessions?.close();
      await mysql?.close();
      await app?.close();
      await dealer?.drain(httpDrainMs);
      peerHttp?.close();
      await raft.close();
      await publishing?.close();
      await store.close();
    } catch (error) {
      // Whatever did not close cleanly is recovered from the log at the next start.
      log.error({ err: error }, 'error while stopping');
      process.exit(1);
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

// Interactive transactions served by this node; commits and id reservations go to the leader
// (here, or through its internal routes).
function openTransactions(config: NodeConfig, store: Store, raft: RaftNode, sequencer: Sequencer, router: RequestRouter | undefined, secret: string | undefined): Transactions & TxRoutesOptions {
  const link = new TxLeaderLink(sequencer, (id, version) => store.tableVersion(id, version), router);
  const node: TxNode = {
    // In a cluster a snapshot waits for a read index, so it holds everything acknowledged
    // before BEGIN, on a follower as on the leader.
    freshen: config.cluster === null ? () => Promise.resolve() : () => raft.readIndex().then(() => undefined),
    applying: () => store.applying(),
    appliedIndex: () => store.appliedIndex(),
    openReadView: () => store.openReadView(),
    waitApplied: (index) => raft.waitApplied(index),
    runAutocommit: (statements, database, principal) => runOnLeader(sequencer, router, statements, database, principal),
  };
  const transactions = new Transactions(node, link, { defaultDatabase: config.database, openMax: transactionsOpenMaxPerProcess(config, 'main'), changesMax: config.transactions.changesMax, idleMs: config.transactions.idleMs, isolation: config.transactions.isolation });
  // A single node serves its own transactions only (its session processes' reach it over the
  // IPC channel): it has no internal routes. `secret`: the cluster's.
  const internal: TxInternalRoutes | undefined =
    secret === undefined
      ? undefined
      : {
          serveCommit: (body, forwardedBy) => link.serveCommit(body, forwardedBy),
          serveReserve: (body, forwardedBy) => link.serveReserve(body, forwardedBy),
          fromPeer: (body, signature) => verifyPeerBody(secret, body, signature),
        };
  return Object.assign(transactions, internal === undefined ? {} : { internal });
}

// A statement a transaction runs on its own (a DDL, after its implicit commit), as a request
// of its own: on the leader, here or forwarded.
async function runOnLeader(sequencer: Sequencer, router: RequestRouter | undefined, statements: readonly Statement[], database: string, principal: Principal | undefined): Promise<TransactionResult> {
  const routed = router === undefined ? ({ kind: 'local' } as const) : await router.route(forwardedBody(statements, database), undefined, undefined, principal);
  if (routed.kind === 'local') return sequencer.run(statements, { database, ...(principal === undefined ? {} : { principal }) });
  return forwardedAnswer(routed.status, routed.body);
}

// The MySQL protocol beside HTTP, with the same accounts (the catalog's, or loopback clients as
// root on a node without a root password) and the same transactions.
async function startMysql(config: NodeConfig, sequencer: Sequencer, router: RequestRouter | undefined, log: FastifyInstance['log'], accounts: AccountDirectory, transactions: Transactions, namedLocks: NamedLocks, sessions: SessionPool | null, rsaKeys: ReturnType<typeof serverKeyPair>): Promise<MysqlServer> {
  const settings = config.mysql!;
  const tls = config.tls === null ? null : { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) };
  const server = new MysqlServer({
    runner: new StatementRunner(sequencer, router),
    transactions,
    defaultDatabase: config.database,
    accounts,
    admitsHost: (address) => !accounts.loopbackOnly() || isLoopback(address),
    tls,
    connectionsMax: settings.connectionsMax,
    log,
    namedLocks,
    rsaKeys,
    ...(sessions === null ? {} : { elsewhere: sessions.mysql }),
  });
  const address = await server.listen(settings.port, settings.host);
  log.info({ host: settings.host, port: address.port, tls: tls !== null }, 'MySQL protocol listening');
  return server;
}

// Processes that serve a share of the HTTP and MySQL connections (session-processes/DESIGN.md):
// they send their writes, commits and id reservations here over the IPC channel
// (main-requests.ts), and pass the HTTP requests they do not serve to this process's loopback
// HTTP port.
function startSessionProcesses(config: NodeConfig, app: FastifyInstance, sequencer: Sequencer, store: Store, secret: string, locks: NamedLocks, rsaKeys: ReturnType<typeof serverKeyPair>, accounts: AccountDirectory): SessionPool {
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('the HTTP server is not listening on a port');
  const host = address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address;
  const targets: MainRequestTargets = {
    sql: sequencer,
    // The leader's side of the transactions they serve: this node always leads.
    transactions: new TxLeaderLink(sequencer, (id, version) => store.tableVersion(id, version)),
    internal: (error) => app.log.error({ err: error }, 'internal error'),
  };
  return new SessionPool({
    count: config.sessionProcesses,
    args: process.argv.slice(2),
    mainUrl: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    secret,
    locks,
    rsaKeys,
    mirrorLogin: (outcome, address) => accounts.mirror(outcome, address),
    serve: (path, body, principal) => answerSessionRequest(targets, path, body, principal),
    exited: (pid) => sequencer.unlockRowsOfProcess(pid),
    log: app.log,
  });
}

// How long a stopping node gives the requests in flight on the HTTP connections it was dealt.
const httpDrainMs = 3000;

// A transfer has about an election timeout to finish before the core gives it up.
const transferWaitMs = 2 * electionTicks * tickMs;

// GET /v1/cluster and the admin routes, whose requests run on the leader.
function clusterRoutesOf(nodeId: number, cluster: ClusterConfig, raft: RaftNode, router: RequestRouter): { sqlRouter: RequestRouter; cluster: ClusterRoutesOptions } {
  const admin = new ClusterAdmin(raft, router, transferWaitMs);
  return {
    sqlRouter: router,
    cluster: {
      status: () => clusterStatus(nodeId, cluster, raft.detail, raft.snapshotCounts),
      admin: (request, forwardedBy, principal) => admin.run(request, forwardedBy, principal),
    },
  };
}

// The peer link listens on --peer-listen, by default this node's own address in --peers.
async function openTransport(nodeId: number, cluster: ClusterConfig): Promise<TcpTransport> {
  const own = cluster.listen;
  const at = own.lastIndexOf(':');
  const tls = cluster.tls === null ? undefined : { cert: readFileSync(cluster.tls.certFile), key: readFileSync(cluster.tls.keyFile), ca: readFileSync(cluster.tls.caFile) };
  return TcpTransport.listen({
    nodeId,
    clusterId: cluster.clusterId,
    secret: cluster.secret,
    listen: { host: own.slice(0, at), port: Number(own.slice(at + 1)) },
    peers: cluster.peers,
    ...(tls === undefined ? {} : { tls }),
  });
}

// A data directory of another format is an operator's mistake, not a fault: say what to do and
// exit as for a bad flag, without a stack.
function openStore(path: string): Store {
  try {
    return Store.open(path);
  } catch (error) {
    if (!(error instanceof DataDirFormatError)) throw error;
    process.stderr.write(`tidedb: ${error.message}\n`);
    process.exit(2);
  }
}

function raftStatus(raft: RaftNode): Record<string, unknown> {
  const { role, term, commitIndex, lastIndex, appliedIndex } = raft.status;
  return { role, term, commit_index: commitIndex, last_index: lastIndex, applied_index: appliedIndex };
}

// kafkajs's TLS and SASL options from the node's settings; the CA file is read once, here.
function kafkaSecurity({ tls, sasl }: KafkaTopicsConfig): Pick<KafkaPublisherOptions, 'ssl' | 'sasl'> {
  return {
    ...(tls === null ? {} : { ssl: tls.caFile === null ? true : { ca: [readFileSync(tls.caFile, 'utf8')] } }),
    ...(sasl === null ? {} : { sasl: kafkaSasl(sasl) }),
  };
}

// kafkajs types each mechanism's options apart.
function kafkaSasl({ mechanism, username, password }: KafkaSasl): SASLOptions {
  switch (mechanism) {
    case 'plain':
      return { mechanism, username, password };
    case 'scram-sha-256':
      return { mechanism, username, password };
    case 'scram-sha-512':
      return { mechanism, username, password };
  }
}

// On a follower, `publishing` is false and published_lsn is the checkpoint as this node last
// saw it: the leader publishes.
function publisherStatus(publishing: LeaderPublishing | null, store: Store, backlog: bigint | null): Record<string, unknown> {
  if (publishing === null) return { enabled: false };
  const publisher = publishing.current();
  const lsn = publisher?.publishedLsn() ?? readCheckpoint(store.getLocal(checkpointKey));
  return {
    enabled: true,
    publishing: publisher !== null,
    delivery: publisher?.deliveryMode ?? null,
    published_lsn: lsn === null ? null : lsn.toString(),
    // Entries from the oldest unpublished change to the last applied (publish-backlog.ts).
    backlog_entries: backlog === null ? null : Number(backlog),
    alarm: publisher?.alarm() ?? null,
  };
}

await main();
