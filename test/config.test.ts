// The node's settings: defaults make a working single node, and a flag or an environment
// variable overrides each one (the flag winning); bad values are refused with a clear message.
import { describe, expect, it } from 'vitest';
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
      logLevel: 'info',
    });
  });

  it('takes every setting from the environment, and a flag over the environment', () => {
    const env = { TIDE_DATA_DIR: '/var/tide', TIDE_HOST: '0.0.0.0', TIDE_PORT: '5000', TIDE_NODE_ID: '3', TIDE_DATABASE: 'shop', KAFKA_BROKERS: 'a:9092, b:9092', TIDE_TOPIC_PREFIX: 'cdc', TIDE_LOG_LEVEL: 'warn' };
    expect(parseConfig([], env)).toEqual({ dataDir: '/var/tide', host: '0.0.0.0', port: 5000, nodeId: 3, database: 'shop', kafkaBrokers: ['a:9092', 'b:9092'], topicPrefix: 'cdc', logLevel: 'warn' });
    const flags = ['--data-dir', '/d', '--host', '::1', '--port', '6000', '--node-id', '2', '--database', 'crm', '--kafka', 'k:1', '--topic-prefix', 'x', '--log-level', 'debug'];
    expect(parseConfig(flags, env)).toEqual({ dataDir: '/d', host: '::1', port: 6000, nodeId: 2, database: 'crm', kafkaBrokers: ['k:1'], topicPrefix: 'x', logLevel: 'debug' });
  });

  it('answers --help with null and lists every flag with its variable', () => {
    expect(parseConfig(['--help'], {})).toBeNull();
    for (const name of ['--data-dir', 'TIDE_DATA_DIR', '--port', 'TIDE_PORT', '--kafka', 'KAFKA_BROKERS']) expect(helpText()).toContain(name);
  });

  it.each([
    [['--port', '70000']],
    [['--port', 'x']],
    [['--node-id', '0']],
    [['--database', 'bad-name']],
    [['--no-such-flag']],
    [['positional']],
  ])('refuses %j', (argv) => {
    expect(() => parseConfig(argv, {})).toThrow(ConfigError);
  });
});
