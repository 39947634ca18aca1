// Exactly-once publishing from a three-node cluster of real processes: writes run from several
// clients while the leader is killed (SIGKILL) twice and then paused (SIGSTOP) until a new
// leader has published; afterwards the raw read_committed
// records of the table's topic — no deduplication here — are exactly the committed changes,
// as the changelog of a surviving node streams them: every lsn once, in lsn order, none from a
// write that failed, every acknowledged write among them.
import { randomUUID } from 'node:crypto';
import { SchemaRegistry as RegistryClient } from '@kafkajs/confluent-schema-registry';
import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { ClusterProcesses } from '../system/cluster-processes.js';
import type { NodeProcess } from '../system/node-process.js';
import { sleep } from '../system/node-process.js';
import { subscribe } from '../streams/stream-client.js';
import { readCommittedRecords } from './fixtures/publisher-harness.js';

const { Kafka, logLevel } = kafkajs;
const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((broker) => broker.trim());
const prefix = `eos_${Date.now().toString(36)}_${randomUUID().slice(0, 6)}`;
const kafka = new Kafka({ clientId: `${prefix}-test`, brokers, logLevel: logLevel.NOTHING });

interface WriteOutcome {
  readonly id: number;
  // ok: acknowledged; failed: refused (nothing changed); unknown: no answer, or OUTCOME_UNKNOWN.
  readonly status: 'ok' | 'failed' | 'unknown';
}

describe('exactly-once publishing from a cluster', () => {
  it('puts every committed change on its topic once, in lsn order, through two kills of the leader and a pause', { timeout: 180_000 }, async () => {
    const cluster = await ClusterProcesses.start(3, { extraArgs: ['--kafka', brokers.join(','), '--topic-prefix', prefix, '--kafka-resolved-interval-ms', '0'] });
    const down = new Set<NodeProcess>();
    const live = (): NodeProcess[] => cluster.nodes.filter((node) => !down.has(node));
    try {
      expect((await (await cluster.leader()).sql('CREATE TABLE acct (id INT PRIMARY KEY, v INT NOT NULL)')).status).toBe(200);
      const outcomes: WriteOutcome[] = [];
      let writing = true;
      let nextId = 0;
      const writer = async (): Promise<void> => {
        while (writing) {
          const id = nextId++;
          const nodes = live();
          const node = nodes[id % nodes.length]!;
          // Every fifth write fails on its duplicate key and must leave no event.
          const sql = id % 5 === 4 ? 'INSERT INTO acct VALUES (?, ?), (?, ?)' : 'INSERT INTO acct VALUES (?, ?)';
          const params = id % 5 === 4 ? [id, id, id, id] : [id, id];
          try {
            const { status, body } = await node.sql(sql, params);
            const code = body.error?.code;
            outcomes.push({ id, status: status === 200 ? 'ok' : code === 'OUTCOME_UNKNOWN' || status >= 500 ? 'unknown' : 'failed' });
          } catch {
            outcomes.push({ id, status: 'unknown' });
          }
        }
      };
      const writers = [writer(), writer(), writer()];
      for (let kill = 0; kill < 2; kill++) {
        await sleep(2_000);
        const leader = await cluster.leader(15_000, live());
        await leader.kill();
        down.add(leader);
        await cluster.leader(15_000, live());
        await sleep(1_500);
        await leader.start();
        down.delete(leader);
      }
      // Paused (SIGSTOP) with whatever transaction it had open, until a new leader has
      // published; on resuming, its producer is fenced and it must publish nothing more.
      const paused = await cluster.leader(15_000, live());
      paused.pause();
      down.add(paused);
      const successor = await cluster.leader(15_000, live());
      // A write of its own, since the writers' requests may all be stuck on the paused node.
      const own = await successor.sql('INSERT INTO acct VALUES (?, ?)', [-1, -1]);
      expect(own.status).toBe(200);
      outcomes.push({ id: -1, status: 'ok' });
      await pollUntil(async () => BigInt((await successor.status()).kafka.published_lsn ?? -1) >= BigInt(own.body.lsn!), 20_000, 'the new leader to publish');
      paused.resume();
      down.delete(paused);
      await sleep(1_500);
      writing = false;
      await Promise.all(writers);
      await cluster.converged(30_000);

      // The committed history, as a node's changelog has it.
      const leader = await cluster.leader();
      const stream = await subscribe(leader.port, 'table=acct&from=0&progress_ms=200');
      const lastLsn = (await stream.waitFor((event) => event.type === 'progress' && stream.events.some((other) => other.type === 'change'))).lsn!;
      stream.close();
      const committed = stream.events.filter((event) => event.type === 'change' && BigInt(event.lsn!) <= BigInt(lastLsn));
      expect(committed.length).toBeGreaterThan(20);
      // The publisher has caught up with it.
      await pollUntil(async () => {
        const published = (await leader.status()).kafka.published_lsn;
        return published !== null && BigInt(published) >= BigInt(committed.at(-1)!.lsn!);
      }, 60_000, 'the leader to publish the whole changelog');

      const registry = new RegistryClient({ host: leader.url });
      const records = await readCommittedRecords(kafka, `${prefix}.app.acct`);
      const published: { lsn: string; id: number; op: string }[] = [];
      for (const { value } of records) {
        if (value === null) continue; // a tombstone: none here, as nothing is deleted
        const envelope = (await registry.decode(value)) as { op: string; after: { id: number }; source: { lsn: bigint | number | string } };
        published.push({ lsn: String(envelope.source.lsn), id: envelope.after.id, op: envelope.op });
      }
      // Exactly the committed changes: none lost, none twice, in the order they committed.
      expect(published.map((event) => event.lsn)).toEqual(committed.map((event) => event.lsn));
      const publishedIds = new Set(published.map((event) => event.id));
      for (const outcome of outcomes) {
        if (outcome.status === 'ok') expect(publishedIds.has(outcome.id), `acknowledged write ${outcome.id}`).toBe(true);
        if (outcome.status === 'failed') expect(publishedIds.has(outcome.id), `failed write ${outcome.id}`).toBe(false);
      }
      expect(outcomes.filter((outcome) => outcome.status === 'ok').length).toBeGreaterThan(20);
      // Followers note Kafka's checkpoint for their changelog retention.
      const checkpoint = (await leader.status()).kafka.published_lsn;
      const followers = cluster.nodes.filter((node) => node !== leader);
      await pollUntil(async () => (await Promise.all(followers.map((node) => node.status()))).every((status) => status.kafka.published_lsn === checkpoint), 20_000, 'the followers to note the checkpoint');
    } finally {
      await cluster.stop();
    }
  });
});

async function pollUntil(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}
