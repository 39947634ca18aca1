// The node's settings: defaults make a working single node, and a flag or an environment
// variable overrides each one (the flag winning); bad values are refused with a clear message.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { TableSelection } from '../services/cdc/table-selection.js';
import { ConfigError, helpText, parseConfig } from '../services/config.js';

describe('node configuration', () => {
  it('defaults to a single node with data in ./data and HTTP on 127.0.0.1:4001', () => {
    expect(parseConfig([], {})).toEqual({
      dataDir: './data',
      host: '127.0.0.1',
      port: 4001,
      nodeId: 1,
      database: 'app',
      kafkaBrokers: [],
      topicPrefix: 'tide',
      kafkaTopics: { delivery: 'exactly-once', backlogMaxEntries: 0, cleanupPolicy: 'compact', partitions: 1, replicationFactor: 1, tombstones: true, transactionMarkers: true, resolvedIntervalMs: 1_000, snapshot: 'auto', tables: TableSelection.all, compression: 'none', tls: null, sasl: null },
      logLevel: 'info',
      http: { requestTimeoutMs: 10_000, headersTimeoutMs: 5_000, keepAliveTimeoutMs: 5_000, connectionsMax: 2_048 },
      changeStreamsMax: 1_000,
      transactions: { openMax: 256, changesMax: 100_000, idleMs: 30_000, isolation: 'serializable' },
      changelogRetention: { ageMs: 604_800_000, bytes: 1_073_741_824 },
      cluster: null,
      raftLog: { segmentBytes: 64 * 1024 * 1024, keepEntries: 10_000n, compactionIntervalMs: 10_000 },
      lmdbCheckpointIntervalMs: 1_000,
      rootPassword: null,
      mysql: { host: '127.0.0.1', port: 4000, connectionsMax: 1_024 },
      tls: null,
      // auto: one per core beyond the first on a single node with MySQL and plain HTTP.
      sessionProcesses: Math.min(8, availableParallelism() - 1),
      sessionHttp: availableParallelism() >= 4,
    });
  });

  it('takes every setting from the environment, and a flag over the environment', () => {
    const env = {
      TIDE_DATA_DIR: '/var/tide', TIDE_HOST: '0.0.0.0', TIDE_PORT: '5000', TIDE_NODE_ID: '3', TIDE_DATABASE: 'shop', KAFKA_BROKERS: 'a:9092, b:9092', TIDE_TOPIC_PREFIX: 'cdc', TIDE_LOG_LEVEL: 'warn',
      TIDE_KAFKA_DELIVERY: 'at-least-once', TIDE_KAFKA_BACKLOG_MAX_ENTRIES: '500', TIDE_KAFKA_CLEANUP_POLICY: 'delete', TIDE_KAFKA_PARTITIONS: '6', TIDE_KAFKA_REPLICATION_FACTOR: '3', TIDE_KAFKA_TOMBSTONES: 'false', TIDE_KAFKA_TRANSACTION_MARKERS: 'false', TIDE_KAFKA_RESOLVED_INTERVAL_MS: '0',
      TIDE_KAFKA_SNAPSHOT: 'never', TIDE_KAFKA_INCLUDE: 'app.*', TIDE_KAFKA_EXCLUDE: '*.audit', TIDE_KAFKA_COMPRESSION: 'gzip', TIDE_KAFKA_TLS: 'true', TIDE_KAFKA_SASL_MECHANISM: 'scram-sha-512', TIDE_KAFKA_SASL_USERNAME: 'tide', TIDE_KAFKA_SASL_PASSWORD: 'pw',
      TIDE_REQUEST_TIMEOUT_MS: '20000', TIDE_HEADERS_TIMEOUT_MS: '8000', TIDE_KEEP_ALIVE_TIMEOUT_MS: '65000', TIDE_CONNECTIONS_MAX: '4096', TIDE_STREAMS_MAX: '3000',
      TIDE_TX_MAX: '50', TIDE_TX_CHANGES_MAX: '1000', TIDE_TX_IDLE_TIMEOUT_MS: '5000',
      TIDE_RAFT_SEGMENT_BYTES: '8192', TIDE_RAFT_KEEP_ENTRIES: '50', TIDE_RAFT_COMPACTION_INTERVAL_MS: '500', TIDE_LMDB_CHECKPOINT_INTERVAL_MS: '2000', TIDE_ROOT_PASSWORD: 'env-root-pw',
      TIDE_MYSQL_PORT: '3307', TIDE_MYSQL_CONNECTIONS_MAX: '10', TIDE_TLS_CERT: '/etc/tide/cert.pem', TIDE_TLS_KEY: '/etc/tide/key.pem',
      TIDE_TRANSACTION_ISOLATION: 'repeatable-read',
    };
    expect(parseConfig([], env)).toEqual({
      dataDir: '/var/tide', host: '0.0.0.0', port: 5000, nodeId: 3, database: 'shop', kafkaBrokers: ['a:9092', 'b:9092'], topicPrefix: 'cdc', logLevel: 'warn',
      kafkaTopics: { delivery: 'at-least-once', backlogMaxEntries: 500, cleanupPolicy: 'delete', partitions: 6, replicationFactor: 3, tombstones: false, transactionMarkers: false, resolvedIntervalMs: 0, snapshot: 'never', tables: TableSelection.parse('app.*', '*.audit'), compression: 'gzip', tls: { caFile: null }, sasl: { mechanism: 'scram-sha-512', username: 'tide', password: 'pw' } },
      http: { requestTimeoutMs: 20_000, headersTimeoutMs: 8_000, keepAliveTimeoutMs: 65_000, connectionsMax: 4_096 },
      changeStreamsMax: 3_000,
      transactions: { openMax: 50, changesMax: 1_000, idleMs: 5_000, isolation: 'repeatable-read' },
      changelogRetention: { ageMs: 604_800_000, bytes: 1_073_741_824 },
      cluster: null,
      raftLog: { segmentBytes: 8192, keepEntries: 50n, compactionIntervalMs: 500 },
      lmdbCheckpointIntervalMs: 2_000,
      rootPassword: 'env-root-pw',
      mysql: { host: '0.0.0.0', port: 3307, connectionsMax: 10 },
      tls: { certFile: '/etc/tide/cert.pem', keyFile: '/etc/tide/key.pem', https: true },
      // HTTPS on the node: session processes serve MySQL only.
      sessionProcesses: Math.min(8, availableParallelism() - 1),
      sessionHttp: false,
    });
    const flags = [
      '--data-dir', '/d', '--host', '::1', '--port', '6000', '--node-id', '2', '--database', 'crm', '--kafka', 'k:1', '--topic-prefix', 'x', '--log-level', 'debug',
      '--request-timeout-ms', '3000', '--headers-timeout-ms', '1000', '--keep-alive-timeout-ms', '2000', '--connections-max', '64', '--streams-max', '10',
      '--tx-max', '7', '--tx-idle-timeout-ms', '250', '--transaction-isolation', 'serializable',
      '--changelog-retention-ms', '60000', '--changelog-retention-bytes', '1000000',
      '--raft-segment-bytes', '2048', '--raft-keep-entries', '0', '--raft-compaction-interval-ms', '50', '--lmdb-checkpoint-interval-ms', '300', '--root-password', 'flag-root-pw',
      '--kafka-delivery', 'exactly-once', '--kafka-backlog-max-entries', '7', '--kafka-cleanup-policy', 'compact,delete', '--kafka-partitions', '4', '--kafka-replication-factor', '2', '--kafka-tombstones', 'true', '--kafka-transaction-markers', 'true', '--kafka-resolved-interval-ms', '250',
      '--kafka-snapshot', 'always', '--kafka-include', 'crm.*,app.users', '--kafka-exclude', '', '--kafka-compression', 'none', '--kafka-tls', 'true', '--kafka-tls-ca', '/etc/ca.pem', '--kafka-sasl-mechanism', 'plain', '--kafka-sasl-username', 'u',
      '--mysql-host', '127.0.0.2', '--mysql-port', 'off',
    ];
    expect(parseConfig(flags, env)).toEqual({
      dataDir: '/d', host: '::1', port: 6000, nodeId: 2, database: 'crm', kafkaBrokers: ['k:1'], topicPrefix: 'x', logLevel: 'debug',
      kafkaTopics: { delivery: 'exactly-once', backlogMaxEntries: 7, cleanupPolicy: 'compact,delete', partitions: 4, replicationFactor: 2, tombstones: true, transactionMarkers: true, resolvedIntervalMs: 250, snapshot: 'always', tables: TableSelection.parse('crm.*,app.users', ''), compression: 'none', tls: { caFile: '/etc/ca.pem' }, sasl: { mechanism: 'plain', username: 'u', password: 'pw' } },
      http: { requestTimeoutMs: 3_000, headersTimeoutMs: 1_000, keepAliveTimeoutMs: 2_000, connectionsMax: 64 },
      changeStreamsMax: 10,
      transactions: { openMax: 7, changesMax: 1_000, idleMs: 250, isolation: 'serializable' },
      changelogRetention: { ageMs: 60_000, bytes: 1_000_000 },
      cluster: null,
      raftLog: { segmentBytes: 2048, keepEntries: 0n, compactionIntervalMs: 50 },
      lmdbCheckpointIntervalMs: 300,
      rootPassword: 'flag-root-pw',
      mysql: null,
      tls: { certFile: '/etc/tide/cert.pem', keyFile: '/etc/tide/key.pem', https: true },
      sessionProcesses: 0,
      sessionHttp: false,
    });
  });

  it('puts the MySQL port on its own host when given, and refuses a bad port or half of the TLS pair', () => {
    expect(parseConfig(['--mysql-host', '10.0.0.5', '--mysql-port', '0'], {})?.mysql).toEqual({ host: '10.0.0.5', port: 0, connectionsMax: 1_024 });
    expect(() => parseConfig(['--mysql-port', '70000'], {})).toThrow(ConfigError);
    expect(() => parseConfig(['--mysql-port', 'on'], {})).toThrow(/--mysql-port must be an integer/);
    expect(() => parseConfig(['--mysql-connections-max', '0'], {})).toThrow(ConfigError);
    expect(() => parseConfig(['--tls-cert', '/c.pem'], {})).toThrow(/--tls-cert and --tls-key go together/);
  });

  it('starts session processes on a single node with plain HTTP, for MySQL and (from 4 cores, or when told) HTTP, and refuses them elsewhere', () => {
    expect(parseConfig(['--session-processes', '2'], {})?.sessionProcesses).toBe(2);
    expect(parseConfig([], { TIDE_SESSION_PROCESSES: '1' })?.sessionProcesses).toBe(1);
    expect(() => parseConfig(['--session-processes', '65'], {})).toThrow(/--session-processes must be an integer in 0..64/);
    expect(() => parseConfig(['--session-processes', '1', '--peers', '1=127.0.0.1:4201,2=127.0.0.1:4202,3=127.0.0.1:4203', '--cluster-secret', 'a-secret-of-some-length'], {})).toThrow(/--session-processes is for a single node/);
    // With HTTPS on the node, session processes serve MySQL connections only.
    expect(parseConfig(['--session-processes', '1', '--tls-cert', '/c.pem', '--tls-key', '/k.pem'], {})).toMatchObject({ sessionProcesses: 1, sessionHttp: false });
    expect(() => parseConfig(['--session-processes', '1', '--tls-cert', '/c.pem', '--tls-key', '/k.pem', '--session-http', 'true'], {})).toThrow(/--session-http true needs plain HTTP/);
    expect(() => parseConfig(['--session-processes', '1', '--tls-cert', '/c.pem', '--tls-key', '/k.pem', '--mysql-port', 'off'], {})).toThrow(/would serve nothing.*HTTPS stays with the node/);
    expect(parseConfig(['--session-processes', '1', '--tls-cert', '/c.pem', '--tls-key', '/k.pem', '--http-tls', 'false'], {})?.sessionProcesses).toBe(1);
    // They serve HTTP connections too: a node without a MySQL port has them.
    // HTTP too: from 4 cores unless told; a node without a MySQL port has them only for HTTP.
    expect(parseConfig(['--session-processes', '1'], {})?.sessionHttp).toBe(availableParallelism() >= 4);
    expect(parseConfig(['--session-processes', '1', '--session-http', 'true'], {})?.sessionHttp).toBe(true);
    expect(parseConfig(['--session-processes', '1', '--session-http', 'false'], {})?.sessionHttp).toBe(false);
    expect(() => parseConfig(['--session-http', 'yes'], {})).toThrow(/--session-http must be true, false or auto/);
    expect(parseConfig(['--session-processes', '1', '--mysql-port', 'off', '--session-http', 'true'], {})?.sessionProcesses).toBe(1);
    expect(() => parseConfig(['--session-processes', '1', '--mysql-port', 'off', '--session-http', 'false'], {})).toThrow(/would serve nothing/);
    expect(parseConfig(['--session-processes', 'auto', '--mysql-port', 'off', '--session-http', 'false'], {})?.sessionProcesses).toBe(0);
    expect(parseConfig(['--session-processes', 'auto', '--mysql-port', 'off', '--session-http', 'true'], {})?.sessionProcesses).toBe(Math.min(8, availableParallelism() - 1));
    // auto, the default, is none wherever they cannot serve.
    expect(parseConfig(['--peers', '1=127.0.0.1:4201,2=127.0.0.1:4202,3=127.0.0.1:4203', '--cluster-secret', 'a-secret-of-some-length'], {})?.sessionProcesses).toBe(0);
    expect(parseConfig(['--tls-cert', '/c.pem', '--tls-key', '/k.pem'], {})).toMatchObject({ sessionProcesses: Math.min(8, availableParallelism() - 1), sessionHttp: false });
    expect(parseConfig(['--tls-cert', '/c.pem', '--tls-key', '/k.pem', '--mysql-port', 'off'], {})?.sessionProcesses).toBe(0);
  });

  it('takes the default isolation of transactions as one of the two levels, serializable unless set', () => {
    expect(parseConfig([], {})?.transactions.isolation).toBe('serializable');
    expect(() => parseConfig(['--transaction-isolation', 'read-committed'], {})).toThrow(/--transaction-isolation must be one of serializable, repeatable-read/);
  });

  it('serves HTTPS with the TLS pair unless --http-tls false keeps HTTP plain (TLS for MySQL only)', () => {
    const pair = ['--tls-cert', '/c.pem', '--tls-key', '/k.pem'];
    expect(parseConfig([...pair, '--http-tls', 'false'], {})?.tls).toEqual({ certFile: '/c.pem', keyFile: '/k.pem', https: false });
    expect(parseConfig(pair, { TIDE_HTTP_TLS: 'false' })?.tls?.https).toBe(false);
    expect(() => parseConfig([...pair, '--http-tls', 'off'], {})).toThrow(/--http-tls must be true or false/);
  });

  it('answers --help with null and lists every flag with its variable', () => {
    expect(parseConfig(['--help'], {})).toBeNull();
    const names = ['--data-dir', 'TIDE_DATA_DIR', '--port', 'TIDE_PORT', '--kafka', 'KAFKA_BROKERS', '--request-timeout-ms', 'TIDE_REQUEST_TIMEOUT_MS', '--headers-timeout-ms', 'TIDE_HEADERS_TIMEOUT_MS', '--keep-alive-timeout-ms', 'TIDE_KEEP_ALIVE_TIMEOUT_MS', '--connections-max', 'TIDE_CONNECTIONS_MAX'];
    for (const name of names) expect(helpText()).toContain(name);
    expect(helpText()).toContain('(default: 10000)');
  });

  it('keeps change streams below the connection cap: half of a lowered cap unless set', () => {
    expect(parseConfig(['--connections-max', '64'], {})?.changeStreamsMax).toBe(32);
    expect(() => parseConfig(['--connections-max', '64', '--streams-max', '64'], {})).toThrow(/--streams-max \(64\) must be below --connections-max \(64\)/);
  });

  it('reads a cluster: its voters, their HTTP URLs, the secret and TLS files', () => {
    const argv = ['--node-id', '2', '--peers', '1=127.0.0.1:4201, 2=127.0.0.1:4202,3=127.0.0.1:4203', '--peer-http', '1=http://127.0.0.1:4001', '--cluster-secret', 's'.repeat(16)];
    expect(parseConfig(argv, {})?.cluster).toEqual({
      peers: new Map([[1, '127.0.0.1:4201'], [2, '127.0.0.1:4202'], [3, '127.0.0.1:4203']]),
      listen: '127.0.0.1:4202',
      httpUrls: new Map([[1, 'http://127.0.0.1:4001']]),
      httpCaFile: null,
      clusterId: 'tidedb',
      secret: 'ssssssssssssssss',
      tls: null,
      join: false,
      leaseReads: false,
    });
    expect(parseConfig([...argv, '--join', 'true'], {})?.cluster?.join).toBe(true);
    expect(parseConfig([...argv, '--lease-reads', 'true'], {})?.cluster?.leaseReads).toBe(true);
    expect(parseConfig([...argv, '--peer-listen', '0.0.0.0:4202'], {})?.cluster?.listen).toBe('0.0.0.0:4202');
    expect(parseConfig([...argv, '--tls-ca', '/etc/tide/ca.pem'], {})?.cluster?.httpCaFile).toBe('/etc/tide/ca.pem');
    expect(parseConfig([...argv, '--peer-tls-cert', 'c', '--peer-tls-key', 'k', '--peer-tls-ca', 'a'], {})?.cluster?.tls).toEqual({ certFile: 'c', keyFile: 'k', caFile: 'a' });
  });

  it.each([
    [['--peers', '2=127.0.0.1:4202'], /must include this node/],
    [['--peers', '1=127.0.0.1:4201'], /--cluster-secret/],
    [['--peers', '1=127.0.0.1:4201,1=127.0.0.1:4202', '--cluster-secret', 's'.repeat(16)], /names node 1 twice/],
    [['--peers', '1=nowhere', '--cluster-secret', 's'.repeat(16)], /not host:port/],
    [['--peers', 'x=127.0.0.1:1', '--cluster-secret', 's'.repeat(16)], /id=value/],
    [['--peers', '1=127.0.0.1:4201', '--peer-http', '5=http://x', '--cluster-secret', 's'.repeat(16)], /--peer-http names node 5/],
    [['--peers', '1=127.0.0.1:4201', '--peer-http', '1=htps://127.0.0.1:4001', '--cluster-secret', 's'.repeat(16)], /is not an http:\/\/ or https:\/\/ URL/],
    [['--peers', '1=127.0.0.1:4201', '--cluster-secret', 's'.repeat(16), '--peer-tls-cert', 'c'], /needs all of/],
    [['--peers', '1=127.0.0.1:4201', '--cluster-secret', 's'.repeat(16), '--join', 'yes'], /--join must be true or false/],
    [['--peers', '1=127.0.0.1:4201', '--cluster-secret', 's'.repeat(16), '--lease-reads', '1'], /--lease-reads must be true or false/],
  ])('refuses the cluster settings %j', (argv, message) => {
    expect(() => parseConfig(argv, {})).toThrow(message);
  });

  it('takes a headers timeout equal to the request timeout', () => {
    expect(parseConfig(['--request-timeout-ms', '5000', '--headers-timeout-ms', '5000'], {})?.http).toMatchObject({ requestTimeoutMs: 5_000, headersTimeoutMs: 5_000 });
  });

  it.each([
    [['--port', '70000']],
    [['--port', 'x']],
    [['--node-id', '0']],
    [['--database', 'bad-name']],
    [['--request-timeout-ms', '0']],
    [['--request-timeout-ms', '1.5']],
    [['--request-timeout-ms', '']],
    [['--request-timeout-ms', '2147483648']],
    [['--headers-timeout-ms', '-1']],
    [['--headers-timeout-ms', '6000', '--request-timeout-ms', '5000']],
    [['--keep-alive-timeout-ms', '0']],
    [['--connections-max', '0']],
    [['--connections-max', 'lots']],
    [['--kafka-cleanup-policy', 'compacted']],
    [['--kafka-partitions', '0']],
    [['--kafka-replication-factor', '32768']],
    [['--kafka-tombstones', 'yes']],
    [['--kafka-transaction-markers', 'no']],
    [['--kafka-delivery', 'at-most-once']],
    [['--kafka-backlog-max-entries', '-1']],
    [['--kafka-include', 'users']],
    [['--kafka-exclude', 'app.users.x']],
    [['--kafka-compression', 'brotli']],
    [['--kafka-snapshot', 'initial']],
    [['--kafka-tls', 'yes']],
    [['--kafka-tls-ca', '/etc/ca.pem']],
    [['--kafka-sasl-mechanism', 'gssapi', '--kafka-sasl-username', 'u', '--kafka-sasl-password', 'p']],
    [['--kafka-sasl-mechanism', 'plain', '--kafka-sasl-username', 'u']],
    [['--kafka-sasl-username', 'u', '--kafka-sasl-password', 'p']],
    [['--kafka-resolved-interval-ms', '-1']],
    [['--no-such-flag']],
    [['positional']],
  ])('refuses %j', (argv) => {
    expect(() => parseConfig(argv, {})).toThrow(ConfigError);
  });

  it('refuses a bad bound from the environment as from a flag', () => {
    expect(() => parseConfig([], { TIDE_CONNECTIONS_MAX: '0' })).toThrow(/--connections-max must be an integer in 1\.\.1000000, not 0/);
    expect(() => parseConfig([], { TIDE_HEADERS_TIMEOUT_MS: '20000' })).toThrow(/--headers-timeout-ms \(20000\) must not exceed --request-timeout-ms \(10000\)/);
  });
});
