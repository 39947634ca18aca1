// Tails the changelog from a checkpoint and produces every row change to Kafka, off the write
// path: notify() only schedules a round, and the loop never throws into the node. It retries
// forever with capped exponential backoff while Kafka is unreachable; what is not yet
// published when the node stops is published after it restarts.
//
// A round is the unit of delivery: its events and its checkpoint reach Kafka together, in one
// transaction by default (exactly once), or events first and checkpoint after (at least
// once); publish-delivery.ts holds the two. Every (re)connection reads the checkpoint back from
// Kafka, so a publisher on a new leader continues exactly where the old one's last committed
// round ended. In a cluster only the leader runs a publisher (main.ts starts and stops it).
//
// A failed assertion is a bug, not an outage: the publisher stops and raises an alarm in
// /v1/status rather than retrying the same round forever; writes go on.
import kafkajs from 'kafkajs';
import type { Admin, CompressionTypes, Kafka, KafkaConfig, LogEntry, Producer } from 'kafkajs';
import { AssertionError, assert } from '../base/assert.js';
import {
  kafkaMessageBytesMax,
  publishChangesPerRoundMax,
  publishRetryDelayMsMax,
  publishRetryDelayMsMin,
} from '../base/limits.js';
import { indexOfLsn, lsnOf } from '../storage/lsn.js';
import { isDdlRecord } from '../storage/types.js';
import type { ChangeRecord, ChangelogRecord, TableDef } from '../storage/types.js';
import { atLeastOnceDelivery, exactlyOnceDelivery, readKafkaCheckpoint } from './publish-delivery.js';
import type { CheckpointLocation, Delivery, DeliveryMode, KafkaCompression, TopicMessages } from './publish-delivery.js';
import { isValidTopicPrefix, topicName } from './avro-schemas.js';
import { ChangeEncoder, newKeyHeader, oldKeyHeader } from './change-encoder.js';
import type { KafkaMessage } from './change-encoder.js';
import type { TopicCleanupPolicy } from './topic-config.js';
import { ResolvedMarkerEncoder } from './resolved-markers.js';
import { RoundAhead } from './round-ahead.js';
import { SchemaChangeEncoder, schemaChangeOfDdl, schemaChangeOfTruncate } from './schema-change-events.js';
import type { SchemaChange } from './schema-change-events.js';
import { SnapshotReader } from './initial-snapshot.js';
import type { InitialSnapshotMode, SnapshotProgress, SnapshotSource } from './initial-snapshot.js';
import { TableSelection } from './table-selection.js';
import type { SelectionPatterns } from './table-selection.js';
import { decodeCheckpointMetadata, encodeCheckpointMetadata, noMetadata, progressOf, snapshotStateOf } from './checkpoint-metadata.js';
import type { CheckpointMetadata, SnapshotScope } from './checkpoint-metadata.js';
import { TransactionMarkerEncoder } from './transaction-markers.js';
import { TransactionOrder, offsetInEntry } from './transaction-order.js';


// Where the checkpoint's metadata (checkpoint-metadata.ts) is noted on the node: at least once,
// it is the only copy. The older key held an initial snapshot's progress alone.
const checkpointMetadataKey = 'kafka.checkpoint_metadata';
const snapshotProgressKey = 'kafka.snapshot_progress';

// What the publisher needs from storage.
export interface ChangelogSource extends SnapshotSource {
  // Every change at or below this lsn may have been pruned (0n: none was).
  changelogPrunedThrough(): bigint;
  // Changes with lsn >= fromLsn, in lsn order, at most `limit`.
  readChanges(fromLsn: bigint, limit: number): readonly ChangelogRecord[];
  // Any version of any table ever created, dropped ones too: the changelog outlives them, and
  // each record is encoded with the version that wrote it.
  tableVersion(id: number, version: number): TableDef | undefined;
  // The current version of every table ever created, and a live table by name: the live ones
  // get resolved watermarks.
  allTables(): readonly TableDef[];
  table(database: string, name: string): TableDef | undefined;
  // Node-local, not replicated: the checkpoint belongs to the node that published.
  getLocal(key: string): unknown;
  putLocal(key: string, value: unknown): Promise<void>;
}

