// Turns one changelog record into the Kafka message a consumer sees: topic, key (the primary
// key) and value (the envelope), both Avro in the Confluent wire format. The message is a
// pure function of the record and its table version: re-publishing after a crash yields the
// same bytes, which keeps at-least-once duplicates exact and lets exactly-once build on it.
// Each record is encoded with the schema of the version that wrote it (its images are in that
// version's shape), under that version's schema ids.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type avsc from 'avsc';
import { assert, assertNever } from '../base/assert.js';
import { indexOfLsn } from '../storage/lsn.js';
import { holdsUnsignedBigint, integerRangeOf, isVisible } from '../storage/types.js';
import type { ChangeRecord, ColumnDef, Row, TableDef, Value } from '../storage/types.js';
import { decimalTypeOf } from '../values/column-assignment.js';
import { Decimal } from '../values/decimal.js';
import { JsonDocument } from '../values/json-document.js';
import { SqlDate, SqlDateTime, SqlTime } from '../values/temporal.js';
import { bigintToTwosComplement } from '../values/twos-complement.js';
import { avroType, envelopeSchema, keySchema, schemasDir, topicName } from './avro-schemas.js';
import { keySchemaId, valueSchemaId } from './schema-registry.js';
import { WireFormatWriter } from './wire-format-writer.js';

export interface KafkaMessage {
  readonly topic: string;
  // Null only for a truncate event (op t), which is about every key of its table.
  readonly key: Buffer | null;
  // Set where the publisher places the message itself (a truncate event goes to every
  // partition); otherwise the key decides.
  readonly partition?: number;
  // Null for a tombstone: the delete marker a compacted topic drops the key's rows for.
  readonly value: Buffer | null;
  readonly headers?: Readonly<Record<string, Buffer>>;
}

// A change event's place in its transaction (Debezium's transaction block), both 1-based.
export interface TransactionPlace {
  readonly totalOrder: number;
  readonly dataCollectionOrder: number;
}

// Debezium's headers on the two events of a primary-key change: the delete names the key the
// row moves to, the create the key it came from (each in the key's Avro wire format).
export const newKeyHeader = '__debezium.newkey';
export const oldKeyHeader = '__debezium.oldkey';

export interface ChangeEncoderOptions {
  readonly topicPrefix: string;
  // source.version in every event; defaults to the version in package.json.
  readonly connectorVersion?: string;
}

interface TableTypes {
  readonly topic: string;
  readonly key: avsc.Type;
  readonly keySchemaId: number;
  readonly envelope: avsc.Type;
  readonly valueSchemaId: number;
}

export class ChangeEncoder {
  readonly topicPrefix: string;
  readonly connectorVersion: string;
  // Building an avsc type costs far more than using it; a table version never changes once it
  // exists, so its types are built once. By table id, then version (no key to build per change).
  private readonly typesByVersion = new Map<number, Map<number, TableTypes>>();
  private readonly writer = new WireFormatWriter();
  // The transaction id of the last change encoded, and as text: the changes of an entry come
  // one after another and share it.
  private lastTxId = -1n;
  private lastTxIdText = '';

  constructor(options: ChangeEncoderOptions) {
    this.topicPrefix = options.topicPrefix;
    this.connectorVersion = options.connectorVersion ?? packageVersion();
  }

  // `table` is the version of the table that wrote the record. Without `place` (which needs the
  // transaction's earlier changes: TransactionOrder), the event's transaction block is null.
  encode(change: ChangeRecord, table: TableDef, place?: TransactionPlace): KafkaMessage & { readonly key: Buffer; readonly value: Buffer } {
    const image = change.after ?? change.before;
    assert(image !== null, `change ${change.lsn} has no row image`);
    const types = this.typesOf(table);
    return {
      topic: types.topic,
      key: this.writer.write(types.keySchemaId, types.key, keyRecord(table, image)),
      value: this.encodeEnvelope(change, table, types, place),
    };
  }

