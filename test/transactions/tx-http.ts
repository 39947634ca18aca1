// Helpers for transaction tests over HTTP against an in-process node (fastify inject).
import type { InProcessNode } from '../http/in-process-node.js';

export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown> & { error?: { code: string; message: string } };
}

export async function post(node: InProcessNode, url: string, body?: unknown): Promise<Answer> {
  const response = await node.app.inject({ method: 'POST', url, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) }) });
  return { status: response.statusCode, body: response.json() };
}

export async function openTx(node: InProcessNode, database?: string): Promise<string> {
  const answer = await post(node, '/v1/tx', database === undefined ? undefined : { database });
  if (answer.status !== 200) throw new Error(`open: ${JSON.stringify(answer.body)}`);
  return answer.body['tx'] as string;
}

// Runs one statement in a transaction; throws on an error answer unless `allowError`.
export async function txSql(node: InProcessNode, tx: string, sql: string, params: unknown[] = []): Promise<Answer> {
  return post(node, '/v1/sql', { sql, params, tx });
}

export function rowsOf(answer: Answer): unknown[][] {
  if (answer.status !== 200) throw new Error(`sql failed: ${JSON.stringify(answer.body)}`);
  const results = answer.body['results'] as { rows: unknown[][] }[];
  return results.at(-1)!.rows;
}

export const commitTx = (node: InProcessNode, tx: string): Promise<Answer> => post(node, `/v1/tx/${tx}/commit`);
export const rollbackTx = (node: InProcessNode, tx: string): Promise<Answer> => post(node, `/v1/tx/${tx}/rollback`);