export interface PublisherLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface KafkaPublisherOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly logger: PublisherLogger;
  // Topics are `<topicPrefix>.<database>.<table>`; default 'tide'.
  readonly topicPrefix?: string;
  readonly topicPartitions?: number;
  readonly topicReplicationFactor?: number;
  // cleanup.policy of the topics the publisher creates; default 'compact', which keeps the
  // latest event per key (and, with tombstones, drops deleted keys).
  readonly topicCleanupPolicy?: TopicCleanupPolicy;
  // A null-valued message after each delete, so that compaction removes the key; default true.
  readonly tombstones?: boolean;
  // BEGIN and END markers of every transaction on <prefix>._transactions; default true. A
  // single-row transaction is then three messages: consumers that do not reassemble
  // transactions publish a third as many without them.
  readonly transactionMarkers?: boolean;
  // How often the resolved watermarks go out on <prefix>._resolved; 0: never. Default 1000.
  readonly resolvedIntervalMs?: number;
  // source.version in events; defaults to package.json's version.
  readonly connectorVersion?: string;
  // Default 'exactly-once' (publish-delivery.ts).
  readonly delivery?: DeliveryMode;
  // Names the publisher in Kafka (its transactional.id and checkpoint group): the same on every
  // node of a cluster, so that a new leader's producer fences the old one. Default 'tidedb'.
  readonly publisherName?: string;
  // Which tables publish (--kafka-include/--kafka-exclude); default all. The changes of the
  // others are passed over: no events, no places in their transactions, no markers for a
  // transaction that changed none of the published tables.
  readonly tables?: TableSelection;
  // Compression of the record batches; default none.
  readonly compression?: KafkaCompression;
  // When the first publishing (no checkpoint) starts with the tables' rows as op r events:
  // 'auto' (default) when the changelog has been pruned and so cannot replay every table's
  // history, 'always', or 'never'.
  readonly initialSnapshot?: InitialSnapshotMode;
  // The index of the last entry in this node's Raft log. A leader's log holds every committed
  // entry, so a checkpoint in Kafka past it was not written by this cluster's history: another
  // cluster (or this one's data before it was wiped) published under the same topic prefix and
  // publisher name, and its positions mean nothing here. The publisher stops with an alarm
  // rather than skip this cluster's changes up to the foreign position. Unset: not checked.
  readonly logEnd?: () => bigint;
  // The client's TLS and SASL settings, as kafkajs takes them; default plaintext.
  readonly ssl?: KafkaConfig['ssl'];
  readonly sasl?: KafkaConfig['sasl'];
}

// Short internal retries for every kafkajs client: the publisher's loop owns retrying
// (forever, with backoff), and a long kafkajs retry would only delay stop().
const kafkaClientRetry = { initialRetryTime: publishRetryDelayMsMin, maxRetryTime: publishRetryDelayMsMax, retries: 2 } as const;

// The producer's own retries start sooner: right after a transaction commits, the broker
// answers the next one's first request with CONCURRENT_TRANSACTIONS until the commit markers
// are written, a few milliseconds; waiting the client-wide 100 ms each time was the p99 of
// commit-to-consumer latency.
const producerRetry = { ...kafkaClientRetry, initialRetryTime: 5, retries: 6 } as const;

export const checkpointKey = 'kafka.published_lsn';

// kafkajs is CommonJS and assembles its exports in ways Node's named-export detection may
// miss; the default import is always the whole exports object.
const { Kafka: KafkaClient, logLevel, Partitioners, CompressionTypes: compressions } = kafkajs;

const compressionTypes: Readonly<Record<KafkaCompression, CompressionTypes>> = { none: compressions.None, gzip: compressions.GZIP };

export class KafkaPublisher {
  private readonly kafka: Kafka;
  private readonly encoder: ChangeEncoder;
  private readonly logger: PublisherLogger;
  private readonly topicPartitions: number;
  private readonly topicReplicationFactor: number;
  private readonly topicCleanupPolicy: TopicCleanupPolicy;
  private readonly tombstones: boolean;
  private readonly transactionMarkers: boolean;
  private readonly transactionOrder: TransactionOrder;
  private readonly markers: TransactionMarkerEncoder;
  private readonly resolved: ResolvedMarkerEncoder;
  private readonly schemaChanges: SchemaChangeEncoder;
  private readonly resolvedIntervalMs: number;
  private readonly topicPrefix: string;
  // When the next resolved watermarks are due (Date.now() scale); 0: at the first chance.
  private resolvedDueAtMs = 0;
  // Created once per process: a topic that exists stays, and asking again costs a round trip.
  private readonly createdTopics = new Set<string>();
  private readonly selectedVersions = new WeakMap<TableDef, boolean>();

  private readonly delivery: Delivery;
  private readonly tables: TableSelection;
  private readonly checkpoint: CheckpointLocation;
  private connection: { readonly producer: Producer; readonly admin: Admin } | null = null;
  private lastPublishedLsn: bigint | null = null;
  // Set when an assertion failed: the publisher stopped, and says why in /v1/status.
  private alarmMessage: string | null = null;
  private readonly initialSnapshot: InitialSnapshotMode;
  private readonly logEnd: (() => bigint) | undefined;
  // A snapshot in progress, if any (initial-snapshot.ts): of every published table, or of the
  // tables a changed selection added.
  private snapshot: PublisherSnapshot | null = null;
  // The selection the changes up to the checkpoint were published under, when known: a
  // selection that publishes more tables than it starts with a snapshot of those.
  private publishedSelection: SelectionPatterns | null = null;
  // What a round of changes commits with its checkpoint: the selection in force, no snapshot.
  private readonly roundMetadata: string;
  // The metadata last noted on the node, so an unchanged one is not written again every round.
  private notedMetadata: string | null = null;
  // The next round, read and encoded while the last one's transaction was on the wire.
  private readonly roundAhead = new RoundAhead<EncodedRound>((fromLsn) => this.readRound(fromLsn));
  private loop: Promise<void> | null = null;
  private stopping = false;
  // Set by notify() so a change applied while a round runs is not slept through.
  private changesNotified = false;
  private wakeOnNotify: (() => void) | null = null;
  private wakeOnStop: (() => void) | null = null;
  private clearTimer: (() => void) | null = null;

