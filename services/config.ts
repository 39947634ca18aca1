// The node's settings: defaults that make `npm start` a working single-node database, each
// overridable by a flag or an environment variable (the flag wins).
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { isIdentifier } from './base/identifiers.js';
import { changesPerBatchMax, lmdbReadersMax, mysqlConnectionsMaxDefault, txChangesMaxDefault, txIdleMsDefault, txOpenMaxDefault, changeStreamsMaxDefault, changelogRetentionBytesDefault, changelogRetentionMsDefault, lmdbCheckpointIntervalMs, logCompactionIntervalMs, logCompactionKeepEntries, logSegmentBytesMax } from './base/limits.js';
import type { RetentionWindow } from './cdc/changelog-retention.js';
import { isTopicCleanupPolicy, topicCleanupPolicies } from './cdc/topic-config.js';
import type { TopicCleanupPolicy } from './cdc/topic-config.js';
import { initialSnapshotModes } from './cdc/initial-snapshot.js';
import type { InitialSnapshotMode } from './cdc/initial-snapshot.js';
import { deliveryModes, kafkaCompressions } from './cdc/publish-delivery.js';
import { isolations } from './write/isolation.js';
import type { Isolation } from './write/isolation.js';
import type { DeliveryMode, KafkaCompression } from './cdc/publish-delivery.js';
import { TableSelection } from './cdc/table-selection.js';
import { httpBoundsDefaults } from './http/connection-bounds.js';
import type { HttpBounds } from './http/connection-bounds.js';

export interface NodeConfig {
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  readonly nodeId: number;
  readonly database: string;
  readonly kafkaBrokers: readonly string[];
  readonly topicPrefix: string;
  readonly kafkaTopics: KafkaTopicsConfig;
  readonly logLevel: string;
  readonly http: HttpBounds;
  // Change streams open at once; one more is answered 503 STREAMS_TOO_MANY.
  readonly changeStreamsMax: number;
  // Interactive transactions: open at once on this node (TX_LIMIT past it), their bound in row
  // changes (TX_TOO_LARGE), and how long one may sit idle before it is rolled back.
  readonly transactions: { readonly openMax: number; readonly changesMax: number; readonly idleMs: number; readonly isolation: Isolation };
  readonly changelogRetention: RetentionWindow;
  // Null for the single-node default; otherwise this node's place in a Raft cluster.
  readonly cluster: ClusterConfig | null;
  // The Raft log's segment size, the entries kept behind the last LMDB checkpoint in a cluster, and
  // how often compaction runs (base/limits.ts has the defaults and why).
  readonly raftLog: { readonly segmentBytes: number; readonly keepEntries: bigint; readonly compactionIntervalMs: number };
  // How often LMDB is synced (a checkpoint); the Raft log is kept back to the last one.
  readonly lmdbCheckpointIntervalMs: number;
  // Root's password for a catalog without a root account (the leader proposes the account);
  // null: none given, and while the catalog has no root account the node serves loopback only.
  readonly rootPassword: string | null;
  // The MySQL protocol's listener (services/mysql), or null when turned off (`--mysql-port off`).
  readonly mysql: { readonly host: string; readonly port: number; readonly connectionsMax: number } | null;
  // Processes beside this one that serve MySQL connections, and HTTP ones with sessionHttp:
  // they read through the same LMDB files and send every write to this one
  // (session-processes/DESIGN.md). 0: this process serves them all. A single node only, for now.
  readonly sessionProcesses: number;
  readonly sessionHttp: boolean;
  // PEM files of the certificate chain and key for client connections (the MySQL port's TLS
  // upgrade, and HTTPS unless `https` is false); null: plain TCP only.
  readonly tls: { readonly certFile: string; readonly keyFile: string; readonly https: boolean } | null;
}

// The table topics the publisher creates, and what it writes on them.
export interface KafkaTopicsConfig {
  readonly delivery: DeliveryMode;
  // 0: no bound.
  readonly backlogMaxEntries: number;
  readonly cleanupPolicy: TopicCleanupPolicy;
  readonly partitions: number;
  readonly replicationFactor: number;
  // A tombstone (null value) after each delete, so compaction removes the deleted key.
  readonly tombstones: boolean;
  // BEGIN and END markers of every transaction on <prefix>._transactions.
  readonly transactionMarkers: boolean;
  // How often resolved watermarks go to <prefix>._resolved; 0: never.
  readonly resolvedIntervalMs: number;
  readonly snapshot: InitialSnapshotMode;
  // Which tables publish (--kafka-include, --kafka-exclude).
  readonly tables: TableSelection;
  readonly compression: KafkaCompression;
  // The Kafka client's TLS (a CA file, or null for the system's CAs) and SASL; null: off.
  readonly tls: { readonly caFile: string | null } | null;
  readonly sasl: KafkaSasl | null;
}

