// One SQL statement to a TideDB node over HTTP, as the benchmarks send it: a write is answered
// only once its entry is committed and applied; anything but 200 fails the run. A read may name
// its consistency (the node's default is linearizable).
import type { Agent } from 'node:http';
import { post } from './bench-process.js';

export interface TideResult {
  readonly rows_affected: number;
  readonly rows?: readonly (readonly unknown[])[];
}

export type TideConsistency = 'linearizable' | 'stale';

export async function tideSql(agent: Agent, port: number, sql: string, params: readonly (string | number)[], consistency?: TideConsistency): Promise<TideResult> {
  const { status, text } = await post(agent, port, '/v1/sql', JSON.stringify(consistency === undefined ? { sql, params } : { sql, params, consistency }));
  if (status !== 200) throw new Error(`tidedb answered ${status}: ${text.slice(0, 500)}`);
  const result = (JSON.parse(text) as { results: TideResult[] }).results[0];
  if (result === undefined) throw new Error(`tidedb answered without results: ${text.slice(0, 500)}`);
  return result;
}