  constructor(
    private readonly source: ChangelogSource,
    options: KafkaPublisherOptions,
  ) {
    const topicPrefix = options.topicPrefix ?? 'tide';
    if (!isValidTopicPrefix(topicPrefix)) throw new Error(`invalid topic prefix ${JSON.stringify(topicPrefix)}`);
    if (options.brokers.length === 0) throw new Error('no Kafka brokers given');
    this.logger = options.logger;
    this.topicPartitions = options.topicPartitions ?? 1;
    this.topicReplicationFactor = options.topicReplicationFactor ?? 1;
    this.topicCleanupPolicy = options.topicCleanupPolicy ?? 'compact';
    this.tombstones = options.tombstones ?? true;
    this.transactionMarkers = options.transactionMarkers ?? true;
    this.tables = options.tables ?? TableSelection.all;
    this.initialSnapshot = options.initialSnapshot ?? 'auto';
    this.logEnd = options.logEnd;
    this.roundMetadata = encodeCheckpointMetadata({ published: this.tables.patterns, snapshot: null });
    this.transactionOrder = new TransactionOrder((fromLsn, limit) => source.readChanges(fromLsn, limit), (change) => this.publishes(change));
    this.markers = new TransactionMarkerEncoder(topicPrefix);
    this.resolved = new ResolvedMarkerEncoder(topicPrefix);
    this.resolvedIntervalMs = options.resolvedIntervalMs ?? 1_000;
    assert(Number.isInteger(this.resolvedIntervalMs) && this.resolvedIntervalMs >= 0);
    this.topicPrefix = topicPrefix;
    const publisherName = options.publisherName ?? 'tidedb';
    this.checkpoint = { topic: checkpointTopicName(topicPrefix), groupId: `${topicPrefix}.publisher.${publisherName}` };
    const compression = compressionTypes[options.compression ?? 'none'];
    this.delivery =
      (options.delivery ?? 'exactly-once') === 'exactly-once'
        ? exactlyOnceDelivery(`${topicPrefix}.publisher.${publisherName}`, this.checkpoint, compression)
        : atLeastOnceDelivery(this.checkpoint, compression);
    assert(Number.isInteger(this.topicPartitions) && this.topicPartitions >= 1);
    assert(Number.isInteger(this.topicReplicationFactor) && this.topicReplicationFactor >= 1);
    this.encoder = new ChangeEncoder({
      topicPrefix,
      ...(options.connectorVersion === undefined ? {} : { connectorVersion: options.connectorVersion }),
    });
    this.schemaChanges = new SchemaChangeEncoder(topicPrefix, this.encoder.connectorVersion);
    this.kafka = new KafkaClient({
      clientId: options.clientId,
      brokers: [...options.brokers],
      ...(options.ssl === undefined ? {} : { ssl: options.ssl }),
      ...(options.sasl === undefined ? {} : { sasl: options.sasl }),
      retry: kafkaClientRetry,
      logLevel: logLevel.WARN,
      logCreator: () => (entry) => this.logKafka(entry),
    });
  }

  // The lsn of the last change the broker acknowledged, or null if none yet.
  publishedLsn(): bigint | null {
    return this.lastPublishedLsn;
  }

  get deliveryMode(): DeliveryMode {
    return this.delivery.mode;
  }

  // Why the publisher stopped on its own (a failed assertion), or null while it runs.
  alarm(): string | null {
    return this.alarmMessage;
  }

  start(): void {
    assert(this.loop === null, 'publisher started twice');
    this.lastPublishedLsn = readCheckpoint(this.source.getLocal(checkpointKey));
    this.logger.info(`kafka publisher: starting after lsn ${this.lastPublishedLsn ?? 'none'}`);
    this.changesNotified = true;
    this.loop = this.run();
  }