export const kafkaSaslMechanisms = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;

export interface KafkaSasl {
  readonly mechanism: (typeof kafkaSaslMechanisms)[number];
  readonly username: string;
  readonly password: string;
}

export interface ClusterConfig {
  // Every voter's peer-link address, this node's own included (it listens there unless
  // `listen` says otherwise).
  readonly peers: ReadonlyMap<number, string>;
  // Where this node's peer link listens when not at its own --peers address (a proxy or a
  // NAT in front of it, or 0.0.0.0 behind an advertised name).
  readonly listen: string;
  // Every voter's HTTP base URL, where a follower forwards writes; empty: no forwarding.
  readonly httpUrls: ReadonlyMap<number, string>;
  // PEM CA file that forwarding to an https:// URL trusts; null: the system's CAs (and Node's
  // NODE_EXTRA_CA_CERTS).
  readonly httpCaFile: string | null;
  readonly clusterId: string;
  readonly secret: string;
  // Files of PEM for mutual TLS on peer links; null: plain TCP (still authenticated).
  readonly tls: { readonly certFile: string; readonly keyFile: string; readonly caFile: string } | null;
  // Joining a running cluster (--join): a node with no configuration of its own yet starts as
  // a non-voter and waits for the leader to add it (POST /v1/cluster/members); --peers names
  // the running cluster's nodes and this one, and only admits them to the peer link.
  readonly join: boolean;
  // --lease-reads: the leader answers linearizable reads from its CheckQuorum lease, without a
  // heartbeat round; correct only while the nodes' clocks run at nearly the same rate
  // (raft/DESIGN.md, "Reads").
  readonly leaseReads: boolean;
}

// Node's timers take at most 2^31 - 1 ms (about 24 days).
const timeoutMsMax = 2 ** 31 - 1;

interface Setting {
  readonly flag: string;
  readonly env: string;
  readonly fallback: string;
  readonly help: string;
}

// Beyond a few, the main process's one thread (every write, apply) is the limit, not reads.
const autoSessionProcessesMax = 8;
// Cores from which session processes serve HTTP unless told: every write a session process
// takes crosses to the main process once more, and on fewer cores that costs the writes more
// than the other processes' reads gain (docs/BENCHMARKS.md).
const sessionHttpCoresMin = 4;

