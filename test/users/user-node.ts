// An in-process node with logins on (test/http/in-process-node.ts), and a client that sends
// HTTP Basic credentials: root is any loopback request without them, as on a node started
// without a root password.
import type { LightMyRequestResponse } from 'fastify';
import { startInProcessNode } from '../http/in-process-node.js';
import type { InProcessNode, InProcessNodeOptions } from '../http/in-process-node.js';

export interface Answer {
  readonly status: number;
  readonly body: { results?: { columns: string[]; rows: unknown[][] }[]; error?: { code: string; message: string; mysql_errno?: number } };
  readonly headers: LightMyRequestResponse['headers'];
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

export async function startUserNode(options: InProcessNodeOptions = {}): Promise<InProcessNode> {
  return startInProcessNode({ ...options, accounts: options.accounts ?? { rootPasswordGiven: false } });
}

// POST /v1/sql as `user` (null: no credentials), from `remoteAddress` (loopback unless given).
export async function sqlAs(node: InProcessNode, user: { name: string; password: string } | null, sql: string, remoteAddress = '127.0.0.1'): Promise<Answer> {
  const response = await node.app.inject({
    method: 'POST',
    url: '/v1/sql',
    remoteAddress,
    headers: { 'content-type': 'application/json', ...(user === null ? {} : { authorization: basic(user.name, user.password) }) },
    payload: JSON.stringify({ sql }),
  });
  return { status: response.statusCode, body: response.json(), headers: response.headers };
}

// Runs statements as root (with its password once the catalog has a root account) and fails on
// the first error.
export async function asRoot(node: InProcessNode, statements: readonly string[], rootPassword: string | null = null): Promise<unknown[][][]> {
  const rows: unknown[][][] = [];
  for (const sql of statements) {
    const answer = await sqlAs(node, rootPassword === null ? null : { name: 'root', password: rootPassword }, sql);
    if (answer.status !== 200) throw new Error(`${sql}: ${answer.status} ${JSON.stringify(answer.body)}`);
    rows.push(answer.body.results![0]!.rows);
  }
  return rows;
}

// Gives a loopback-only node its root account, in one request: from then on root logs in with
// the password, from any address.
export async function createRoot(node: InProcessNode, password: string): Promise<void> {
  const payload = JSON.stringify({ statements: [{ sql: `CREATE USER 'root'@'%' IDENTIFIED BY '${password}'` }, { sql: "GRANT ALL PRIVILEGES ON *.* TO 'root'@'%'" }] });
  const response = await node.app.inject({ method: 'POST', url: '/v1/sql', headers: { 'content-type': 'application/json' }, payload });
  if (response.statusCode !== 200) throw new Error(`creating root: ${response.body}`);
}
