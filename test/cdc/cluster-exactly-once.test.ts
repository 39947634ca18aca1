// Exactly-once publishing from a three-node cluster of real processes, under every fault the
// publisher must survive: seeded random writes (inserts, updates, deletes, multi-statement
// transactions over two tables, some failing on a constraint) run from several clients while
// the leader is killed (SIGKILL) twice, the leader is paused (SIGSTOP) right after a write it
// must publish until a new leader has published, and then resumed (its producer fenced), and the
// test's own broker is stopped for 30 seconds and restarted on its data. Afterwards the raw
// read_committed records of each table's topic — no deduplication here — are exactly the
// committed history as a surviving node's changelog streams it: per table and key the same
// events in commit order, every lsn once, no event from a failed write, every acknowledged write
// among them, and the BEGIN/END transaction markers counting exactly the events they enclose.
// Replays with SEED=….
import { randomUUID } from 'node:crypto';
import { SchemaRegistry as RegistryClient } from '@kafkajs/confluent-schema-registry';
import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KafkaInstance } from '../support/kafka-instance.js';
import { seededRandom } from '../support/seeded-random.js';
import { ClusterProcesses } from '../system/cluster-processes.js';
import type { NodeProcess, SqlResponse } from '../system/node-process.js';
import { freePort, sleep } from '../system/node-process.js';
import { subscribe } from '../streams/stream-client.js';
import type { StreamedEvent } from '../streams/stream-client.js';
import { readCommittedRecords } from './fixtures/publisher-harness.js';