const settings = {
  dataDir: { flag: 'data-dir', env: 'TIDE_DATA_DIR', fallback: './data', help: 'directory for the Raft log and LMDB files' },
  host: { flag: 'host', env: 'TIDE_HOST', fallback: '127.0.0.1', help: 'address the HTTP API listens on' },
  port: { flag: 'port', env: 'TIDE_PORT', fallback: '4001', help: 'port of the HTTP API' },
  mysqlHost: { flag: 'mysql-host', env: 'TIDE_MYSQL_HOST', fallback: '', help: 'address the MySQL protocol listens on; empty: the same as --host' },
  mysqlPort: { flag: 'mysql-port', env: 'TIDE_MYSQL_PORT', fallback: '4000', help: 'port of the MySQL protocol; off: no MySQL listener' },
  mysqlConnectionsMax: { flag: 'mysql-connections-max', env: 'TIDE_MYSQL_CONNECTIONS_MAX', fallback: String(mysqlConnectionsMaxDefault), help: 'open MySQL connections; one more is answered 1040 Too many connections' },
  sessionProcesses: { flag: 'session-processes', env: 'TIDE_SESSION_PROCESSES', fallback: 'auto', help: `processes beside the node that serve a share of its MySQL connections (and HTTP ones: --session-http), reading the same LMDB files and sending writes to it (a single node only); 0: the node serves them all; auto: one per core beyond the first (at most ${autoSessionProcessesMax}) on a single node that has connections for them, else 0` },
  sessionHttp: { flag: 'session-http', env: 'TIDE_SESSION_HTTP', fallback: 'auto', help: `whether session processes serve a share of the HTTP connections too: true, false, or auto (true on ${sessionHttpCoresMin} cores or more, with plain HTTP on the node)` },
  tlsCert: { flag: 'tls-cert', env: 'TIDE_TLS_CERT', fallback: '', help: 'PEM certificate (chain) for client TLS: MySQL connections may upgrade, HTTP serves HTTPS only (unless --http-tls false; with --tls-key)' },
  tlsKey: { flag: 'tls-key', env: 'TIDE_TLS_KEY', fallback: '', help: 'PEM private key for client TLS' },
  httpTls: { flag: 'http-tls', env: 'TIDE_HTTP_TLS', fallback: 'true', help: 'with --tls-cert: true serves HTTPS on --port; false keeps it plain HTTP (TLS for MySQL only)' },
  tlsCa: { flag: 'tls-ca', env: 'TIDE_TLS_CA', fallback: '', help: 'PEM CA file a node trusts when it forwards requests to an https:// --peer-http URL; empty: the system\'s CAs' },
  nodeId: { flag: 'node-id', env: 'TIDE_NODE_ID', fallback: '1', help: 'this node\'s Raft id' },
  database: { flag: 'database', env: 'TIDE_DATABASE', fallback: 'app', help: 'database of unqualified table names' },
  kafka: { flag: 'kafka', env: 'KAFKA_BROKERS', fallback: '', help: 'Kafka bootstrap brokers, comma-separated; empty: no publishing' },
  topicPrefix: { flag: 'topic-prefix', env: 'TIDE_TOPIC_PREFIX', fallback: 'tide', help: 'topics are <prefix>.<database>.<table>' },
  kafkaDelivery: { flag: 'kafka-delivery', env: 'TIDE_KAFKA_DELIVERY', fallback: 'exactly-once', help: `${deliveryModes.join(' or ')}: events and checkpoint in one Kafka transaction, or (for brokers without transactions) checkpoint after the ack` },
  kafkaBacklogMaxEntries: { flag: 'kafka-backlog-max-entries', env: 'TIDE_KAFKA_BACKLOG_MAX_ENTRIES', fallback: '0', help: 'refuse writes (503 KAFKA_BACKLOG_FULL) while more entries than this wait to be published; 0: no bound, the changelog grows while Kafka is away' },
  kafkaInclude: { flag: 'kafka-include', env: 'TIDE_KAFKA_INCLUDE', fallback: '', help: 'tables that publish, as database.table patterns with * (e.g. app.*,crm.accounts); empty: all' },
  kafkaExclude: { flag: 'kafka-exclude', env: 'TIDE_KAFKA_EXCLUDE', fallback: '', help: 'tables that do not publish, as database.table patterns with *; wins over --kafka-include' },
  kafkaSnapshot: { flag: 'kafka-snapshot', env: 'TIDE_KAFKA_SNAPSHOT', fallback: 'auto', help: `first publishing starts with the tables' rows as op r events: ${initialSnapshotModes.join(', ')} (auto: when the changelog no longer holds their whole history)` },
  kafkaCompression: { flag: 'kafka-compression', env: 'TIDE_KAFKA_COMPRESSION', fallback: 'none', help: `compression of the record batches: ${kafkaCompressions.join(', ')}` },
  kafkaTls: { flag: 'kafka-tls', env: 'TIDE_KAFKA_TLS', fallback: 'false', help: 'true: connect to the brokers over TLS' },
  kafkaTlsCa: { flag: 'kafka-tls-ca', env: 'TIDE_KAFKA_TLS_CA', fallback: '', help: 'PEM CA file for the brokers\' certificates; empty: the system\'s CAs' },
  kafkaSaslMechanism: { flag: 'kafka-sasl-mechanism', env: 'TIDE_KAFKA_SASL_MECHANISM', fallback: '', help: `SASL authentication with the brokers: ${kafkaSaslMechanisms.join(', ')}; empty: none` },
  kafkaSaslUsername: { flag: 'kafka-sasl-username', env: 'TIDE_KAFKA_SASL_USERNAME', fallback: '', help: 'SASL user name' },
  kafkaSaslPassword: { flag: 'kafka-sasl-password', env: 'TIDE_KAFKA_SASL_PASSWORD', fallback: '', help: 'SASL password (better given by the environment variable)' },
  kafkaCleanupPolicy: { flag: 'kafka-cleanup-policy', env: 'TIDE_KAFKA_CLEANUP_POLICY', fallback: 'compact', help: `cleanup.policy of created table topics: ${topicCleanupPolicies.join(', ')}` },
  kafkaPartitions: { flag: 'kafka-partitions', env: 'TIDE_KAFKA_PARTITIONS', fallback: '1', help: 'partitions of created table topics; rows go by key (murmur2, as Java clients)' },
  kafkaReplicationFactor: { flag: 'kafka-replication-factor', env: 'TIDE_KAFKA_REPLICATION_FACTOR', fallback: '1', help: 'replication factor of created topics' },
  kafkaTransactionMarkers: { flag: 'kafka-transaction-markers', env: 'TIDE_KAFKA_TRANSACTION_MARKERS', fallback: 'true', help: 'true: BEGIN and END markers of every transaction on <prefix>._transactions (Debezium\'s transaction metadata); false: none (events keep their transaction block)' },
  kafkaTombstones: { flag: 'kafka-tombstones', env: 'TIDE_KAFKA_TOMBSTONES', fallback: 'true', help: 'true: a null-valued message follows each delete (compaction then drops the key); false: none' },
  kafkaResolvedIntervalMs: { flag: 'kafka-resolved-interval-ms', env: 'TIDE_KAFKA_RESOLVED_INTERVAL_MS', fallback: '1000', help: 'how often a resolved watermark per table and partition goes to <prefix>._resolved; 0: never' },
  logLevel: { flag: 'log-level', env: 'TIDE_LOG_LEVEL', fallback: 'info', help: 'fatal, error, warn, info, debug or trace' },
  requestTimeoutMs: { flag: 'request-timeout-ms', env: 'TIDE_REQUEST_TIMEOUT_MS', fallback: String(httpBoundsDefaults.requestTimeoutMs), help: 'time to receive a whole request, headers and body; then 408 and close' },
  headersTimeoutMs: { flag: 'headers-timeout-ms', env: 'TIDE_HEADERS_TIMEOUT_MS', fallback: String(httpBoundsDefaults.headersTimeoutMs), help: 'time to receive a request\'s headers; then 408 and close' },
  keepAliveTimeoutMs: { flag: 'keep-alive-timeout-ms', env: 'TIDE_KEEP_ALIVE_TIMEOUT_MS', fallback: String(httpBoundsDefaults.keepAliveTimeoutMs), help: 'an idle connection between requests is closed after this' },
  connectionsMax: { flag: 'connections-max', env: 'TIDE_CONNECTIONS_MAX', fallback: String(httpBoundsDefaults.connectionsMax), help: 'open HTTP connections; one more is closed as soon as accepted' },
  retentionMs: { flag: 'changelog-retention-ms', env: 'TIDE_CHANGELOG_RETENTION_MS', fallback: String(changelogRetentionMsDefault), help: 'changes older than this leave the changelog (never before Kafka has them)' },
  retentionBytes: { flag: 'changelog-retention-bytes', env: 'TIDE_CHANGELOG_RETENTION_BYTES', fallback: String(changelogRetentionBytesDefault), help: 'past this size the changelog\'s oldest changes go (never before Kafka has them)' },
  peers: { flag: 'peers', env: 'TIDE_PEERS', fallback: '', help: 'the cluster\'s voters as id=host:port of their peer links, this node included; empty: a single node' },
  peerListen: { flag: 'peer-listen', env: 'TIDE_PEER_LISTEN', fallback: '', help: 'host:port the peer link listens on, when not this node\'s own --peers address' },
  peerHttp: { flag: 'peer-http', env: 'TIDE_PEER_HTTP', fallback: '', help: 'the voters\' HTTP URLs as id=url (https:// for nodes serving HTTPS), where followers forward writes' },
  join: { flag: 'join', env: 'TIDE_JOIN', fallback: 'false', help: 'true: join the running cluster of --peers as a learner, once its leader adds this node; the configuration the cluster keeps then wins over --peers' },
  clusterId: { flag: 'cluster-id', env: 'TIDE_CLUSTER_ID', fallback: 'tidedb', help: 'names the cluster; peers of another cluster are refused' },
  leaseReads: { flag: 'lease-reads', env: 'TIDE_LEASE_READS', fallback: 'false', help: 'true: the leader serves linearizable reads on its lease, with no heartbeat round; assumes clock rates that differ by far less than an election timeout' },
  rootPassword: { flag: 'root-password', env: 'TIDE_ROOT_PASSWORD', fallback: '', help: "root's password, used when the catalog has no root account yet (prefer the environment variable: a flag shows in the process list); empty: loopback clients only, as root" },
  clusterSecret: { flag: 'cluster-secret', env: 'TIDE_CLUSTER_SECRET', fallback: '', help: 'shared by every node, at least 16 characters; peers prove it before anything else' },
  peerTlsCert: { flag: 'peer-tls-cert', env: 'TIDE_PEER_TLS_CERT', fallback: '', help: 'PEM certificate for TLS on peer links (with --peer-tls-key and --peer-tls-ca)' },
  peerTlsKey: { flag: 'peer-tls-key', env: 'TIDE_PEER_TLS_KEY', fallback: '', help: 'PEM key for TLS on peer links' },
  peerTlsCa: { flag: 'peer-tls-ca', env: 'TIDE_PEER_TLS_CA', fallback: '', help: 'PEM CA that signed every peer\'s certificate' },
  raftSegmentBytes: { flag: 'raft-segment-bytes', env: 'TIDE_RAFT_SEGMENT_BYTES', fallback: String(logSegmentBytesMax), help: 'size of a Raft log segment file; compaction drops whole segments' },
  raftKeepEntries: { flag: 'raft-keep-entries', env: 'TIDE_RAFT_KEEP_ENTRIES', fallback: String(logCompactionKeepEntries), help: 'in a cluster, entries kept in the Raft log behind the last LMDB checkpoint; a node further behind gets a snapshot' },
  raftCompactionMs: { flag: 'raft-compaction-interval-ms', env: 'TIDE_RAFT_COMPACTION_INTERVAL_MS', fallback: String(logCompactionIntervalMs), help: 'how often the Raft log is compacted' },
  lmdbCheckpointMs: { flag: 'lmdb-checkpoint-interval-ms', env: 'TIDE_LMDB_CHECKPOINT_INTERVAL_MS', fallback: String(lmdbCheckpointIntervalMs), help: 'how often LMDB is synced; the Raft log is kept back to the last sync, and a restart after a crash replays from it' },
  streamsMax: { flag: 'streams-max', env: 'TIDE_STREAMS_MAX', fallback: String(changeStreamsMaxDefault), help: 'open change streams; one more is answered 503 (below --connections-max)' },
  txMax: { flag: 'tx-max', env: 'TIDE_TX_MAX', fallback: String(txOpenMaxDefault), help: 'interactive transactions open at once on this node; one more is answered 503 TX_LIMIT' },
  txChangesMax: { flag: 'tx-changes-max', env: 'TIDE_TX_CHANGES_MAX', fallback: String(txChangesMaxDefault), help: 'row changes one interactive transaction may buffer; past it the statement fails with TX_TOO_LARGE' },
  txIsolation: { flag: 'transaction-isolation', env: 'TIDE_TRANSACTION_ISOLATION', fallback: 'serializable', help: `${isolations.join(' or ')}: the level of interactive transactions that do not name one (a MySQL session's SET TRANSACTION ISOLATION LEVEL, /v1/tx's "isolation"); repeatable-read validates only the reads of writing statements and locking reads` },
  txIdleMs: { flag: 'tx-idle-timeout-ms', env: 'TIDE_TX_IDLE_TIMEOUT_MS', fallback: String(txIdleMsDefault), help: 'an interactive transaction idle this long is rolled back (its handle then answers TX_NOT_FOUND)' },
} as const satisfies Record<string, Setting>;

