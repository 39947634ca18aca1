// The node's settings: defaults that make `npm start` a working single-node database, each
// overridable by a flag or an environment variable (the flag wins).
import { parseArgs } from 'node:util';
import { isIdentifier } from './base/identifiers.js';

export interface NodeConfig {
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  readonly nodeId: number;
  readonly database: string;
  readonly kafkaBrokers: readonly string[];
  readonly topicPrefix: string;
  readonly logLevel: string;
}

interface Setting {
  readonly flag: string;
  readonly env: string;
  readonly fallback: string;
  readonly help: string;
}

const settings = {
  dataDir: { flag: 'data-dir', env: 'TIDE_DATA_DIR', fallback: './data', help: 'directory for the Raft log and LMDB files' },
  host: { flag: 'host', env: 'TIDE_HOST', fallback: '127.0.0.1', help: 'address the HTTP API listens on' },
  port: { flag: 'port', env: 'TIDE_PORT', fallback: '4001', help: 'port of the HTTP API' },
  nodeId: { flag: 'node-id', env: 'TIDE_NODE_ID', fallback: '1', help: 'this node\'s Raft id' },
  database: { flag: 'database', env: 'TIDE_DATABASE', fallback: 'app', help: 'database of unqualified table names' },
  kafka: { flag: 'kafka', env: 'KAFKA_BROKERS', fallback: '', help: 'Kafka bootstrap brokers, comma-separated; empty: no publishing' },
  topicPrefix: { flag: 'topic-prefix', env: 'TIDE_TOPIC_PREFIX', fallback: 'tide', help: 'topics are <prefix>.<database>.<table>' },
  logLevel: { flag: 'log-level', env: 'TIDE_LOG_LEVEL', fallback: 'info', help: 'fatal, error, warn, info, debug or trace' },
} as const satisfies Record<string, Setting>;

export class ConfigError extends Error {}

export function helpText(): string {
  const lines = Object.values(settings).map((setting) => `  --${setting.flag.padEnd(14)} ${setting.env.padEnd(18)} ${setting.help} (default: ${setting.fallback || 'none'})`);
  return ['Usage: tidedb [options]', '', '  flag            environment        meaning', ...lines, '  --help                             print this and exit', ''].join('\n');
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
  const port = Number(read(settings.port));
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new ConfigError(`--port must be 0..65535, not ${read(settings.port)}`);
  const nodeId = Number(read(settings.nodeId));
  if (!Number.isInteger(nodeId) || nodeId < 1) throw new ConfigError(`--node-id must be a positive integer`);
  const database = read(settings.database);
  if (!isIdentifier(database)) throw new ConfigError(`--database must be an identifier`);
  return {
    dataDir: read(settings.dataDir),
    host: read(settings.host),
    port,
    nodeId,
    database,
    kafkaBrokers: read(settings.kafka).split(',').map((broker) => broker.trim()).filter((broker) => broker !== ''),
    topicPrefix: read(settings.topicPrefix),
    logLevel: read(settings.logLevel),
  };
}