  // For a node that does not publish (a follower): notes Kafka's checkpoint locally, so that its
  // changelog retention drops what the leader's publisher has taken and keeps the rest. Uses
  // this publisher's client without starting it.
  async noteKafkaCheckpoint(stillFollowing: () => boolean): Promise<void> {
    assert(this.loop === null, 'a running publisher keeps its own checkpoint');
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const checkpoint = await readKafkaCheckpoint(admin, this.checkpoint);
      // A foreign checkpoint (see logEnd) is not this cluster's position: retention must not go by it.
      if (checkpoint !== null && !this.isForeign(checkpoint.lsn) && stillFollowing()) await this.source.putLocal(checkpointKey, checkpoint.lsn);
    } finally {
      await admin.disconnect();
    }
  }

  // There may be new changes. Never blocks and never throws: it only wakes the loop.
  notify(): void {
    this.changesNotified = true;
    this.wakeOnNotify?.();
  }

  // Resolves once the loop has exited and the Kafka clients are closed. Closing them first
  // cuts a round in flight short instead of waiting out kafkajs timeouts; its checkpoint was
  // not written, so it is published again after the next start.
  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeOnStop?.();
    await this.disconnect();
    await this.loop;
    await this.disconnect();
  }

  private async run(): Promise<void> {
    let retryDelayMs = publishRetryDelayMsMin;
    while (!this.stopping) {
      this.changesNotified = false;
      let publishedCount: number;
      try {
        publishedCount = await this.publishRound();
        await this.publishResolvedIfDue();
        retryDelayMs = publishRetryDelayMsMin;
      } catch (error) {
        if (this.stopping) break;
        // A failed assert is a bug here or upstream, not an outage: retrying would fail the same
        // way forever, and skipping the change would break the promise that every committed
        // change is published. The publisher stops and raises its alarm; writes go on, and the
        // changelog keeps what is unpublished.
        if (error instanceof AssertionError) {
          this.alarmMessage = `publisher stopped after lsn ${this.lastPublishedLsn ?? 'none'}: ${describe(error)}`;
          this.logger.error(`kafka publisher: ${this.alarmMessage}`);
          await this.disconnect();
          break;
        }
        this.logger.warn(`kafka publisher: round failed, retrying in ${retryDelayMs} ms: ${describe(error)}`);
        // A producer that failed may be in a state only a new one gets out of (e.g. an
        // idempotent producer after a sequence error), so every retry starts afresh.
        await this.disconnect();
        await this.backoff(retryDelayMs);
        retryDelayMs = Math.min(retryDelayMs * 2, publishRetryDelayMsMax);
        continue;
      }
      if (publishedCount === 0 && !this.changesNotified) await this.idle();
    }
  }

  // Publishes the changes after the checkpoint, up to the round's bounds; returns how many.
  private async publishRound(): Promise<number> {
    // Connected first: a new connection reads the checkpoint this round starts after.
    const { producer, admin } = await this.connect();
    if (this.snapshot !== null) return this.publishSnapshotRound(producer, admin, this.snapshot);
    const fromLsn = this.lastPublishedLsn === null ? 0n : this.lastPublishedLsn + 1n;
    // Changes after the checkpoint that retention has removed can never be published: say so
    // (the alarm) rather than carry on from the next change that survived.
    const prunedThrough = this.source.changelogPrunedThrough();
    assert(prunedThrough === 0n || prunedThrough < fromLsn, `the changelog was pruned through lsn ${prunedThrough}, past the checkpoint ${this.lastPublishedLsn ?? 'none'}: changes after it are lost to Kafka`);
    const round = this.roundAhead.take(fromLsn);
    if (round === null) return 0;
    const { messages, lastLsn } = round;
    await this.ensureTopics(admin, messages.map((message) => message.topic));
    const sending = this.delivery.send(producer, admin, groupByTopic(messages), lastLsn, this.roundMetadata);
    // While this round's transaction is on the wire, the next one is read and encoded.
    const preparing = this.roundAhead.prepare(lastLsn + 1n, () => !this.stopping);
    try {
      await sending;
    } finally {
      await preparing;
    }
    await this.source.putLocal(checkpointKey, lastLsn);
    await this.noteMetadata(this.roundMetadata);
    this.lastPublishedLsn = lastLsn;
    this.publishedSelection = this.tables.patterns;
    return messages.length;
  }

  // The changes from `fromLsn` on, encoded as one round; null when there are none.
  private readRound(fromLsn: bigint): EncodedRound | null {
    const changes = this.source.readChanges(fromLsn, publishChangesPerRoundMax);
    return changes.length === 0 ? null : { fromLsn, ...this.encodeRound(changes) };
  }

  // First publishing with no checkpoint: with a changelog that no longer holds every table's
  // history (auto), or always when asked, the tables' rows go out first, as op r.
  private snapshotNeeded(): boolean {
    if (this.initialSnapshot === 'never') return false;
    return this.initialSnapshot === 'always' || this.source.changelogPrunedThrough() > 0n;
  }

  private beginSnapshot(): void {
    const view = this.source.openSnapshot();
    const atLsn = lsnOf(view.appliedIndex + 1n, 0) - 1n;
    view.done();
    const tableIds = this.snapshotTables('all', 0);
    this.logger.info(`kafka publisher: initial snapshot of ${tableIds.length} tables at lsn ${atLsn}`);
    this.snapshot = { scope: 'all', reader: new SnapshotReader(this.source, atLsn), progress: { atLsn, tsMs: Date.now(), tableIds, afterKey: null } };
  }

  // The selection now publishes tables the checkpoint's did not: their rows as of the
  // checkpoint go out first, then the changes after it, theirs included. Their earlier changes
  // never were, and are not, published: the snapshot stands for them.
  private beginAddedSnapshot(atLsn: bigint): boolean {
    const tableIds = this.snapshotTables('added', 0);
    if (tableIds.length === 0) return false;
    this.logger.info(`kafka publisher: ${this.tables.text} adds ${tableIds.length} tables to those published; snapshot of them at lsn ${atLsn}, the checkpoint`);
    this.snapshot = { scope: 'added', reader: new SnapshotReader(this.source, atLsn), progress: { atLsn, tsMs: Date.now(), tableIds, afterKey: null } };
    return true;
  }

  // The live tables a snapshot of `scope` reads from `firstId` on, in id order: every published
  // one, or those the checkpoint's selection did not publish.
  private snapshotTables(scope: SnapshotScope, firstId: number): number[] {
    const before = scope === 'added' && this.publishedSelection !== null ? TableSelection.of(this.publishedSelection) : null;
    return this.source
      .allTables()
      .filter((table) => table.id >= firstId && this.source.liveTable(table.id) !== undefined && this.tables.publishes(table.database, table.name) && (scope === 'all' || (before !== null && !before.publishes(table.database, table.name))))
      .map((table) => table.id);
  }

  // One chunk of a snapshot, committed with its progress; the changes after the snapshot's lsn
  // follow once it is complete.
  private async publishSnapshotRound(producer: Producer, admin: Admin, { scope, reader, progress }: PublisherSnapshot): Promise<number> {
    let limit = publishChangesPerRoundMax;
    for (;;) {
      const chunk = reader.next(progress, limit);
      const messages = chunk.rows.map(({ table, row, last }) => this.encoder.encodeSnapshotRow(table, row, progress.atLsn, progress.tsMs, last));
      const bytes = messages.reduce((sum, message) => sum + message.key.length + message.value.length, 0);
      // A round is one record batch per partition at most kafkaMessageBytesMax: fewer rows.
      if (bytes > kafkaMessageBytesMax && limit > 1) {
        limit = Math.max(1, Math.floor(limit / 2));
        continue;
      }
      await this.ensureTopics(admin, messages.map((message) => message.topic));
      // Until the snapshot completes, the changes up to its lsn stand as published under the
      // selection before it; then under the one it published towards.
      const next = chunk.progress;
      const done = next === null;
      const metadata = encodeCheckpointMetadata({
        published: done ? this.tables.patterns : scope === 'added' ? this.publishedSelection : null,
        snapshot: done ? null : snapshotStateOf(scope, this.tables.patterns, next),
      });
      // At least once, Kafka's checkpoint moves only when the snapshot is complete: the progress
      // is this node's note, and another node taking over without it must start the snapshot
      // again (its rows may then come twice) rather than find a checkpoint that skips them.
      const checkpointLsn = this.delivery.mode === 'exactly-once' || done ? progress.atLsn : null;
      await this.delivery.send(producer, admin, groupByTopic(messages), checkpointLsn, metadata);
      await this.noteMetadata(metadata);
      await this.source.putLocal(checkpointKey, progress.atLsn);
      this.lastPublishedLsn = progress.atLsn;
      this.snapshot = done ? null : { scope, reader, progress: next };
      if (done) {
        this.publishedSelection = this.tables.patterns;
        this.logger.info(`kafka publisher: ${scope === 'all' ? 'initial snapshot' : 'snapshot of the added tables'} at lsn ${progress.atLsn} complete`);
      }
      // Progress was made even when a chunk had no rows (a dropped table passed over).
      return Math.max(messages.length, 1);
    }
  }

  // After a round, when the interval has passed: a watermark for every partition of every live
  // table's topic at the checkpoint, which the broker has acked. A table whose topic does not
  // exist yet gets its watermark too (its topic is created), so consumers see it from the start.
  private async publishResolvedIfDue(): Promise<void> {
    // Not during an initial snapshot: the rows up to its lsn are not all out yet.
    if (this.resolvedIntervalMs === 0 || this.lastPublishedLsn === null || this.snapshot !== null || Date.now() < this.resolvedDueAtMs) return;
    const live = this.source.allTables().filter((table) => this.source.table(table.database, table.name)?.id === table.id && this.tables.publishes(table.database, table.name));
    const topics = live.map((table) => topicName(this.topicPrefix, table));
    const markers = this.resolved.encode(topics, this.topicPartitions, this.lastPublishedLsn, Date.now());
    if (markers.length > 0) {
      const { producer, admin } = await this.connect();
      await this.ensureTopics(admin, markers.map((marker) => marker.topic));
      // A bounded batch per request; the markers of many tables go in several.
      for (let from = 0; from < markers.length; from += publishChangesPerRoundMax) {
        await this.delivery.send(producer, admin, groupByTopic(markers.slice(from, from + publishChangesPerRoundMax)), null);
      }
    }
    this.resolvedDueAtMs = Date.now() + this.resolvedIntervalMs;
  }

  // Encodes changes in lsn order until the round's byte budget is used; the rest wait for the
  // next round. The budget matches the topics' max.message.bytes, since one partition's share
  // of a round goes to the broker as one record batch. The two events of a primary-key change
  // always go in one round: each carries the other's key in a header.
  private encodeRound(changes: readonly ChangelogRecord[]): { messages: KafkaMessage[]; lastLsn: bigint } {
    const messages: KafkaMessage[] = [];
    let roundBytes = 0;
    let lastLsn: bigint | null = null;
    for (let at = 0; at < changes.length; ) {
      const change = changes[at]!;
      assert(lastLsn === null || change.lsn > lastLsn, 'changelog out of lsn order');
      const next = changes[at + 1];
      // A delete last in a full read may be the first half of a key change whose create was
      // not read: it waits for the next round, which starts with it.
      if (change.op === 'd' && next === undefined && changes.length === publishChangesPerRoundMax && messages.length > 0) break;
      const published = this.publishes(change);
      // Asked before the unit takes its places: a transaction opens at its first published change.
      const opens = published && this.transactionOrder.opensEntry(change) && this.transactionMarkers;
      const unit = published ? this.encodeUnit(change as ChangeRecord, next) : this.passOver(change);
      // A schema change (or a truncate) also goes to its database's `_schema` topic, in the
      // same round and so the same Kafka transaction as the row events around it.
      const schemaChange = this.schemaChangeOf(change);
      if (schemaChange !== null) unit.messages.push(this.schemaChanges.encode(schemaChange));
      const last = changes[at + unit.changes - 1]!;
      if (opens) unit.messages.unshift(this.markers.begin(indexOfLsn(change.lsn), change.tsMs));
      if (this.transactionMarkers && this.transactionOrder.entryHasPlaces() && this.endsEntry(last, changes[at + unit.changes])) unit.messages.push(this.endMarker(last));
      const unitBytes = unit.messages.reduce((sum, message) => sum + (message.key?.length ?? 0) + (message.value?.length ?? 0), 0);
      assert(unitBytes <= kafkaMessageBytesMax, `change ${change.lsn} encodes to ${unitBytes} bytes`);
      if (messages.length > 0 && roundBytes + unitBytes > kafkaMessageBytesMax) break;
      messages.push(...unit.messages);
      roundBytes += unitBytes;
      lastLsn = last.lsn;
      at += unit.changes;
    }
    assert(lastLsn !== null);
    return { messages, lastLsn };
  }

  // The messages of one change, or of two when `change` and `next` are a primary-key change:
  // the SQL layer writes it as the old key's delete right before the new key's create, in one
  // transaction. (A transaction that deletes a row and then inserts another of the same table
  // reads the same, and gets the headers too: to a keyed consumer the two are the same.)
  private encodeUnit(change: ChangeRecord, next: ChangelogRecord | undefined): { messages: KafkaMessage[]; changes: number } {
    if (change.op === 't') return { messages: this.encoder.encodeTruncate(change, this.tableOf(change), this.transactionOrder.place(change), this.topicPartitions), changes: 1 };
    const deleted = this.encodeChange(change);
    const keyChange =
      change.op === 'd' && next !== undefined && next.op === 'c' && next.tableId === change.tableId && next.lsn === change.lsn + 1n && offsetInEntry(next.lsn) > 0;
    if (!keyChange) return { messages: this.withTombstone(change, [deleted]), changes: 1 };
    const created = this.encodeChange(next as ChangeRecord);
    if (created.key.equals(deleted.key)) return { messages: this.withTombstone(change, [deleted]), changes: 1 };
    return {
      messages: [
        ...this.withTombstone(change, [{ ...deleted, headers: { [newKeyHeader]: created.key } }]),
        { ...created, headers: { [oldKeyHeader]: deleted.key } },
      ],
      changes: 2,
    };
  }

  // A change of a table that does not publish: counted in its transaction, sent nowhere.
  private passOver(change: ChangelogRecord): { messages: KafkaMessage[]; changes: number } {
    this.transactionOrder.skip(change);
    return { messages: [], changes: 1 };
  }

  // A truncate is published only to topics that take keyless records: the broker refuses a
  // record without a key on a compacted topic (INVALID_RECORD), so with `compact` (the
  // default) or `compact,delete` the truncate event is left out, with no place in its
  // transaction (CDC DESIGN.md, "Truncate").
  private publishes(change: ChangelogRecord): boolean {
    // Schema changes are not table events: they go to `_schema` (schemaChangeOf), without a
    // place in their transaction, as Debezium's are outside its transaction metadata.
    if (isDdlRecord(change)) return false;
    return this.selects(this.tableOf(change)) && (change.op !== 't' || this.topicCleanupPolicy === 'delete');
  }

  // Whether the selection publishes `table`, remembered per table version (whose name never
  // changes): asked up to three times for every change, its place in its transaction included.
  private selects(table: TableDef): boolean {
    let selected = this.selectedVersions.get(table);
    if (selected === undefined) this.selectedVersions.set(table, (selected = this.tables.publishes(table.database, table.name)));
    return selected;
  }

  // The `_schema` event of a schema change or a truncate of a published table (or, for CREATE
  // and DROP DATABASE, of a database whose tables may publish); null for anything else.
  private schemaChangeOf(change: ChangelogRecord): SchemaChange | null {
    if (isDdlRecord(change)) {
      if (change.table === null) return this.tables.publishesDatabase(change.database) ? schemaChangeOfDdl(change, null) : null;
      if (!this.tables.publishes(change.database, change.table)) return null;
      const definition = this.source.tableVersion(change.tableId!, change.schemaVersion!);
      assert(definition !== undefined, `schema change ${change.lsn} names unknown table ${change.tableId} version ${change.schemaVersion}`);
      return schemaChangeOfDdl(change, definition);
    }
    if (change.op !== 't') return null;
    const table = this.tableOf(change);
    return this.tables.publishes(table.database, table.name) ? schemaChangeOfTruncate(change, table) : null;
  }

  private tableOf(change: ChangeRecord): TableDef {
    const table = this.source.tableVersion(change.tableId, change.schemaVersion);
    assert(table !== undefined, `change ${change.lsn} names unknown table ${change.tableId} version ${change.schemaVersion}`);
    return table;
  }

  // Whether `change` is the last of its entry. The changelog holds applied entries whole, so
  // when nothing follows it, its entry is complete.
  private endsEntry(change: ChangelogRecord, next: ChangelogRecord | undefined): boolean {
    const following = next ?? this.source.readChanges(change.lsn + 1n, 1)[0];
    return following === undefined || indexOfLsn(following.lsn) !== indexOfLsn(change.lsn);
  }

  // The END marker of the entry whose last change is `last`, just placed.
  private endMarker(last: ChangelogRecord): KafkaMessage {
    const counts = this.transactionOrder.countsOfEntry(last).map(({ tableId, schemaVersion, count }) => {
      const table = this.source.tableVersion(tableId, schemaVersion);
      assert(table !== undefined);
      return { dataCollection: `${table.database}.${table.name}`, eventCount: count };
    });
    return this.markers.end(indexOfLsn(last.lsn), last.tsMs, counts);
  }

  private encodeChange(change: ChangeRecord): KafkaMessage & { readonly key: Buffer; readonly value: Buffer } {
    return this.encoder.encode(change, this.tableOf(change), this.transactionOrder.place(change));
  }

  private withTombstone(change: ChangelogRecord, messages: KafkaMessage[]): KafkaMessage[] {
    if (change.op === 'd' && this.tombstones) messages.push(ChangeEncoder.tombstoneOf(messages[0]!));
    return messages;
  }

  private async connect(): Promise<{ producer: Producer; admin: Admin }> {
    if (this.connection !== null) return this.connection;
    const producer = this.kafka.producer({
      ...this.delivery.producerConfig(),
      // Java-compatible murmur2, so a key lands on the partition a Java producer would pick.
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: producerRetry,
    });
    const admin = this.kafka.admin();
    // Kept before connecting, so that stop() can close a connect still in flight.
    this.connection = { producer, admin };
    await producer.connect();
    await admin.connect();
    if (this.stopping) {
      // stop() ran while this connect was in flight and could not close what it had not yet
      // opened; close it here so no connection outlives the publisher.
      await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
      throw new Error('publisher stopped');
    }
    // Read once this producer has claimed the publisher's name: exactly once, that fenced any
    // older producer and ended its open transaction, so what Kafka says now is final. Another
    // publisher may have moved it since this one last connected.
    await this.delivery.claim(producer);
    await this.ensureTopics(admin, [this.checkpoint.topic]);
    const checkpoint = await readKafkaCheckpoint(admin, this.checkpoint);
    if (checkpoint !== null && this.isForeign(checkpoint.lsn)) {
      throw new AssertionError(
        `Kafka's checkpoint for ${this.checkpoint.groupId} (lsn ${checkpoint.lsn}, log index ${indexOfLsn(checkpoint.lsn)}) is past this node's log (last index ${this.logEnd?.()}): ` +
          'another cluster, or this one before its data was wiped, published under the same topic prefix and publisher name. Give this cluster its own --topic-prefix (or --cluster-id), or delete that consumer group',
      );
    }
    if (checkpoint !== null && checkpoint.lsn !== this.lastPublishedLsn) {
      if (this.lastPublishedLsn !== null && checkpoint.lsn < this.lastPublishedLsn) this.logger.warn(`kafka publisher: Kafka's checkpoint, lsn ${checkpoint.lsn}, is behind lsn ${this.lastPublishedLsn}, which this node saw published`);
      this.logger.info(`kafka publisher: continuing after lsn ${checkpoint.lsn}, Kafka's checkpoint`);
      this.lastPublishedLsn = checkpoint.lsn;
      await this.source.putLocal(checkpointKey, checkpoint.lsn);
    }
    // Exactly once, Kafka's metadata says under which selection the checkpoint was published and
    // how far a snapshot got; at least once, the node's own note does (written after each ack).
    this.resumeFrom(this.delivery.mode === 'exactly-once' ? decodeCheckpointMetadata(checkpoint?.metadata, this.tables.patterns) : this.notedCheckpointMetadata());
    if (checkpoint === null && this.lastPublishedLsn === null && this.snapshotNeeded()) this.beginSnapshot();
    return { producer, admin };
  }

  // Takes up what the checkpoint's metadata says: a snapshot to resume (or to begin again, when
  // the selection changed while it ran), or tables a changed selection adds.
  private resumeFrom(metadata: CheckpointMetadata): void {
    this.publishedSelection = metadata.published;
    const snapshot = metadata.snapshot;
    if (snapshot !== null) {
      const reader = this.snapshot?.reader.atLsn === snapshot.atLsn ? this.snapshot.reader : new SnapshotReader(this.source, snapshot.atLsn);
      const again = !this.tables.sameAs(snapshot.target);
      if (again) this.logger.info(`kafka publisher: the table selection changed during the snapshot at lsn ${snapshot.atLsn}; it begins again for ${this.tables.text}`);
      const progress = progressOf(again ? { ...snapshot, tableId: 0, afterKey: null } : snapshot, (firstId) => this.snapshotTables(snapshot.scope, firstId));
      this.snapshot = { scope: snapshot.scope, reader, progress };
      return;
    }
    this.snapshot = null;
    if (this.lastPublishedLsn !== null && metadata.published !== null && !this.tables.sameAs(metadata.published)) this.beginAddedSnapshot(this.lastPublishedLsn);
  }

  // Whether Kafka's checkpoint lies past this node's Raft log (see the logEnd option): written by
  // another history than this cluster's.
  private isForeign(checkpointLsn: bigint): boolean {
    return this.logEnd !== undefined && indexOfLsn(checkpointLsn) > this.logEnd();
  }

  private notedCheckpointMetadata(): CheckpointMetadata {
    const noted = (this.source.getLocal(checkpointMetadataKey) ?? this.source.getLocal(snapshotProgressKey)) as string | undefined;
    return noted === undefined ? noMetadata : decodeCheckpointMetadata(noted, this.tables.patterns);
  }

  private async noteMetadata(metadata: string): Promise<void> {
    if (metadata === this.notedMetadata) return;
    await this.source.putLocal(checkpointMetadataKey, metadata);
    this.notedMetadata = metadata;
  }

  private async disconnect(): Promise<void> {
    this.roundAhead.drop();
    const connection = this.connection;
    this.connection = null;
    if (connection === null) return;
    await Promise.allSettled([connection.producer.disconnect(), connection.admin.disconnect()]);
  }

  private async ensureTopics(admin: Admin, topics: readonly string[]): Promise<void> {
    const missing = [...new Set(topics)].filter((topic) => !this.createdTopics.has(topic));
    if (missing.length === 0) return;
    // Created explicitly rather than left to broker auto-creation, so the partition count,
    // replication and message size are ours, not the broker's defaults. An existing topic
    // is left as it is (createTopics answers false).
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => {
        // Markers keep one order on one partition; they expire by age, since BEGIN and END
        // share a key (compaction would drop every BEGIN) and old watermarks are history.
        // The schema changes too: one partition keeps them in order, and each is history.
        const markers = topic === this.markers.topic || topic === this.resolved.topic || topic === this.checkpoint.topic || this.schemaChanges.isTopic(topic);
        return {
          topic,
          numPartitions: markers ? 1 : this.topicPartitions,
          replicationFactor: this.topicReplicationFactor,
          configEntries: [
            { name: 'max.message.bytes', value: String(kafkaMessageBytesMax) },
            { name: 'cleanup.policy', value: markers ? 'delete' : this.topicCleanupPolicy },
          ],
        };
      }),
    });
    for (const topic of missing) this.createdTopics.add(topic);
  }

  // Waits for notify() or stop(), or until resolved watermarks are due: there is nothing to
  // publish until one of them.
  private idle(): Promise<void> {
    const untilResolvedMs = this.resolvedIntervalMs === 0 || this.lastPublishedLsn === null ? null : Math.max(0, this.resolvedDueAtMs - Date.now());
    return this.pause(untilResolvedMs, true);
  }

  // Waits out a retry delay; only stop() cuts it short. A notify() must not, or every write
  // during an outage would trigger a retry and the backoff would protect nothing.
  private backoff(delayMs: number): Promise<void> {
    return this.pause(delayMs, false);
  }

  private pause(delayMs: number | null, wakeOnNotify: boolean): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = delayMs === null ? null : setTimeout(resolve, delayMs);
      this.wakeOnStop = resolve;
      this.wakeOnNotify = wakeOnNotify ? resolve : null;
      this.clearTimer = () => {
        if (timer !== null) clearTimeout(timer);
      };
    }).finally(() => {
      this.clearTimer?.();
      this.clearTimer = null;
      this.wakeOnStop = null;
      this.wakeOnNotify = null;
    });
  }

  // kafkajs logs at ERROR what it then retries (a refused connection, a coordinator still
  // loading), several lines per attempt. The loop reports the outcome of every round itself, at
  // warn with the cause, so kafkajs's own lines go to debug: an outage is one line per retry.
  private logKafka(entry: LogEntry): void {
    this.logger.debug(`kafkajs ${entry.namespace}: ${entry.log.message}`);
  }
}