const { Kafka, logLevel } = kafkajs;
const seed = Number(process.env['SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const prefix = `eos_${Date.now().toString(36)}_${randomUUID().slice(0, 6)}`;
const tables = ['acct', 'ledger'] as const;
type TableName = (typeof tables)[number];
const accounts = 40;
const outageMs = 30_000;

interface Statement {
  readonly sql: string;
  readonly params: unknown[];
}

interface Write {
  // Unique per write, and the value it writes (acct.v, ledger.id and ledger.v), so that every
  // event it made names it.
  readonly tag: number;
  readonly statements: readonly Statement[];
  // The write changes nothing: the test makes it break a constraint.
  readonly doomed: boolean;
}

interface WriteOutcome {
  readonly write: Write;
  // ok: acknowledged; failed: refused, certainly without effect; unknown: no answer, or one that
  // leaves the outcome open (OUTCOME_UNKNOWN, a 5xx on the way).
  readonly status: 'ok' | 'failed' | 'unknown';
  readonly rowsAffected: number;
  // Acknowledged: the lsn it answered with.
  readonly lsn: bigint | null;
}

// One random write: a single statement that may or may not change a row (and may fail on the
// primary key), a transaction over both tables, or a transaction doomed by its last statement.
function randomWrite(random: () => number, tag: number): Write {
  const account = Math.floor(random() * accounts);
  const other = Math.floor(random() * accounts);
  const roll = random();
  const one = (sql: string, params: unknown[]): Write => ({ tag, statements: [{ sql, params }], doomed: false });
  if (roll < 0.3) return one('INSERT INTO acct VALUES (?, ?)', [account, tag]);
  if (roll < 0.5) return one('UPDATE acct SET v = ? WHERE id = ?', [tag, account]);
  if (roll < 0.62) return one('DELETE FROM acct WHERE id = ?', [account]);
  const entry = { sql: 'INSERT INTO ledger VALUES (?, ?, ?)', params: [tag, account, tag] };
  const touch = { sql: 'UPDATE acct SET v = ? WHERE id = ?', params: [tag, account] };
  if (roll < 0.9) {
    const third = random() < 0.5 ? { sql: 'DELETE FROM acct WHERE id = ?', params: [other] } : { sql: 'DELETE FROM ledger WHERE acct = ? AND id < ?', params: [other, tag] };
    return { tag, statements: [entry, touch, third], doomed: false };
  }
  // Doomed on its last statement: a duplicate primary key, or a NULL in a NOT NULL column.
  const breach = random() < 0.5 ? entry : { sql: 'UPDATE ledger SET v = NULL WHERE id = ?', params: [tag] };
  return { tag, statements: [touch, entry, breach], doomed: true };
}

async function send(node: NodeProcess, write: Write): Promise<WriteOutcome> {
  let answer: SqlResponse;
  try {
    answer = write.statements.length === 1 ? await node.sql(write.statements[0]!.sql, write.statements[0]!.params) : await node.transaction([...write.statements]);
  } catch (error) {
    const refused = (error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED';
    return { write, status: refused ? 'failed' : 'unknown', rowsAffected: 0, lsn: null };
  }
  const { status, body } = answer;
  if (status === 200) {
    const rowsAffected = (body.results ?? []).reduce((sum, result) => sum + Number((result as { rows_affected?: number }).rows_affected ?? 0), 0);
    return { write, status: 'ok', rowsAffected, lsn: BigInt(body.lsn!) };
  }
  const code = body.error?.code ?? '';
  const certainlyNot = status < 500 || ['NOT_LEADER', 'SHUTTING_DOWN', 'OVERLOADED', 'KAFKA_BACKLOG_FULL'].includes(code);
  return { write, status: certainlyNot ? 'failed' : 'unknown', rowsAffected: 0, lsn: null };
}

// A row change as the test compares it: from the changelog stream, or decoded from Kafka.
interface Change {
  readonly table: TableName;
  readonly key: number;
  readonly lsn: bigint;
  readonly op: string;
  readonly after: Record<string, unknown> | null;
  readonly txId: string;
}

// What a key's history looks like on its topic: each event in commit order, a delete followed
// by its tombstone.
function keyLog(changes: readonly Change[]): Map<string, string[]> {
  const logs = new Map<string, string[]>();
  for (const change of changes) {
    const name = `${change.table}/${change.key}`;
    const log = logs.get(name) ?? [];
    log.push(`${change.op}@${change.lsn}`);
    if (change.op === 'd') log.push('tombstone');
    logs.set(name, log);
  }
  return logs;
}

const tableOf = (name: string): TableName => name.split('.').at(-1) as TableName;

function historyChange(event: StreamedEvent): Change {
  const row = event.after ?? event.before!;
  return { table: tableOf(event.table!), key: Number(row['id']), lsn: BigInt(event.lsn!), op: event.op!, after: event.after ?? null, txId: String(event.transaction?.id) };
}

describe('exactly-once publishing from a cluster', () => {
  it(`puts every committed change on its topic once, in commit order per key, through two leader kills, a pause and a broker outage (SEED=${seed})`, { timeout: 300_000 }, async () => {
    const random = seededRandom(seed);
    const broker = new KafkaInstance(await freePort(), await freePort());
    await broker.start();
    const kafka = new Kafka({ clientId: `${prefix}-test`, brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const cluster = await ClusterProcesses.start(3, { extraArgs: ['--kafka', broker.bootstrap, '--topic-prefix', prefix, '--kafka-resolved-interval-ms', '0'] });
    const down = new Set<NodeProcess>();
    const live = (): NodeProcess[] => cluster.nodes.filter((node) => !down.has(node));
    try {
      const first = await cluster.leader();
      expect((await first.sql('CREATE TABLE acct (id INT PRIMARY KEY, v INT NOT NULL)')).status).toBe(200);
      expect((await first.sql('CREATE TABLE ledger (id INT PRIMARY KEY, acct INT NOT NULL, v INT NOT NULL)')).status).toBe(200);
      for (let account = 0; account < accounts; account += 2) expect((await first.sql('INSERT INTO acct VALUES (?, ?)', [account, -1])).status).toBe(200);

      const outcomes: WriteOutcome[] = [];
      let writing = true;
      let nextTag = 1;
      const writer = async (): Promise<void> => {
        while (writing) {
          const write = randomWrite(random, nextTag++);
          const nodes = live();
          outcomes.push(await send(nodes[write.tag % nodes.length]!, write));
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

      // Paused in the middle of publishing a write: the moment it acknowledges one, once its
      // status shows that write not yet published (else it is let go and tried again), until a
      // new leader has published; on resuming, its producer is fenced and it must publish
      // nothing more.
      const paused = await cluster.leader(15_000, live());
      let midPublish = false;
      for (let attempt = 0; attempt < 20 && !midPublish; attempt++) {
        const acknowledged = await send(paused, ledgerEntry(nextTag++));
        const published = (await paused.status()).kafka.published_lsn;
        paused.pause();
        outcomes.push(acknowledged);
        midPublish = acknowledged.status === 'ok' && (published === null || BigInt(published) < acknowledged.lsn!);
        if (!midPublish) paused.resume();
      }
      expect(midPublish).toBe(true);
      down.add(paused);
      const successor = await cluster.leader(15_000, live());
      // A write of its own, since the writers' requests may all be stuck on the paused node.
      const own = await send(successor, ledgerEntry(nextTag++));
      expect(own.status).toBe('ok');
      outcomes.push(own);
      await waitPublished(successor, own.lsn!, 'the new leader to publish');
      paused.resume();
      down.delete(paused);

      // The broker away for 30 s with its data kept: writes go on, nothing is published, and
      // publishing resumes on its own once it is back.
      await sleep(2_000);
      await broker.stop();
      // A round the broker committed just before it went has noted its checkpoint by now.
      await sleep(1_000);
      const before = await publishedOnAny(cluster.nodes);
      const acknowledgedBefore = outcomes.filter((outcome) => outcome.status === 'ok').length;
      await sleep(outageMs);
      expect(await publishedOnAny(cluster.nodes)).toBe(before);
      expect(outcomes.filter((outcome) => outcome.status === 'ok').length).toBeGreaterThan(acknowledgedBefore + 10);
      await broker.start(true);
      await sleep(2_000);
      writing = false;
      await Promise.all(writers);
      await cluster.converged(30_000);

      // The committed history, as a node's changelog has it, and the publisher caught up with it:
      // the last write is the last change.
      const leader = await cluster.leader();
      const last = await send(leader, ledgerEntry(nextTag++));
      expect(last.status).toBe('ok');
      outcomes.push(last);
      const lastLsn = last.lsn!;
      const stream = await subscribe(leader.port, `${tables.map((table) => `table=${table}`).join('&')}&from=0`);
      await stream.waitFor((event) => event.type === 'change' && BigInt(event.lsn!) === lastLsn, 30_000);
      stream.close();
      const history = stream.events.filter((event) => event.type === 'change').map(historyChange);
      await waitPublished(leader, lastLsn, 'the leader to publish the whole changelog', 90_000);

      const registry = new RegistryClient({ host: leader.url });
      const published: Change[] = [];
      const partitionOrder = new Map<string, { lsn: bigint; offset: string }>();
      for (const table of tables) {
        for (const record of await readCommittedRecords(kafka, `${prefix}.app.${table}`)) {
          const key = Number(((await registry.decode(record.key)) as { id: number }).id);
          if (record.value === null) {
            published.push({ table, key, lsn: -1n, op: 'tombstone', after: null, txId: '' });
            continue;
          }
          const envelope = (await registry.decode(record.value)) as { op: string; after: Record<string, unknown> | null; source: { lsn: unknown }; transaction: { id: string } | null };
          const change: Change = { table, key, lsn: BigInt(String(envelope.source.lsn)), op: envelope.op, after: envelope.after, txId: String(envelope.transaction?.id) };
          // Within a partition, commit order.
          const partition = `${table}#${record.partition}`;
          const previous = partitionOrder.get(partition);
          expect(change.lsn > (previous?.lsn ?? -1n), `${partition} out of order: lsn ${change.lsn} at offset ${record.offset} after lsn ${previous?.lsn} at offset ${previous?.offset}`).toBe(true);
          partitionOrder.set(partition, { lsn: change.lsn, offset: record.offset });
          published.push(change);
        }
      }
      const events = published.filter((change) => change.op !== 'tombstone');

      // Per table and key, exactly the committed history: nothing lost, nothing twice, in order.
      expect(history.length).toBeGreaterThan(100);
      expect(new Set(events.map((event) => event.lsn)).size).toBe(events.length);
      const publishedLogs = new Map<string, string[]>();
      for (const change of published) {
        const name = `${change.table}/${change.key}`;
        const entry = change.op === 'tombstone' ? 'tombstone' : `${change.op}@${change.lsn}`;
        publishedLogs.get(name)?.push(entry) ?? publishedLogs.set(name, [entry]);
      }
      expect(publishedLogs).toEqual(keyLog(history));
      const historyByLsn = new Map(history.map((change) => [change.lsn, change]));
      for (const event of events) {
        expect(event.after, `after of ${event.lsn}`).toEqual(historyByLsn.get(event.lsn)!.after);
        expect(event.txId, `transaction of ${event.lsn}`).toBe(historyByLsn.get(event.lsn)!.txId);
      }

      // No event from a failed write; every acknowledged one that changed a row is there.
      const tags = new Set(events.flatMap((event) => (event.after === null ? [] : [Number(event.after['v'])])));
      const ok = outcomes.filter((outcome) => outcome.status === 'ok');
      for (const outcome of outcomes) {
        if (outcome.status === 'failed' || outcome.write.doomed) expect(tags.has(outcome.write.tag), `failed write ${outcome.write.tag}`).toBe(false);
        const writesAValue = outcome.write.statements.some((statement) => !statement.sql.startsWith('DELETE'));
        if (outcome.status === 'ok' && outcome.rowsAffected > 0 && writesAValue) expect(tags.has(outcome.write.tag), `acknowledged write ${outcome.write.tag}`).toBe(true);
      }
      expect(ok.length).toBeGreaterThan(100);
      expect(outcomes.some((outcome) => outcome.write.doomed && outcome.status === 'failed')).toBe(true);
      expect(events.some((event) => event.op === 'u') && events.some((event) => event.op === 'd')).toBe(true);

      // The rows the cluster holds are the ones the events leave.
      for (const table of tables) {
        const rows = new Map<number, unknown>();
        for (const event of events.filter((change) => change.table === table)) {
          if (event.op === 'd') rows.delete(event.key);
          else rows.set(event.key, Number(event.after!['v']));
        }
        const held = (await leader.sql(`SELECT id, v FROM ${table} ORDER BY id`)).body.results![0]!.rows;
        expect(held).toEqual([...rows.entries()].sort(([a], [b]) => a - b).map(([id, v]) => [id, v]));
      }

      // Each transaction's BEGIN and END, once each, the END counting its events per table.
      const markers = new Map<string, { status: string; event_count: unknown; data_collections: { data_collection: string; event_count: unknown }[] | null }[]>();
      for (const record of await readCommittedRecords(kafka, `${prefix}._transactions`)) {
        const marker = (await registry.decode(record.value!)) as { status: string; id: string; event_count: unknown; data_collections: { data_collection: string; event_count: unknown }[] | null };
        markers.get(marker.id)?.push(marker) ?? markers.set(marker.id, [marker]);
      }
      const byTransaction = new Map<string, Change[]>();
      for (const event of [...events].sort((a, b) => (a.lsn < b.lsn ? -1 : 1))) byTransaction.get(event.txId)?.push(event) ?? byTransaction.set(event.txId, [event]);
      expect([...markers.keys()].sort()).toEqual([...byTransaction.keys()].sort());
      for (const [txId, enclosed] of byTransaction) {
        const counts = new Map<string, number>();
        for (const event of enclosed) counts.set(`app.${event.table}`, (counts.get(`app.${event.table}`) ?? 0) + 1);
        const [begin, end, ...more] = markers.get(txId)!;
        expect(more, `markers of ${txId}`).toEqual([]);
        expect(begin!.status).toBe('BEGIN');
        expect(end!.status).toBe('END');
        expect(Number(end!.event_count)).toBe(enclosed.length);
        expect(end!.data_collections!.map((collection) => [collection.data_collection, Number(collection.event_count)])).toEqual([...counts.entries()]);
      }

      // Followers note Kafka's checkpoint for their changelog retention.
      const checkpoint = (await leader.status()).kafka.published_lsn;
      const followers = cluster.nodes.filter((node) => node !== leader);
      await pollUntil(async () => (await Promise.all(followers.map((node) => node.status()))).every((status) => status.kafka.published_lsn === checkpoint), 20_000, 'the followers to note the checkpoint');
    } finally {
      await cluster.stop();
      await broker.stop();
      broker.removeHome();
    }
  });
});

// The furthest any node has published: a leader that takes over during the outage knows less.
async function publishedOnAny(nodes: readonly NodeProcess[]): Promise<bigint> {
  const positions = await Promise.all(nodes.map(async (node) => BigInt((await node.status()).kafka.published_lsn ?? -1)));
  return positions.reduce((furthest, lsn) => (lsn > furthest ? lsn : furthest), -1n);
}

// A write of the test's own that certainly succeeds: a ledger entry under a fresh tag.
function ledgerEntry(tag: number): Write {
  return { tag, statements: [{ sql: 'INSERT INTO ledger VALUES (?, ?, ?)', params: [tag, 0, tag] }], doomed: false };
}

async function waitPublished(node: NodeProcess, lsn: bigint, what: string, timeoutMs = 30_000): Promise<void> {
  await pollUntil(async () => {
    const published = (await node.status()).kafka.published_lsn;
    return published !== null && BigInt(published) >= lsn;
  }, timeoutMs, what);
}

async function pollUntil(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}