export class ConfigError extends Error {}

export function helpText(): string {
  const lines = Object.values(settings).map((setting) => `  --${setting.flag.padEnd(22)} ${setting.env.padEnd(27)} ${setting.help} (default: ${setting.fallback || 'none'})`);
  return ['Usage: tidedb [options]', '', `  ${'flag'.padEnd(24)} ${'environment'.padEnd(27)} meaning`, ...lines, `  ${'--help'.padEnd(24)} ${''.padEnd(27)} print this and exit`, ''].join('\n');
}

// Returns null when --help was asked for.
export function parseConfig(argv: readonly string[], env: NodeJS.ProcessEnv): NodeConfig | null {
  const options = Object.fromEntries(Object.values(settings).map((setting) => [setting.flag, { type: 'string' as const }]));
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { ...options, help: { type: 'boolean' } }, strict: true, allowPositionals: false });
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  if (parsed.values['help'] === true) return null;
  const read = (setting: Setting): string => {
    const flag = (parsed.values as Record<string, string | boolean | undefined>)[setting.flag];
    return typeof flag === 'string' ? flag : env[setting.env] ?? setting.fallback;
  };
  const readInteger = (setting: Setting, min: number, max: number): number => {
    const text = read(setting);
    const value = Number(text);
    if (text.trim() === '' || !Number.isInteger(value) || value < min || value > max) throw new ConfigError(`--${setting.flag} must be an integer in ${min}..${max}, not ${text}`);
    return value;
  };
  const port = Number(read(settings.port));
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new ConfigError(`--port must be 0..65535, not ${read(settings.port)}`);
  const nodeId = Number(read(settings.nodeId));
  if (!Number.isInteger(nodeId) || nodeId < 1) throw new ConfigError(`--node-id must be a positive integer`);
  const database = read(settings.database);
  if (!isIdentifier(database)) throw new ConfigError(`--database must be an identifier`);
  // Every HTTP bound is at least 1: zero means "no bound" to Node, a connection held for ever.
  const requestTimeoutMs = readInteger(settings.requestTimeoutMs, 1, timeoutMsMax);
  const headersTimeoutMs = readInteger(settings.headersTimeoutMs, 1, timeoutMsMax);
  // Node refuses the opposite; the headers are the first part of the request.
  if (headersTimeoutMs > requestTimeoutMs) throw new ConfigError(`--headers-timeout-ms (${headersTimeoutMs}) must not exceed --request-timeout-ms (${requestTimeoutMs})`);
  const keepAliveTimeoutMs = readInteger(settings.keepAliveTimeoutMs, 1, timeoutMsMax);
  const connectionsMax = readInteger(settings.connectionsMax, 1, 1_000_000);
  // Streams hold their connections for long: some must stay for everything else. Unless set,
  // streams get at most half of a lowered connection cap.
  const streamsGiven = (parsed.values as Record<string, unknown>)[settings.streamsMax.flag] !== undefined || env[settings.streamsMax.env] !== undefined;
  const changeStreamsMax = streamsGiven ? readInteger(settings.streamsMax, 0, 1_000_000) : Math.min(changeStreamsMaxDefault, Math.floor(connectionsMax / 2));
  if (changeStreamsMax >= connectionsMax) throw new ConfigError(`--streams-max (${changeStreamsMax}) must be below --connections-max (${connectionsMax})`);
  return {
    dataDir: read(settings.dataDir),
    host: read(settings.host),
    port,
    nodeId,
    database,
    kafkaBrokers: read(settings.kafka).split(',').map((broker) => broker.trim()).filter((broker) => broker !== ''),
    topicPrefix: read(settings.topicPrefix),
    kafkaTopics: readKafkaTopics(read, readInteger),
    logLevel: read(settings.logLevel),
    http: { requestTimeoutMs, headersTimeoutMs, keepAliveTimeoutMs, connectionsMax },
    changeStreamsMax,
    transactions: {
      // Each open transaction holds an LMDB reader slot; half of them stay for everything else.
      openMax: readInteger(settings.txMax, 0, lmdbReadersMax / 2),
      changesMax: readInteger(settings.txChangesMax, 1, changesPerBatchMax),
      idleMs: readInteger(settings.txIdleMs, 1, timeoutMsMax),
      isolation: readIsolation(read(settings.txIsolation)),
    },
    cluster: readCluster(read, nodeId),
    raftLog: {
      segmentBytes: readInteger(settings.raftSegmentBytes, 1024, 2 ** 31 - 1),
      keepEntries: BigInt(readInteger(settings.raftKeepEntries, 0, Number.MAX_SAFE_INTEGER)),
      compactionIntervalMs: readInteger(settings.raftCompactionMs, 10, timeoutMsMax),
    },
    lmdbCheckpointIntervalMs: readInteger(settings.lmdbCheckpointMs, 10, timeoutMsMax),
    changelogRetention: { ageMs: readInteger(settings.retentionMs, 0, Number.MAX_SAFE_INTEGER), bytes: readInteger(settings.retentionBytes, 0, Number.MAX_SAFE_INTEGER) },
    rootPassword: read(settings.rootPassword) === '' ? null : read(settings.rootPassword),
    mysql: read(settings.mysqlPort) === 'off' ? null : { host: read(settings.mysqlHost) || read(settings.host), port: readInteger(settings.mysqlPort, 0, 65_535), connectionsMax: readInteger(settings.mysqlConnectionsMax, 1, 1_000_000) },
    tls: readTls(read),
    ...readSessionProcesses(read(settings.sessionProcesses) === 'auto' ? 'auto' : readInteger(settings.sessionProcesses, 0, 64), read(settings.sessionHttp), read(settings.peers), read(settings.httpTls) === 'true' && read(settings.tlsCert) !== '', read(settings.mysqlPort) === 'off'),
  };
}

