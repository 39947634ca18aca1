// Proves HTTP logins: a node without a root password serves loopback clients only (as root) and
// logs a refused one; once the catalog has root, Basic auth is required, a wrong password is
// 401 with a stable code and is logged, failures from one address are bounded, host patterns
// match as MySQL's, and change streams need SELECT on what they stream. In-process nodes,
// fastify's inject with its remoteAddress seam standing for clients of other addresses.
import { afterEach, describe, expect, it } from 'vitest';
import type { InProcessNode } from '../http/in-process-node.js';
import { passwordHashes } from '../../services/sql/accounts/account-statements.js';
import { TideClient } from '../../packages/client/src/index.js';
import { AccountDirectory } from '../../services/users/account-directory.js';
import type { AccountCredentials } from '../../services/users/account-directory.js';
import { LoginLimiter } from '../../services/users/login-limiter.js';
import { asRoot, basic, createRoot, sqlAs, startUserNode } from './user-node.js';

interface Logged {
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

describe('logins over HTTP', () => {
  let node: InProcessNode | null = null;
  afterEach(async () => {
    await node?.close();
    node = null;
  });

  async function start(limiter?: LoginLimiter): Promise<{ node: InProcessNode; logged: Logged[] }> {
    const logged: Logged[] = [];
    node = await startUserNode({ accounts: { rootPasswordGiven: false, log: { warn: (fields, message) => logged.push({ fields, message }) }, ...(limiter === undefined ? {} : { limiter }) } });
    return { node, logged };
  }

  it('serves loopback clients only, as root, while there is no root password, and logs a refused one', async () => {
    const { node, logged } = await start();
    const refused = await sqlAs(node, null, 'SELECT 1', '10.0.0.9');
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'LOOPBACK_ONLY', mysql_errno: 1130 });
    expect(logged).toEqual([{ fields: { remote_address: '10.0.0.9' }, message: expect.stringContaining('beyond loopback') }]);
    expect((await node.app.inject({ method: 'GET', url: '/v1/status', remoteAddress: '10.0.0.9' })).json().error.code).toBe('LOOPBACK_ONLY');
    // Logged once per address and window, however often it tries.
    expect(logged).toHaveLength(1);
    expect((await node.app.inject({ method: 'GET', url: '/v1/status' })).statusCode).toBe(200);
    // A loopback client, without credentials or as root with any password, is root.
    expect((await sqlAs(node, null, 'SHOW GRANTS')).body.results?.[0]?.rows).toEqual([['GRANT ALL PRIVILEGES ON *.* TO `root`@`%`']]);
    expect((await sqlAs(node, { name: 'root', password: 'anything' }, 'SELECT 1', '::ffff:127.0.0.1')).status).toBe(200);
    // Once the catalog has root, its password counts, from anywhere, and nothing is anonymous.
    await createRoot(node, 'root-pw');
    const anonymous = await sqlAs(node, null, 'SELECT 1');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toMatch(/^Basic /);
    expect((await sqlAs(node, { name: 'root', password: 'root-pw' }, 'SELECT 1', '10.0.0.9')).status).toBe(200);
    expect((await sqlAs(node, { name: 'root', password: 'anything' }, 'SELECT 1')).status).toBe(401);
    expect((await node.app.inject({ method: 'GET', url: '/v1/status', remoteAddress: '10.0.0.9' })).statusCode).toBe(200);
  });

