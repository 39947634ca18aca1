// Three real node processes under continuous writes and reads from several clients, while the
// leader is killed (-9), a follower is killed, the leader is frozen past an election timeout
// (SIGSTOP/SIGCONT) and stopped cleanly, each brought back; and, on peer links through fault
// proxies, while the leader and then a follower are cut off and healed. Every operation's invocation and
// outcome is recorded; afterwards the history must be linearizable, every acknowledged insert
// must be on every node exactly once, and all nodes must hold the same rows.
import { describe, expect, it } from 'vitest';
import { checkHistory } from '../support/linearizability/check-history.js';
import { HistoryRecorder } from '../support/linearizability/history-recorder.js';
import type { FailureClass } from '../support/linearizability/history-recorder.js';
import { ClusterProcesses } from './cluster-processes.js';
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
// while `faults` runs, then checks what the history and the nodes hold.
async function underWorkload(cluster: ClusterProcesses, faults: () => Promise<void>): Promise<void> {
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
      const node = cluster.nodes[(clientId + n) % cluster.nodes.length]!;
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

  await cluster.converged();
  // The same rows on every node.
  const contents = await Promise.all(
    cluster.nodes.map(async (node) => {
      const kv = await node.post({ sql: 'SELECT k, v FROM kv ORDER BY k', consistency: 'stale' });
      const inserts = await node.post({ sql: 'SELECT client, n FROM inserts ORDER BY client, n', consistency: 'stale' });
      return { kv: kv.body.results?.[0]?.rows, inserts: inserts.body.results?.[0]?.rows };
    }),
  );
  expect(contents[1]).toEqual(contents[0]);
  expect(contents[2]).toEqual(contents[0]);
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
  console.log(`cluster faults: ${puts} writes and ${gets} reads acknowledged, ${acked.length} inserts acknowledged, ${unknown.length} of unknown outcome`);
  expect(puts).toBeGreaterThan(30);
  expect(gets).toBeGreaterThan(30);
  expect(acked.length).toBeGreaterThan(30);
  const verdict = checkHistory(history);
  expect(verdict.kind, JSON.stringify(verdict)).toBe('linearizable');
}

describe('a three-node cluster', () => {
  it('under kill -9 of leader and follower, a frozen leader and a clean stop, stays linearizable and loses no acknowledged write', async () => {
    const cluster = await ClusterProcesses.start(3);
    try {
      await underWorkload(cluster, async () => {
        const first = await cluster.leader();
        await first.kill();
        await sleep(1_500);
        await first.start();
        await sleep(1_000);
        const follower = cluster.nodes.find((node) => node !== first)!;
        await follower.kill();
        await sleep(1_000);
        await follower.start();
        await sleep(1_000);
        const frozen = await cluster.leader();
        frozen.pause();
        await sleep(3_000);
        frozen.resume();
        await sleep(1_000);
        const stopped = await cluster.leader();
        await stopped.stop();
        await sleep(1_000);
        await stopped.start();
      });
    } finally {
      await cluster.stop();
    }
  });

  it('with its leader and then a follower cut off from the others, stays linearizable and loses no acknowledged write', async () => {
    const cluster = await ClusterProcesses.start(3, { partitionable: true });
    try {
      await underWorkload(cluster, async () => {
        const old = await cluster.leader();
        cluster.isolate(old);
        // The other two elect a leader of their own; the cut-off one steps down (CheckQuorum).
        const others = cluster.nodes.filter((node) => node !== old);
        const next = await cluster.leader(15_000, others);
        expect(next).not.toBe(old);
        await sleep(1_500);
        cluster.heal();
        await sleep(1_500);
        const follower = cluster.nodes.find((node) => node !== next)!;
        cluster.isolate(follower);
        await sleep(2_000);
        cluster.heal();
      });
    } finally {
      await cluster.stop();
    }
  });
});
