// Proves, on a 3-node cluster of real processes (dist/, real LMDB files, Raft logs and peer
// links, ports 26101-26203), that the leader proposes root's account from --root-password, that
// a write through a follower runs as its client's account on the leader (allowed with INSERT,
// refused with 1142 without it), that a forged forwarding identity is refused, and that no
// password appears in clear in any node's files or output.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forwardedByHeader } from '../../services/write/request-router.js';
import { forwardedAtHeader, forwardedSignatureHeader, forwardedUserHeader, identityHeaders } from '../../services/write/forwarded-identity.js';
import { NodeProcess, sleep, temporaryDir } from '../system/node-process.js';
import { basic } from './user-node.js';

const rootPassword = 'Root-Pa55word-in-clear';
const writerPassword = 'Writer-Pa55word-in-clear';
const readerPassword = 'Reader-Pa55word-in-clear';
const secret = 'users-cluster-secret-0123';
const ids = [1, 2, 3];
const httpPort = (id: number): number => 26100 + id;
const peerPort = (id: number): number => 26200 + id;

interface Answer {
  readonly status: number;
  readonly body: { results?: { rows: unknown[][] }[]; error?: { code: string; mysql_errno?: number } };
}

async function post(node: NodeProcess, body: unknown, headers: Record<string, string>): Promise<Answer> {
  const response = await fetch(`${node.url}/v1/sql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

const as = (user: string, password: string): Record<string, string> => ({ authorization: basic(user, password) });

async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe().catch(() => null);
    if (found !== null) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

// What a change stream sends within `ms`.
async function streamFor(url: string, headers: Record<string, string>, ms: number): Promise<string> {
  const abort = new AbortController();
  const response = await fetch(url, { headers, signal: abort.signal });
  const reader = response.body!.getReader();
  const timer = setTimeout(() => abort.abort(), ms);
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString('utf8');
    }
  } catch {
    // aborted: the stream does not end by itself
  } finally {
    clearTimeout(timer);
  }
  return text;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('users in a 3-node cluster', () => {
  const dirs = ids.map(() => temporaryDir('users-cluster'));
  const peers = ids.map((id) => `${id}=127.0.0.1:${peerPort(id)}`).join(',');
  const urls = ids.map((id) => `${id}=http://127.0.0.1:${httpPort(id)}`).join(',');
  const nodes = ids.map((id, at) => new NodeProcess(dirs[at]!.path, httpPort(id), ['--node-id', String(id), '--peers', peers, '--peer-http', urls, '--cluster-secret', secret, '--root-password', rootPassword]));
  let leader: NodeProcess;
  let follower: NodeProcess;

  beforeAll(async () => {
    await Promise.all(nodes.map((node) => node.start()));
    leader = await until('a leader', async () => {
      for (const node of nodes) {
        const status = (await (await fetch(`${node.url}/v1/status`)).json()) as { raft: { role: string } };
        if (status.raft.role === 'leader') return node;
      }
      return null;
    });
    follower = nodes.find((node) => node !== leader)!;
    // Root's account, proposed by the leader, reaches the follower too.
    await until('root on the follower', async () => ((await post(follower, { sql: 'SELECT 1', consistency: 'stale' }, as('root', rootPassword))).status === 200 ? true : null));
    const setup = await post(leader, { statements: [
      { sql: 'CREATE TABLE t (id INT PRIMARY KEY, v INT)' },
      { sql: `CREATE USER 'writer'@'%' IDENTIFIED BY '${writerPassword}'` },
      { sql: "GRANT INSERT, SELECT ON app.t TO 'writer'@'%'" },
      { sql: `CREATE USER 'reader'@'localhost' IDENTIFIED WITH mysql_native_password BY '${readerPassword}'` },
      { sql: "GRANT SELECT ON app.* TO 'reader'@'localhost'" },
    ] }, as('root', rootPassword));
    expect(setup.body.error).toBeUndefined();
    await until('the accounts on the follower', async () => ((await post(follower, { sql: 'SELECT 1', consistency: 'stale' }, as('reader', readerPassword))).status === 200 ? true : null));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    for (const dir of dirs) dir.remove();
  });

  it('runs a write through a follower as its client: allowed with INSERT, refused by the leader without', async () => {
    const allowed = await post(follower, { sql: 'INSERT INTO t VALUES (1, 10)' }, as('writer', writerPassword));
    expect(allowed.body.error).toBeUndefined();
    const refused = await post(follower, { sql: 'INSERT INTO t VALUES (2, 20)' }, as('reader', readerPassword));
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'TABLE_ACCESS_DENIED', mysql_errno: 1142 });
    const rows = await post(leader, { sql: 'SELECT id, v FROM t ORDER BY id' }, as('reader', readerPassword));
    expect(rows.body.results?.[0]?.rows).toEqual([[1, 10]]);
    // A follower whose client lacks the password is refused there, before anything is forwarded.
    expect((await post(follower, { sql: 'INSERT INTO t VALUES (3, 30)' }, as('writer', 'wrong'))).status).toBe(401);
  });

  it('refuses a request that claims to be forwarded without the cluster secret', async () => {
    const body = { sql: 'INSERT INTO t VALUES (9, 90)' };
    const forged = identityHeaders('not-the-cluster-secret-0', { forwardedBy: '2', method: 'POST', path: '/v1/sql', body: JSON.stringify(body) }, { user: 'root', host: '%' });
    for (const headers of [{ [forwardedByHeader]: '2', [forwardedUserHeader]: 'root@%25' }, { [forwardedByHeader]: '2', ...forged }]) {
      const answer = await post(leader, body, headers);
      expect(answer.status).toBe(401);
      expect(answer.body.error?.code).toBe('FORWARD_UNAUTHENTICATED');
    }
    // Signed with the secret but for another body: the signature covers the statement.
    const other = identityHeaders(secret, { forwardedBy: '2', method: 'POST', path: '/v1/sql', body: JSON.stringify({ sql: 'SELECT 1' }) }, { user: 'root', host: '%' });
    expect((await post(leader, body, { [forwardedByHeader]: '2', ...other })).body.error?.code).toBe('FORWARD_UNAUTHENTICATED');
    // Signed rightly, it runs as the identity it names: the reader may not insert.
    const signed = identityHeaders(secret, { forwardedBy: '2', method: 'POST', path: '/v1/sql', body: JSON.stringify(body) }, { user: 'reader', host: 'localhost' });
    expect((await post(leader, body, { [forwardedByHeader]: '2', ...signed })).body.error?.code).toBe('TABLE_ACCESS_DENIED');
    expect([forwardedAtHeader, forwardedSignatureHeader]).toEqual(expect.arrayContaining(Object.keys(signed).filter((name) => name !== forwardedUserHeader)));
    const rows = await post(leader, { sql: 'SELECT id FROM t ORDER BY id' }, as('root', rootPassword));
    expect(rows.body.results?.[0]?.rows).toEqual([[1]]);
  });

  it('keeps no password in clear in any file of any node, nor in their output', async () => {
    // Every node has applied everything (the follower's read below waits for the leader's last write).
    for (const node of nodes) await until(`node ${node.port} caught up`, async () => ((await post(node, { sql: 'SELECT id FROM t' }, as('root', rootPassword))).body.results?.[0]?.rows.length === 1 ? true : null));
    for (const [at, dir] of dirs.entries()) {
      const files = filesUnder(dir.path);
      expect(files.some((file) => file.includes('lmdb')) && files.some((file) => file.includes('raft'))).toBe(true);
      for (const file of files) {
        const bytes = readFileSync(file);
        for (const password of [rootPassword, writerPassword, readerPassword]) expect(bytes.includes(Buffer.from(password)), `${password} in ${file}`).toBe(false);
      }
      for (const password of [rootPassword, writerPassword, readerPassword]) expect(nodes[at]!.output).not.toContain(password);
    }
    // The changelog (what streams and the _schema topic are made of) has the table's creation
    // and its row, and nothing of the accounts.
    const text = await streamFor(`${leader.url}/v1/changes?database=app&from=0`, as('root', rootPassword), 1_000);
    expect(text).toContain('CREATE TABLE t');
    expect(text).not.toMatch(/USER|GRANT|Pa55word/);
  });
});
