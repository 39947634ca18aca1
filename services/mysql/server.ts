// The MySQL protocol server of a node: listens beside HTTP, bounds its open connections (1040
// beyond them, answered in place of the greeting, as MySQL does), refuses hosts no account may
// connect from (1130) before the handshake, and hands each connection to MysqlConnection.
// Holds what connections share: the TLS context, caching_sha2_password's RSA key pair and its
// cache of fully authenticated accounts.
import { generateKeyPair } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { createSecureContext } from 'node:tls';
import { promisify } from 'node:util';
import { mysqlHandshakeTimeoutMs, mysqlPacketBytesMax, mysqlPreparedStatementsMax } from '../base/limits.js';
import type { AccountSource } from './accounts.js';
import { MysqlConnection } from './connection.js';
import type { ConnectionContext, ConnectionLog } from './connection.js';
import type { TransactionEngine } from './session-transactions.js';
import { NamedLocks } from './named-locks.js';
import type { UserLocks } from './named-locks.js';
import type { Sha2State } from './authentication.js';
import { errorPacket } from './packets.js';
import { framePayload } from './packet-stream.js';
import type { StatementRunner } from './statement-runner.js';

export interface MysqlServerOptions {
  readonly runner: StatementRunner;
  // Interactive transactions (write/transactions.ts).
  readonly transactions: TransactionEngine;
  readonly defaultDatabase: string;
  readonly accounts: AccountSource;
  // Whether any account may connect from this address; false: 1130 before the handshake.
  readonly admitsHost: (remoteAddress: string) => boolean;
  // PEM certificate chain and key: the SSLRequest upgrade is offered only with them.
  readonly tls: { readonly cert: Buffer; readonly key: Buffer } | null;
  readonly connectionsMax: number;
  readonly log: ConnectionLog;
  // Tests shorten these; nodes use base/limits.ts.
  readonly handshakeTimeoutMs?: number;
  readonly packetBytesMax?: number;
  // Other processes that serve some of the connections (session-processes/session-pool.ts):
  // an accepted connection, admitted and numbered here, may be handed to one of them.
  readonly elsewhere?: ConnectionHandOff;
  // The node's named locks, when they are kept in another process (a session process's).
  readonly namedLocks?: UserLocks;
  // caching_sha2_password's RSA key pair, when the node's processes share one (a client may
  // pin the server's public key); else made here (serverKeyPair).
  readonly rsaKeys?: Sha2State['keys'];
}

// A fresh key per start: a client that pinned the old one asks again (request public key).
// Made on the thread pool: a 2048-bit RSA key is up to a second of CPU, which on the loop would
// hold a starting node's Raft heartbeats and requests.
export function serverKeyPair(): Sha2State['keys'] {
  const keys = generateRsaKeyPair('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } }).then(({ publicKey, privateKey }) => ({ publicKeyPem: publicKey, privateKeyPem: privateKey }));
  // Awaited only by a login that needs it; a failure (none is expected) fails that login.
  keys.catch(() => undefined);
  return keys;
}

export interface ConnectionHandOff {
  // Connections open in the other processes: they count against connectionsMax here.
  openCount(): number;
  // True once the socket went to another process, which now owns it.
  take(socket: Socket, connectionId: number): boolean;
}

const generateRsaKeyPair = promisify(generateKeyPair);

export class MysqlServer {
  private readonly server: Server;
  private readonly connections = new Set<MysqlConnection>();
  private readonly context: ConnectionContext;
  private nextConnectionId = 1;

  constructor(private readonly options: MysqlServerOptions) {
    // Made while the port opens.
    const keys = options.rsaKeys ?? serverKeyPair();
    this.context = {
      runner: options.runner,
      transactions: options.transactions,
      defaultDatabase: options.defaultDatabase,
      accounts: options.accounts,
      tls: options.tls === null ? null : createSecureContext({ cert: options.tls.cert, key: options.tls.key }),
      sha2: { keys, cache: new Set() },
      packetBytesMax: options.packetBytesMax ?? mysqlPacketBytesMax,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? mysqlHandshakeTimeoutMs,
      preparedStatementsMax: mysqlPreparedStatementsMax,
      namedLocks: options.namedLocks ?? new NamedLocks(),
      log: options.log,
    };
    // A socket handed to another process must not have been read from here.
    this.server = createServer({ pauseOnConnect: options.elsewhere !== undefined }, (socket) => this.accept(socket));
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  get openConnections(): number {
    return this.connections.size;
  }

  // Stops accepting, ends every open connection (a client mid-statement gets its answer first
  // only if it arrives before the socket ends) and resolves once the listener is closed.
  close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const connection of this.connections) connection.end();
    return closed;
  }

  // Serves a connection accepted elsewhere (by the node's main process, for a session
  // process), admitted and numbered there.
  adopt(socket: Socket, connectionId: number): void {
    socket.on('error', () => socket.destroy());
    this.serve(socket, connectionId);
  }

  private serve(socket: Socket, connectionId: number): void {
    const connection: MysqlConnection = new MysqlConnection(socket, connectionId, this.context, () => this.connections.delete(connection));
    this.connections.add(connection);
    socket.resume();
  }

  private accept(socket: Socket): void {
    socket.on('error', () => socket.destroy());
    const address = socket.remoteAddress ?? 'unknown';
    const open = this.connections.size + (this.options.elsewhere?.openCount() ?? 0);
    if (open >= this.options.connectionsMax) return refuse(socket, 1040, '08004', `Too many connections (this node allows ${this.options.connectionsMax} on its MySQL port)`);
    if (!this.options.admitsHost(address)) return refuse(socket, 1130, 'HY000', `Host '${address}' is not allowed to connect to this MySQL server`);
    // Numbered here for the whole node, whichever process serves it (CONNECTION_ID(), the
    // owner of named locks).
    const connectionId = this.nextConnectionId;
    this.nextConnectionId = (this.nextConnectionId % 0xffff_ffff) + 1;
    if (this.options.elsewhere?.take(socket, connectionId) === true) return;
    this.serve(socket, connectionId);
  }
}

// Destroyed once the error is written: the client's end may never be read (a socket paused on
// connect for a hand-off is not), and an unread end would keep the socket, and the listener's
// close, open for ever.
function refuse(socket: Socket, errno: number, sqlstate: string, message: string): void {
  socket.end(framePayload(errorPacket(errno, sqlstate, message), 0).bytes, () => socket.destroy());
}