type OutgoingMessage = TopicMessages['messages'][number];

// A round's events, from its first change's lsn through its last.
interface EncodedRound {
  readonly fromLsn: bigint;
  readonly messages: KafkaMessage[];
  readonly lastLsn: bigint;
}

interface PublisherSnapshot {
  readonly scope: SnapshotScope;
  readonly reader: SnapshotReader;
  readonly progress: SnapshotProgress;
}

// The topic whose group offset holds the checkpoint; nothing is ever written to it.
export function checkpointTopicName(topicPrefix: string): string {
  return `${topicPrefix}._checkpoint`;
}

function groupByTopic(messages: readonly KafkaMessage[]): TopicMessages[] {
  const byTopic = new Map<string, OutgoingMessage[]>();
  for (const message of messages) {
    let list = byTopic.get(message.topic);
    if (list === undefined) byTopic.set(message.topic, (list = []));
    // Built field by field: a round holds thousands of messages, most with neither field.
    const outgoing: OutgoingMessage = { key: message.key, value: message.value };
    if (message.partition !== undefined) outgoing.partition = message.partition;
    if (message.headers !== undefined) outgoing.headers = { ...message.headers };
    list.push(outgoing);
  }
  return [...byTopic].map(([topic, list]) => ({ topic, messages: list }));
}

// The checkpoint as putLocal stored it (a bigint; msgpack may hand back a number).
export function readCheckpoint(stored: unknown): bigint | null {
  if (stored === undefined || stored === null) return null;
  assert(typeof stored === 'bigint' || (typeof stored === 'number' && Number.isSafeInteger(stored)), 'corrupt Kafka checkpoint');
  return BigInt(stored);
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