// `auto` puts the machine's other cores to work where session processes can serve, and is 0
// where they cannot (or would have no connections to serve); a number asks for them, and is
// refused where they cannot.
function readSessionProcesses(count: number | 'auto', httpText: string, peers: string, https: boolean, mysqlOff: boolean): { sessionProcesses: number; sessionHttp: boolean } {
  const none = { sessionProcesses: 0, sessionHttp: false };
  const http = readSessionHttp(httpText, https);
  if (count === 'auto') return peers !== '' || (mysqlOff && !http) ? none : { sessionProcesses: Math.min(autoSessionProcessesMax, availableParallelism() - 1), sessionHttp: http };
  if (count === 0) return none;
  if (peers !== '') throw new ConfigError('--session-processes is for a single node: a cluster member serves its connections itself (not yet with --peers)');
  if (mysqlOff && !http) throw new ConfigError(`--session-processes would serve nothing: no MySQL port (--mysql-port off) and no HTTP (${https ? 'HTTPS stays with the node' : '--session-http false'})`);
  return { sessionProcesses: count, sessionHttp: http };
}

// With HTTPS on the node its HTTP stays in the main process: session processes are dealt
// connections as they are accepted, which a TLS handshake would tie to one process, and they
// pass requests on to the main process over loopback in plain HTTP. Their MySQL connections
// (TLS or not) are theirs either way, and their writes cross the IPC channel.
function readSessionHttp(text: string, https: boolean): boolean {
  if (text !== 'auto' && text !== 'true' && text !== 'false') throw new ConfigError(`--session-http must be true, false or auto, not ${text}`);
  if (https && text === 'true') throw new ConfigError('--session-http true needs plain HTTP on the node (not with --http-tls true and --tls-cert)');
  if (text === 'auto') return !https && availableParallelism() >= sessionHttpCoresMin;
  return text === 'true';
}

