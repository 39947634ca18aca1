// Logins over the MySQL port against an AccountSource holding real password hashes, with mysql2
// as the client: mysql_native_password's scramble, caching_sha2_password's full authentication
// (password over TLS, or RSA-encrypted over plain TCP) and then its fast path; wrong passwords
// and unknown users get 1045, and the login-rate hooks are called and obeyed.
import { connect as connectSocket } from 'node:net';
import mysql from 'mysql2/promise';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passwordHashes } from '../../services/mysql/accounts.js';
import type { AccountCredentials, AccountSource } from '../../services/mysql/accounts.js';
import { selfSignedCertificate, startMysqlNode } from './mysql-node.js';
import type { MysqlNode } from './mysql-node.js';

function account(user: string, plugin: AccountCredentials['plugin'], password: string): AccountCredentials {
  return { user, host: '%', plugin, ...passwordHashes(password), trustedWithoutPassword: false };
}

// Accounts as the catalog will hold them, and a record of what the server asked.
class TestAccounts implements AccountSource {
  readonly accounts = new Map<string, AccountCredentials>([
    ['native', account('native', 'mysql_native_password', 'native-secret')],
    ['sha2', account('sha2', 'caching_sha2_password', 'sha2-secret')],
    ['sha2tls', account('sha2tls', 'caching_sha2_password', 'tls-secret')],
  ]);
  readonly failed: string[] = [];
  readonly succeeded: string[] = [];
  blocked = new Set<string>();
  lookups = 0;

  credentialsFor(user: string): AccountCredentials | undefined {
    this.lookups++;
    return this.accounts.get(user);
  }

  admitLogin(remoteAddress: string): boolean {
    return !this.blocked.has(remoteAddress);
  }

  loginFailed(user: string): void {
    this.failed.push(user);
  }

  loginSucceeded(user: string): void {
    this.succeeded.push(user);
  }
}

const accounts = new TestAccounts();
// Long enough for any login here (RSA included), short enough to wait out in a test.
const handshakeTimeoutMs = 1_500;
const certificate = selfSignedCertificate();
let node: MysqlNode;

beforeAll(async () => {
  node = await startMysqlNode({ port: 24020, accounts, tls: certificate, handshakeTimeoutMs: handshakeTimeoutMs });
});

afterAll(async () => {
  await node?.close();
});

async function connect(user: string, password: string, tls = false): Promise<Connection> {
  return mysql.createConnection({ host: '127.0.0.1', port: node.port, user, password, ...(tls ? { ssl: { ca: certificate.cert.toString() } } : {}) });
}

async function whoAmI(connection: Connection): Promise<unknown> {
  const [rows] = await connection.query<RowDataPacket[]>('SELECT CURRENT_USER() AS account');
  return rows[0]!['account'];
}

function encrypted(connection: Connection): boolean {
  return (connection as unknown as { connection: { stream: { encrypted?: boolean } } }).connection.stream.encrypted === true;
}

describe('MySQL logins', () => {
  it('checks mysql_native_password scrambles and refuses a wrong password with 1045', async () => {
    const connection = await connect('native', 'native-secret');
    expect(await whoAmI(connection)).toBe('native@%');
    await connection.end();
    await expect(connect('native', 'wrong')).rejects.toMatchObject({ errno: 1045, sqlState: '28000', message: expect.stringContaining("'native'@'127.0.0.1' (using password: YES)") });
    await expect(connect('native', '')).rejects.toMatchObject({ errno: 1045, message: expect.stringContaining('(using password: NO)') });
    await expect(connect('nobody', 'x')).rejects.toMatchObject({ errno: 1045 });
    expect(accounts.failed).toEqual(['native', 'native', 'nobody']);
    expect(accounts.succeeded).toEqual(['native']);
  });

  it('authenticates caching_sha2_password in full over plain TCP with the RSA key exchange, then by the fast path', async () => {
    await expect(connect('sha2', 'wrong')).rejects.toMatchObject({ errno: 1045 });
    const first = await connect('sha2', 'sha2-secret');
    expect(encrypted(first)).toBe(false);
    expect(await whoAmI(first)).toBe('sha2@%');
    await first.end();
    // Cached now: the scramble alone proves the password, and a wrong one still fails.
    const second = await connect('sha2', 'sha2-secret');
    expect(await whoAmI(second)).toBe('sha2@%');
    await second.end();
    await expect(connect('sha2', 'wrong-again')).rejects.toMatchObject({ errno: 1045 });
  });

  it('upgrades to TLS on the SSLRequest and takes caching_sha2_password\'s password in the clear there', async () => {
    await expect(connect('sha2tls', 'wrong', true)).rejects.toMatchObject({ errno: 1045 });
    const connection = await connect('sha2tls', 'tls-secret', true);
    expect(encrypted(connection)).toBe(true);
    expect(await whoAmI(connection)).toBe('sha2tls@%');
    const [rows] = await connection.execute<RowDataPacket[]>('SELECT ? + 1 AS n', [41]);
    expect(rows).toEqual([{ n: 42 }]);
    await connection.end();
    const native = await connect('native', 'native-secret', true);
    expect(encrypted(native)).toBe(true);
    await native.end();
  });

  it('refuses a client the rate limit holds back without looking its account up', async () => {
    accounts.blocked.add('127.0.0.1');
    const lookups = accounts.lookups;
    try {
      await expect(connect('native', 'native-secret')).rejects.toMatchObject({ errno: 1129 });
      expect(accounts.lookups).toBe(lookups);
    } finally {
      accounts.blocked.clear();
    }
    const connection = await connect('native', 'native-secret');
    await connection.end();
  });

  it('closes a client that goes silent in the middle of an auth switch once the handshake time is up', async () => {
    const socket = connectSocket(node.port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    await new Promise((resolve) => socket.once('data', resolve)); // the greeting
    const capabilities = 0x200 | 0x8000 | 0x80000 | 0x200000; // PROTOCOL_41, SECURE_CONNECTION, PLUGIN_AUTH, LENENC auth data
    const flags = Buffer.alloc(8);
    flags.writeUInt32LE(capabilities, 0);
    const payload = Buffer.concat([flags, Buffer.from([45]), Buffer.alloc(23), Buffer.from('sha2\0'), Buffer.from([0]), Buffer.from('mysql_native_password\0')]);
    const header = Buffer.from([payload.length, 0, 0, 1]);
    socket.write(Buffer.concat([header, payload]));
    const started = Date.now();
    await closed;
    const packets = Buffer.concat(received);
    const switchAt = packets.indexOf(Buffer.from('caching_sha2_password'));
    expect(switchAt).toBeGreaterThan(0); // the AuthSwitchRequest came, and then nothing from us
    expect(packets.includes(Buffer.from('Bad handshake'))).toBe(true);
    expect(Date.now() - started).toBeGreaterThan(handshakeTimeoutMs / 2);
    const connection = await connect('native', 'native-secret');
    await connection.end();
  });
});