  it('answers a wrong password 401 LOGIN_FAILED and logs it without the password; the status route stays open', async () => {
    const { node, logged } = await start();
    await createRoot(node, 'root-pw');
    await asRoot(node, ["CREATE USER 'bob'@'%' IDENTIFIED BY 'bob-pw'"], 'root-pw');
    const wrong = await sqlAs(node, { name: 'bob', password: 'not-bobs-pw' }, 'SELECT 1', '10.0.0.3');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toMatchObject({ code: 'LOGIN_FAILED', mysql_errno: 1045 });
    expect(logged).toEqual([{ fields: { user: 'bob', remote_address: '10.0.0.3', recent_failures: 1 }, message: 'login failed' }]);
    expect(JSON.stringify(logged)).not.toContain('not-bobs-pw');
    expect((await sqlAs(node, { name: 'nobody', password: 'x' }, 'SELECT 1')).status).toBe(401);
    const malformed = await node.app.inject({ method: 'POST', url: '/v1/sql', headers: { 'content-type': 'application/json', authorization: 'Bearer abc' }, payload: '{"sql":"SELECT 1"}' });
    expect(malformed.statusCode).toBe(401);
    expect((await node.app.inject({ method: 'GET', url: '/v1/status' })).statusCode).toBe(200);
    expect((await node.app.inject({ method: 'GET', url: '/v1/openapi.json' })).statusCode).toBe(401);
    expect((await node.app.inject({ method: 'GET', url: '/subjects' })).statusCode).toBe(401);
    expect((await node.app.inject({ method: 'GET', url: '/subjects', headers: { authorization: basic('bob', 'bob-pw') } })).statusCode).toBe(200);
  });

  it('refuses an address after too many failures, even with the right password, until the window passes', async () => {
    let nowMs = 1_000_000;
    const { node, logged } = await start(new LoginLimiter({ failuresMax: 3, windowMs: 60_000, addressesMax: 100 }, () => nowMs));
    await asRoot(node, ["CREATE USER 'bob'@'%' IDENTIFIED BY 'bob-pw'"]);
    await createRoot(node, 'root-pw');
    const bob = { name: 'bob', password: 'bob-pw' };
    for (let attempt = 0; attempt < 3; attempt++) expect((await sqlAs(node, { name: 'bob', password: `guess-${attempt}` }, 'SELECT 1', '10.0.0.7')).status).toBe(401);
    const limited = await sqlAs(node, bob, 'SELECT 1', '10.0.0.7');
    expect(limited.status).toBe(429);
    expect(limited.body.error).toMatchObject({ code: 'LOGIN_RATE_LIMITED', mysql_errno: 1129 });
    expect(logged.at(-1)).toEqual({ fields: { user: 'bob', remote_address: '10.0.0.7' }, message: expect.stringContaining('too many recent failures') });
    expect((await sqlAs(node, bob, 'SELECT 1', '10.0.0.7')).status).toBe(429);
    expect(logged.map((line) => line.message)).toEqual(['login failed', 'login failed', 'login failed', expect.stringContaining('too many recent failures')]);
    // Another address is not held back; the first one is once its failures age out.
    expect((await sqlAs(node, bob, 'SELECT 1', '10.0.0.8')).status).toBe(200);
    nowMs += 60_001;
    expect((await sqlAs(node, bob, 'SELECT 1', '10.0.0.7')).status).toBe(200);
  });

  it('matches host patterns as MySQL does, the most specific account first', async () => {
    const { node } = await start();
    await createRoot(node, 'root-pw');
    await asRoot(node, [
      "CREATE USER 'h'@'192.168.%' IDENTIFIED BY 'wide'",
      "CREATE USER 'h'@'192.168.1.5' IDENTIFIED BY 'exact'",
      "CREATE USER 'l'@'localhost' IDENTIFIED WITH mysql_native_password BY 'local'",
    ], 'root-pw');
    const status = async (name: string, password: string, address: string): Promise<number> => (await sqlAs(node, { name, password }, 'SELECT 1', address)).status;
    expect(await status('h', 'exact', '192.168.1.5')).toBe(200);
    expect(await status('h', 'wide', '192.168.1.5')).toBe(401);
    expect(await status('h', 'wide', '192.168.2.1')).toBe(200);
    expect(await status('h', 'wide', '10.1.1.1')).toBe(401);
    expect(await status('l', 'local', '::1')).toBe(200);
    expect(await status('l', 'local', '10.0.0.1')).toBe(401);
    // What the MySQL front end gets: the plugin and both hashes, never the password.
    const directory = new AccountDirectory(node.store, { rootPasswordGiven: true, log: { warn: () => undefined } });
    expect(directory.credentialsFor('l', '127.0.0.1')).toEqual({ user: 'l', host: 'localhost', plugin: 'mysql_native_password', ...passwordHashes('local'), trustedWithoutPassword: false });
    expect(directory.credentialsFor('h', '192.168.1.5')?.host).toBe('192.168.1.5');
    expect(directory.credentialsFor('h', '172.16.0.1')).toBeUndefined();
  });