function readIsolation(text: string): Isolation {
  const isolation = isolations.find((level) => level === text);
  if (isolation === undefined) throw new ConfigError(`--transaction-isolation must be one of ${isolations.join(', ')}, not ${text}`);
  return isolation;
}

function readTls(read: (setting: Setting) => string): NodeConfig['tls'] {
  const certFile = read(settings.tlsCert);
  const keyFile = read(settings.tlsKey);
  if ((certFile === '') !== (keyFile === '')) throw new ConfigError('--tls-cert and --tls-key go together');
  const https = read(settings.httpTls);
  if (https !== 'true' && https !== 'false') throw new ConfigError(`--http-tls must be true or false, not ${https}`);
  return certFile === '' ? null : { certFile, keyFile, https: https === 'true' };
}

function readKafkaTopics(read: (setting: Setting) => string, readInteger: (setting: Setting, min: number, max: number) => number): KafkaTopicsConfig {
  const cleanupPolicy = read(settings.kafkaCleanupPolicy);
  if (!isTopicCleanupPolicy(cleanupPolicy)) throw new ConfigError(`--kafka-cleanup-policy must be one of ${topicCleanupPolicies.join(', ')}, not ${cleanupPolicy}`);
  const tombstones = read(settings.kafkaTombstones);
  if (tombstones !== 'true' && tombstones !== 'false') throw new ConfigError(`--kafka-tombstones must be true or false, not ${tombstones}`);
  const transactionMarkers = read(settings.kafkaTransactionMarkers);
  if (transactionMarkers !== 'true' && transactionMarkers !== 'false') throw new ConfigError(`--kafka-transaction-markers must be true or false, not ${transactionMarkers}`);
  const delivery = deliveryModes.find((mode) => mode === read(settings.kafkaDelivery));
  if (delivery === undefined) throw new ConfigError(`--kafka-delivery must be one of ${deliveryModes.join(', ')}, not ${read(settings.kafkaDelivery)}`);
  const snapshot = initialSnapshotModes.find((mode) => mode === read(settings.kafkaSnapshot));
  if (snapshot === undefined) throw new ConfigError(`--kafka-snapshot must be one of ${initialSnapshotModes.join(', ')}, not ${read(settings.kafkaSnapshot)}`);
  const compression = kafkaCompressions.find((codec) => codec === read(settings.kafkaCompression));
  if (compression === undefined) throw new ConfigError(`--kafka-compression must be one of ${kafkaCompressions.join(', ')}, not ${read(settings.kafkaCompression)}`);
  let tables: TableSelection;
  try {
    tables = TableSelection.parse(read(settings.kafkaInclude), read(settings.kafkaExclude));
  } catch (error) {
    throw new ConfigError(`--kafka-include/--kafka-exclude: ${(error as Error).message}`);
  }
  const tls = read(settings.kafkaTls);
  if (tls !== 'true' && tls !== 'false') throw new ConfigError(`--kafka-tls must be true or false, not ${tls}`);
  const caFile = read(settings.kafkaTlsCa);
  if (tls === 'false' && caFile !== '') throw new ConfigError('--kafka-tls-ca needs --kafka-tls true');
  return {
    snapshot,
    tables,
    compression,
    tls: tls === 'true' ? { caFile: caFile === '' ? null : caFile } : null,
    sasl: readKafkaSasl(read),
    delivery,
    backlogMaxEntries: readInteger(settings.kafkaBacklogMaxEntries, 0, Number.MAX_SAFE_INTEGER),
    cleanupPolicy,
    // Kafka's own bounds: partitions of a topic and replicas are int32 and int16.
    partitions: readInteger(settings.kafkaPartitions, 1, 2 ** 31 - 1),
    replicationFactor: readInteger(settings.kafkaReplicationFactor, 1, 2 ** 15 - 1),
    tombstones: tombstones === 'true',
    transactionMarkers: transactionMarkers === 'true',
    resolvedIntervalMs: readInteger(settings.kafkaResolvedIntervalMs, 0, timeoutMsMax),
  };
}

