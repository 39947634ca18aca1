/**
 * A share of stream-fanout.ts's subscribers, in a process of their own so that reading and
 * parsing their events does not compete with the load generator's event loop. Started with
 * fork() by the benchmark, it talks over IPC:
 *   → {port, first, count, filter}          opens `count` subscriptions (numbers first…)
 *   ← {type: 'ready'}
 *   → {type: 'collect', firstId, writes}    waits until every subscriber has its events
 *   ← {type: 'result', latencies, fromCommit, deliveries, missing}
 * Latency is from the write's send time, which the writer puts in the row's payload as wall
 * clock milliseconds (performance.timeOrigin + now, the same clock in every process), to the
 * moment the event's line was read here.
 */
import { request } from 'node:http';
import type { ClientRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { expectedDeliveries, subscriptionQuery } from './stream-fanout-filters.js';
import type { FilterMode } from './stream-fanout-filters.js';

interface Start {
  readonly port: number;
  readonly first: number;
  readonly count: number;
  readonly filter: FilterMode;
}

interface Collect {
  readonly type: 'collect';
  readonly firstId: number;
  readonly writes: number;
}

const wallMs = (): number => performance.timeOrigin + performance.now();

// Per delivery: from the write's send time, and from its commit time (the event's ts_ms, when
// the leader proposed it: whole milliseconds).
let latencies = new Float64Array(1 << 16);
let fromCommit = new Float64Array(1 << 16);
let deliveries = 0;

function record(latencyMs: number, fromCommitMs: number): void {
  if (deliveries === latencies.length) {
    const grow = (values: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> => {
      const grown = new Float64Array(values.length * 2);
      grown.set(values);
      return grown;
    };
    latencies = grow(latencies);
    fromCommit = grow(fromCommit);
  }
  fromCommit[deliveries] = fromCommitMs;
  latencies[deliveries++] = latencyMs;
}

function subscribe(port: number, subscriber: number, filter: FilterMode): Promise<ClientRequest> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: `/v1/changes?${subscriptionQuery(subscriber, filter)}` }, (response) => {
      if (response.statusCode !== 200) return reject(new Error(`subscribe answered ${response.statusCode}`));
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        const now = wallMs();
        let at: number;
        while ((at = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, at);
          buffer = buffer.slice(at + 1);
          const sent = /"payload":"([0-9.]+)"/.exec(line);
          const committed = /"ts_ms":([0-9]+)/.exec(line);
          if (sent !== null && committed !== null) record(now - Number(sent[1]), now - Number(committed[1]));
        }
      });
      resolve(req);
    });
    req.on('error', reject);
    req.end();
  });
}

process.once('message', (start: Start) => {
  void (async () => {
    const connections = await Promise.all(Array.from({ length: start.count }, (_, at) => subscribe(start.port, start.first + at, start.filter)));
    process.send!({ type: 'ready' });
    process.once('message', (collect: Collect) => {
      void (async () => {
        let expected = 0;
        for (let at = 0; at < start.count; at++) expected += expectedDeliveries(start.first + at, start.filter, collect.firstId, collect.writes);
        for (let waited = 0; deliveries < expected && waited < 30_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
        for (const connection of connections) connection.destroy();
        process.send!({ type: 'result', latencies: latencies.slice(0, deliveries), fromCommit: fromCommit.slice(0, deliveries), deliveries, missing: expected - deliveries }, () => process.exit(0));
      })();
    });
  })();
});
