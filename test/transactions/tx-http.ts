// A small HTTP client for transaction tests: a node's base URL, real sockets (fetch, or a
// fetch that trusts a test CA for an HTTPS node).
import type { Fetch } from '../support/ca-fetch.js';

export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown> & { error?: { code: string; message: string; mysql_errno?: number; sqlstate?: string } };
}

export class TxClient {
  constructor(readonly baseUrl: string, private readonly send: Fetch = fetch) {}

  async post(path: string, body?: unknown): Promise<Answer> {
    const response = await this.send(`${this.baseUrl}${path}`, { method: 'POST', ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
    return { status: response.status, body: (await response.json()) as Answer['body'] };
  }

  async open(database?: string): Promise<string> {
    const answer = await this.post('/v1/tx', database === undefined ? undefined : { database });
    if (answer.status !== 200) throw new Error(`open: ${JSON.stringify(answer.body)}`);
    return answer.body['tx'] as string;
  }

  sql(sql: string, tx?: string, params: unknown[] = []): Promise<Answer> {
    return this.post('/v1/sql', { sql, params, ...(tx === undefined ? {} : { tx }) });
  }

  // The rows of a statement that must succeed.
  async rows(sql: string, tx?: string, params: unknown[] = []): Promise<unknown[][]> {
    const answer = await this.sql(sql, tx, params);
    if (answer.status !== 200) throw new Error(`${sql}: ${JSON.stringify(answer.body)}`);
    return (answer.body['results'] as { rows: unknown[][] }[])[0]!.rows;
  }

  commit(tx: string): Promise<Answer> {
    return this.post(`/v1/tx/${tx}/commit`);
  }

  rollback(tx: string): Promise<Answer> {
    return this.post(`/v1/tx/${tx}/rollback`);
  }
}

// Runs `body` in a fresh transaction and commits it, again while the commit (or a statement)
// answers TX_CONFLICT; resolves to the commit's answer and the attempts it took.
export async function retried(client: TxClient, body: (tx: string) => Promise<void>, attemptsMax = 50): Promise<{ commit: Answer; attempts: number }> {
  for (let attempt = 1; attempt <= attemptsMax; attempt++) {
    const tx = await client.open();
    await body(tx);
    const commit = await client.commit(tx);
    if (commit.status === 200) return { commit, attempts: attempt };
    if (commit.body.error?.code !== 'TX_CONFLICT') throw new Error(`commit: ${JSON.stringify(commit.body)}`);
  }
  throw new Error(`no commit in ${attemptsMax} attempts`);
}