function readKafkaSasl(read: (setting: Setting) => string): KafkaSasl | null {
  const mechanismText = read(settings.kafkaSaslMechanism);
  const username = read(settings.kafkaSaslUsername);
  const password = read(settings.kafkaSaslPassword);
  if (mechanismText === '') {
    if (username !== '' || password !== '') throw new ConfigError('--kafka-sasl-username and --kafka-sasl-password need --kafka-sasl-mechanism');
    return null;
  }
  const mechanism = kafkaSaslMechanisms.find((known) => known === mechanismText);
  if (mechanism === undefined) throw new ConfigError(`--kafka-sasl-mechanism must be one of ${kafkaSaslMechanisms.join(', ')}, not ${mechanismText}`);
  if (username === '' || password === '') throw new ConfigError(`--kafka-sasl-mechanism ${mechanism} needs --kafka-sasl-username and --kafka-sasl-password`);
  return { mechanism, username, password };
}

// `id=value,id=value` with positive integer ids, each once.
function readIdMap(flag: string, text: string): Map<number, string> {
  const map = new Map<number, string>();
  for (const item of text.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
    const at = item.indexOf('=');
    const id = Number(item.slice(0, at));
    const value = item.slice(at + 1).trim();
    if (at <= 0 || !Number.isInteger(id) || id < 1 || value === '') throw new ConfigError(`--${flag} takes id=value items separated by commas, not '${item}'`);
    if (map.has(id)) throw new ConfigError(`--${flag} names node ${id} twice`);
    map.set(id, value);
  }
  return map;
}

