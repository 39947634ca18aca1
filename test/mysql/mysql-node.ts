// A node in the test's process (real LMDB files and Raft log, test/http/in-process-node.ts)
// with the MySQL protocol server listening on a port of the test's own, for real clients:
// mysql2, PyMySQL, the mariadb command-line client, Kysely. Accounts are the node's own
// (loopback root) unless a test brings an AccountSource of its own.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccountSource } from '../../services/mysql/accounts.js';
import { MysqlServer } from '../../services/mysql/server.js';
import type { MysqlServerOptions } from '../../services/mysql/server.js';
import { StatementRunner } from '../../services/mysql/statement-runner.js';
import { AccountDirectory } from '../../services/users/account-directory.js';
import { startInProcessNode } from '../http/in-process-node.js';
import type { InProcessNode, InProcessNodeOptions } from '../http/in-process-node.js';

export interface MysqlNode {
  readonly node: InProcessNode;
  readonly server: MysqlServer;
  readonly port: number;
  readonly errors: unknown[];
  close(): Promise<void>;
}

export interface MysqlNodeOptions {
  readonly port: number;
  readonly accounts?: AccountSource;
  readonly tls?: MysqlServerOptions['tls'];
  readonly connectionsMax?: number;
  readonly handshakeTimeoutMs?: number;
  readonly packetBytesMax?: number;
  // Interactive transactions' bounds (write/transactions.ts), as the in-process node takes them.
  readonly transactions?: InProcessNodeOptions['transactions'];
}

export async function startMysqlNode(options: MysqlNodeOptions): Promise<MysqlNode> {
  const node = await startInProcessNode(options.transactions === undefined ? {} : { transactions: options.transactions });
  // The catalog's accounts, as main.ts wires them: with none and no root password given,
  // loopback clients are root.
  const directory = new AccountDirectory(node.store, { rootPasswordGiven: false, log: { warn: () => undefined } });
  const errors: unknown[] = [];
  const server = new MysqlServer({
    runner: new StatementRunner(node.sequencer, undefined),
    transactions: node.transactions,
    defaultDatabase: 'app',
    accounts: options.accounts ?? directory,
    admitsHost: () => true,
    tls: options.tls ?? null,
    connectionsMax: options.connectionsMax ?? 100,
    log: { warn: () => {}, error: (fields) => errors.push(fields) },
    ...(options.handshakeTimeoutMs === undefined ? {} : { handshakeTimeoutMs: options.handshakeTimeoutMs }),
    ...(options.packetBytesMax === undefined ? {} : { packetBytesMax: options.packetBytesMax }),
  });
  await server.listen(options.port, '127.0.0.1');
  return {
    node,
    server,
    port: options.port,
    errors,
    async close() {
      await server.close();
      await node.close();
    },
  };
}

// A self-signed certificate for 127.0.0.1, made by openssl for this test run.
export function selfSignedCertificate(): { readonly cert: Buffer; readonly key: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'tidedb-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
    return { cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