  // Debezium's truncate event (op t): no key, before and after null, the source filled in, one
  // copy on each of the topic's `partitions`, so that a consumer of any partition sees it after
  // the changes before it of the keys it holds (Debezium sends one, keyless, wherever its
  // partitioner puts it, and promises no order against the other partitions).
  encodeTruncate(change: ChangeRecord, table: TableDef, place: TransactionPlace, partitions: number): KafkaMessage[] {
    assert(change.op === 't' && change.before === null && change.after === null);
    const types = this.typesOf(table);
    const value = this.encodeEnvelope(change, table, types, place);
    const topic = types.topic;
    return Array.from({ length: partitions }, (_, partition) => ({ topic, key: null, value, partition }));
  }

  private encodeEnvelope(change: ChangeRecord, table: TableDef, types: TableTypes, place: TransactionPlace | undefined): Buffer {
    assert(change.tableId === table.id);
    assert(change.schemaVersion === table.version, `change ${change.lsn} of version ${change.schemaVersion} encoded with version ${table.version}`);
    // Longs of the envelope that are numbers here go as numbers (avro-bigint-long.ts).
    const tsMs = change.tsMs;
    const txId = indexOfLsn(change.lsn);
    const envelope = {
      before: change.before === null ? null : rowRecord(table, change.before),
      after: change.after === null ? null : rowRecord(table, change.after),
      source: {
        version: this.connectorVersion,
        connector: 'tidedb',
        name: this.topicPrefix,
        ts_ms: tsMs,
        // A live change; rows of the initial snapshot go through encodeSnapshotRow.
        snapshot: 'false',
        db: table.database,
        table: table.name,
        txId,
        lsn: change.lsn,
      },
      op: change.op,
      ts_ms: tsMs,
      transaction: place === undefined ? null : { id: this.txIdText(txId), total_order: place.totalOrder, data_collection_order: place.dataCollectionOrder },
    };
    return this.writer.write(types.valueSchemaId, types.envelope, envelope);
  }

  // A row of the initial snapshot (initial-snapshot.ts): op r, its value as after-image, the
  // snapshot's lsn as its position, and no transaction (it is no change of one).
  encodeSnapshotRow(table: TableDef, row: Row, atLsn: bigint, tsMs: number, last: boolean): KafkaMessage & { readonly key: Buffer; readonly value: Buffer } {
    const types = this.typesOf(table);
    const ts = BigInt(tsMs);
    const envelope = {
      before: null,
      after: rowRecord(table, row),
      source: { version: this.connectorVersion, connector: 'tidedb', name: this.topicPrefix, ts_ms: ts, snapshot: last ? 'last' : 'true', db: table.database, table: table.name, txId: indexOfLsn(atLsn), lsn: atLsn },
      op: 'r',
      ts_ms: ts,
      transaction: null,
    };
    return {
      topic: types.topic,
      key: this.writer.write(types.keySchemaId, types.key, keyRecord(table, row)),
      value: this.writer.write(types.valueSchemaId, types.envelope, envelope),
    };
  }

  // The tombstone that follows a delete: same topic and key, null value, so that log
  // compaction removes the key's rows once the delete itself has been kept long enough.
  static tombstoneOf(deleted: KafkaMessage): KafkaMessage {
    return { topic: deleted.topic, key: deleted.key, value: null };
  }

  private txIdText(txId: bigint): string {
    if (txId !== this.lastTxId) {
      this.lastTxId = txId;
      this.lastTxIdText = txId.toString();
    }
    return this.lastTxIdText;
  }

  private typesOf(table: TableDef): TableTypes {
    let versions = this.typesByVersion.get(table.id);
    if (versions === undefined) this.typesByVersion.set(table.id, (versions = new Map()));
    let types = versions.get(table.version);
    if (types === undefined) {
      types = {
        topic: topicName(this.topicPrefix, table),
        key: avroType(keySchema(table, this.topicPrefix)),
        keySchemaId: keySchemaId(table.id, table.version),
        envelope: avroType(envelopeSchema(table, this.topicPrefix)),
        valueSchemaId: valueSchemaId(table.id, table.version),
      };
      versions.set(table.version, types);
    }
    return types;
  }
}

