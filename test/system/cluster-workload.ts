// The workload of the cluster system tests: clients reading and writing a register per key and
// inserting rows through every node, each operation's invocation and outcome recorded, then
// the checks: the history is linearizable (test/support/linearizability), every acknowledged
// insert is on every node exactly once, and all nodes hold the same rows.
import { expect } from 'vitest';
import { checkHistory } from '../support/linearizability/check-history.js';
import { HistoryRecorder } from '../support/linearizability/history-recorder.js';
import type { FailureClass } from '../support/linearizability/history-recorder.js';
import type { ClusterProcesses } from './cluster-processes.js';
import type { NodeProcess } from './node-process.js';
import { sleep } from './node-process.js';

const keys = Array.from({ length: 8 }, (_, at) => at);

class RequestFailed extends Error {
  constructor(readonly outcome: FailureClass, message: string) {
    super(message);
  }
}

// A request's failure as the history must count it: refused before anything was proposed
// (a 4xx, NOT_LEADER, a connection refused) certainly did not happen; anything else may have.
async function sqlOn(node: NodeProcess, sql: string, params: unknown[]): Promise<{ results: { rows: unknown[][] }[] }> {
  let response: Response;
  try {
    response = await fetch(`${node.url}/v1/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql, params }), signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    throw new RequestFailed(code === 'ECONNREFUSED' ? 'failed' : 'unknown', String(code ?? error));
  }
  const body = (await response.json()) as { results: { rows: unknown[][] }[]; error?: { code: string } };
  if (response.ok) return body;
  const code = body.error?.code ?? 'none';
  const certainlyNot = response.status < 500 || code === 'NOT_LEADER' || code === 'SHUTTING_DOWN' || code === 'OVERLOADED';
  throw new RequestFailed(certainlyNot ? 'failed' : 'unknown', code);
}

const classify = (error: unknown): FailureClass => (error instanceof RequestFailed ? error.outcome : 'unknown');

// Runs six clients (reads and writes of a register per key, and inserts) against every node
// while `faults` runs, then checks what the history and the nodes hold. `members` names the
// nodes the clients use and whose rows are compared at the end: all of them unless the faults
// change the membership.
export async function underWorkload(cluster: ClusterProcesses, faults: () => Promise<void>, members: () => readonly NodeProcess[] = () => cluster.nodes): Promise<void> {
  const leader = await cluster.leader();
  for (const sql of ['CREATE TABLE kv (k INT PRIMARY KEY, v VARCHAR(32))', 'CREATE TABLE inserts (client INT, n INT)', `INSERT INTO kv VALUES ${keys.map((k) => `(${k}, NULL)`).join(', ')}`]) {
    const response = await leader.sql(sql);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
  }
  const recorder = new HistoryRecorder();
  const acked: string[] = [];
  const unknown: string[] = [];
  let running = true;
  const client = async (clientId: number): Promise<void> => {
    const recording = recorder.client();
    let n = 0;
    while (running) {
      n += 1;
      const nodes = members();
      const node = nodes[(clientId + n) % nodes.length]!;
      const key = keys[(clientId * 7 + n) % keys.length]!;
      const choice = n % 3;
      if (choice === 0) {
        await recording.get(String(key), async () => {
          const answer = await sqlOn(node, 'SELECT v FROM kv WHERE k = ?', [key]);
          return (answer.results[0]!.rows[0]?.[0] ?? null) as string | null;
        });
      } else if (choice === 1) {
        const value = `c${clientId}-${n}`;
        await recording.put(String(key), value, async () => void (await sqlOn(node, 'UPDATE kv SET v = ? WHERE k = ?', [value, key])), classify);
      } else {
        const id = `${clientId}:${n}`;
        try {
          await sqlOn(node, 'INSERT INTO inserts VALUES (?, ?)', [clientId, n]);
          acked.push(id);
        } catch (error) {
          if (classify(error) === 'unknown') unknown.push(id);
        }
      }
    }
  };
  const clients = Array.from({ length: 6 }, (_, at) => client(at));
  await sleep(1_500);
  await faults();
  await sleep(1_500);
  running = false;
  await Promise.all(clients);

  await cluster.converged(20_000, members());
  // The same rows on every node.
  const contents = await Promise.all(
    members().map(async (node) => {
      const kv = await node.post({ sql: 'SELECT k, v FROM kv ORDER BY k', consistency: 'stale' });
      const inserts = await node.post({ sql: 'SELECT client, n FROM inserts ORDER BY client, n', consistency: 'stale' });
      return { kv: kv.body.results?.[0]?.rows, inserts: inserts.body.results?.[0]?.rows };
    }),
  );
  for (const other of contents.slice(1)) expect(other).toEqual(contents[0]);
  // Every acknowledged insert once; one of unknown outcome at most once; nothing else.
  const counts = new Map<string, number>();
  for (const [clientId, n] of contents[0]!.inserts as [number, number][]) counts.set(`${clientId}:${n}`, (counts.get(`${clientId}:${n}`) ?? 0) + 1);
  for (const id of acked) expect(counts.get(id), `acknowledged insert ${id}`).toBe(1);
  const allowed = new Set([...acked, ...unknown]);
  for (const [id, count] of counts) {
    expect(allowed.has(id), `insert ${id} neither acknowledged nor of unknown outcome`).toBe(true);
    expect(count).toBe(1);
  }

  const history = recorder.history;
  const puts = history.filter((op) => op.kind === 'put' && op.returnedAt !== null).length;
  const gets = history.filter((op) => op.kind === 'get').length;
  console.log(`cluster workload: ${puts} writes and ${gets} reads acknowledged, ${acked.length} inserts acknowledged, ${unknown.length} of unknown outcome`);
  expect(puts).toBeGreaterThan(30);
  expect(gets).toBeGreaterThan(30);
  expect(acked.length).toBeGreaterThan(30);
  const verdict = checkHistory(history);
  expect(verdict.kind, JSON.stringify(verdict)).toBe('linearizable');
}