// Followers forward to these URLs with node:http or node:https (write/peer-http-client.ts).
function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function readCluster(read: (setting: Setting) => string, nodeId: number): ClusterConfig | null {
  const peers = readIdMap(settings.peers.flag, read(settings.peers));
  if (peers.size === 0) return null;
  if (!peers.has(nodeId)) throw new ConfigError(`--peers must include this node (--node-id ${nodeId})`);
  const hostPort = /^[^:\s]+:\d{1,5}$/;
  for (const [id, address] of peers) {
    if (!hostPort.test(address)) throw new ConfigError(`--peers: node ${id}'s address '${address}' is not host:port`);
  }
  const listen = read(settings.peerListen) || peers.get(nodeId)!;
  if (!hostPort.test(listen)) throw new ConfigError(`--peer-listen '${listen}' is not host:port`);
  const httpUrls = readIdMap(settings.peerHttp.flag, read(settings.peerHttp));
  for (const [id, url] of httpUrls) {
    if (!peers.has(id)) throw new ConfigError(`--peer-http names node ${id}, which --peers does not`);
    if (!isHttpUrl(url)) throw new ConfigError(`--peer-http: node ${id}'s URL '${url}' is not an http:// or https:// URL`);
  }
  const secret = read(settings.clusterSecret);
  if (secret.length < 16) throw new ConfigError('a cluster needs --cluster-secret (TIDE_CLUSTER_SECRET) of at least 16 characters');
  const [certFile, keyFile, caFile] = [read(settings.peerTlsCert), read(settings.peerTlsKey), read(settings.peerTlsCa)];
  const tlsGiven = [certFile, keyFile, caFile].filter((file) => file !== '').length;
  if (tlsGiven !== 0 && tlsGiven !== 3) throw new ConfigError('TLS on peer links needs all of --peer-tls-cert, --peer-tls-key and --peer-tls-ca');
  const join = read(settings.join);
  if (join !== 'true' && join !== 'false') throw new ConfigError(`--join must be true or false, not ${join}`);
  const leaseReads = read(settings.leaseReads);
  if (leaseReads !== 'true' && leaseReads !== 'false') throw new ConfigError(`--lease-reads must be true or false, not ${leaseReads}`);
  const httpCaFile = read(settings.tlsCa) === '' ? null : read(settings.tlsCa);
  return { peers, listen, httpUrls, httpCaFile, clusterId: read(settings.clusterId), secret, tls: tlsGiven === 3 ? { certFile, keyFile, caFile } : null, join: join === 'true', leaseReads: leaseReads === 'true' };
}