function keyRecord(table: TableDef, row: Row): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const position of table.primaryKey) {
    const column = table.columns[position];
    assert(column !== undefined);
    record[column.name] = avroValue(column, row[position]);
  }
  return record;
}

function rowRecord(table: TableDef, row: Row): Record<string, unknown> {
  assert(row.length === table.columns.length, `row of ${row.length} values for ${table.columns.length} columns`);
  const record: Record<string, unknown> = {};
  table.columns.forEach((column, position) => {
    // The hidden row id travels in the key only (avro-schemas.ts, valueSchema).
    if (isVisible(column)) record[column.name] = avroValue(column, row[position]);
  });
  return record;
}

// Storage holds every integer as bigint; Avro int wants a number, and long (with the bigint
// long type of avro-schemas.ts) a bigint. A value of the wrong type is a bug upstream: the
// changelog only holds values the SQL layer checked against the column.
function avroValue(column: ColumnDef, value: Value | undefined): unknown {
  assert(value !== undefined, `no value for column ${column.name}`);
  if (value === null) {
    assert(column.nullable, `null in NOT NULL column ${column.name}`);
    return null;
  }
  switch (column.type) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'MEDIUMINT':
    case 'INT': {
      const { min, max } = integerRangeOf(column.type, column);
      assert(typeof value === 'bigint' && value >= min && value <= max, `${column.type} column ${column.name}`);
      // INT UNSIGNED is an Avro long, which this encoder writes from a bigint.
      return column.unsigned === true && column.type === 'INT' ? value : Number(value);
    }
    case 'BIGINT':
      if (holdsUnsignedBigint(column)) {
        assert(value instanceof Decimal && value.scale === 0, `BIGINT UNSIGNED column ${column.name}`);
        return bigintToTwosComplement(value.unscaled);
      }
      assert(typeof value === 'bigint', `BIGINT column ${column.name}`);
      return value;
    case 'DOUBLE':
      assert(typeof value === 'number', `DOUBLE column ${column.name}`);
      return value;
    case 'CHAR':
    case 'VARCHAR':
    case 'TEXT':
      assert(typeof value === 'string', `${column.type} column ${column.name}`);
      return value;
    case 'BOOLEAN':
      assert(typeof value === 'boolean', `BOOLEAN column ${column.name}`);
      return value;
    // The Avro logical types of avro-schemas.ts, written as their underlying primitives.
    case 'DECIMAL':
      assert(value instanceof Decimal && value.scale === decimalTypeOf(column).scale, `DECIMAL column ${column.name}`);
      return bigintToTwosComplement(value.unscaled);
    case 'DATE':
      assert(value instanceof SqlDate, `DATE column ${column.name}`);
      return value.days;
    case 'TIME':
      assert(value instanceof SqlTime, `TIME column ${column.name}`);
      return value.micros;
    case 'DATETIME':
    case 'TIMESTAMP':
      assert(value instanceof SqlDateTime, `${column.type} column ${column.name}`);
      return value.micros;
    case 'BINARY':
    case 'VARBINARY':
    case 'BLOB':
      assert(value instanceof Uint8Array, `${column.type} column ${column.name}`);
      return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    case 'JSON':
      assert(value instanceof JsonDocument, `JSON column ${column.name}`);
      return value.text;
    default:
      return assertNever(column.type);
  }
}

let packageVersionCache: string | undefined;

function packageVersion(): string {
  if (packageVersionCache === undefined) {
    // package.json sits next to schemas/ at the repository root.
    const parsed: unknown = JSON.parse(readFileSync(join(schemasDir(), '..', 'package.json'), 'utf8'));
    const version = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)['version'] : undefined;
    assert(typeof version === 'string', 'package.json has no version');
    packageVersionCache = version;
  }
  return packageVersionCache;
}