  it('refuses a change stream of a table, a database or everything without SELECT on it', async () => {
    const { node } = await start();
    await asRoot(node, ['CREATE TABLE t (id INT PRIMARY KEY)', 'CREATE TABLE s (id INT PRIMARY KEY)', "CREATE USER 'r'@'%' IDENTIFIED BY 'r-pw'", 'GRANT SELECT ON app.t TO r']);
    await createRoot(node, 'root-pw');
    const stream = (query: string) => node.app.inject({ method: 'GET', url: `/v1/changes?${query}`, headers: { authorization: basic('r', 'r-pw') } });
    for (const query of ['table=s', 'table=t&table=s', 'database=app', '']) {
      const refused = await stream(query);
      expect(refused.statusCode, query).toBe(403);
      expect(refused.json().error).toMatchObject({ code: 'TABLE_ACCESS_DENIED', mysql_errno: 1142 });
    }
    // With the privilege, the stream opens (over a real socket: it does not end by itself).
    await node.app.listen({ host: '127.0.0.1', port: 26011 });
    const abort = new AbortController();
    const response = await fetch('http://127.0.0.1:26011/v1/changes?table=t&from=now', { headers: { authorization: basic('r', 'r-pw') }, signal: abort.signal });
    expect(response.status).toBe(200);
    abort.abort();
  });

  it('logs the TypeScript client in with its user and password', async () => {
    const { node } = await start();
    await asRoot(node, ['CREATE TABLE t (id INT PRIMARY KEY)', 'INSERT INTO t VALUES (7)', "CREATE USER 'r'@'%' IDENTIFIED BY 'r-pw'", 'GRANT SELECT ON app.t TO r']);
    await createRoot(node, 'root-pw');
    await node.app.listen({ host: '127.0.0.1', port: 26012 });
    const client = new TideClient({ nodes: ['http://127.0.0.1:26012'], user: 'r', password: 'r-pw' });
    expect((await client.query('SELECT id FROM t')).rows).toEqual([{ id: 7 }]);
    await expect(client.query('DELETE FROM t')).rejects.toMatchObject({ code: 'TABLE_ACCESS_DENIED' });
    await expect(new TideClient({ nodes: ['http://127.0.0.1:26012'] }).query('SELECT 1')).rejects.toMatchObject({ code: 'LOGIN_FAILED' });
  });

  // The interface the MySQL front end declares (services/mysql), which the directory must fit.
  it('fits the MySQL front end\'s interface', async () => {
    const { node } = await start();
    interface MysqlAccounts {
      credentialsFor(user: string, remoteAddress: string): AccountCredentials | undefined;
      admitLogin(remoteAddress: string): boolean;
      loginFailed(user: string, remoteAddress: string): void;
      loginSucceeded(user: string, remoteAddress: string): void;
    }
    const accounts: MysqlAccounts = new AccountDirectory(node.store, { rootPasswordGiven: false, log: { warn: () => undefined } });
    // No root password and no root account: loopback root is trusted, any password.
    expect(accounts.credentialsFor('root', '127.0.0.1')).toMatchObject({ user: 'root', trustedWithoutPassword: true, nativeHash: null, sha2Hash: null });
    expect(accounts.credentialsFor('root', '10.0.0.1')).toBeUndefined();
    expect(accounts.admitLogin('10.0.0.1')).toBe(true);
  });
});
