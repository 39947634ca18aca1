// Schema changes on `<prefix>.<database>._schema`, in the shape of Debezium's schema change
// topic: key {databaseName}, value {source, ts_ms, databaseName, schemaName, ddl,
// tableChanges}. One event per DDL record of the changelog and per truncate (`t` record), so a
// consumer sees the schema change in lsn order with the data; the publisher sends them in the
// same Kafka transaction as the row events of their round (kafka-publisher.ts). Their schemas
// are fixed (schemas/schema-change-key.avsc, schema-change.avsc), one version for every
// database's topic.
import { assertNever } from '../base/assert.js';
import { indexOfLsn } from '../storage/lsn.js';
import type { ChangeRecord, ColumnDef, ColumnType, DdlKind, DdlRecord, TableDef } from '../storage/types.js';
import { isVisible } from '../storage/types.js';
import type { KafkaMessage } from './change-encoder.js';
import { schemaChangesSubject, fixedTopics } from './fixed-schemas.js';
import { FixedTopicEncoder } from './fixed-topic-encoder.js';

// What a schema change event says, whichever record it comes from.
export interface SchemaChange {
  readonly lsn: bigint;
  readonly tsMs: number;
  readonly database: string;
  // Null for a database's creation or drop.
  readonly table: string | null;
  readonly ddl: string | null;
  // The table's definition after the change, for the table change of CREATE and ALTER.
  readonly tableChange: { readonly type: 'CREATE' | 'ALTER' | 'DROP'; readonly name: string; readonly definition: TableDef | null } | null;
}

export class SchemaChangeEncoder {
  private readonly encoder: FixedTopicEncoder;

  constructor(
    private readonly topicPrefix: string,
    private readonly connectorVersion: string,
  ) {
    this.encoder = new FixedTopicEncoder(topicPrefix, schemaChangesSubject);
  }

  // Whether `topic` is a database's schema change topic. (A table of that name would share it:
  // CREATE TABLE refuses the name, sql executor's createTable.)
  isTopic(topic: string): boolean {
    return topic.startsWith(`${this.topicPrefix}.`) && topic.endsWith(`.${schemaChangesSubject.topicSuffix}`) && topic.split('.').length === this.topicPrefix.split('.').length + 2;
  }

  topicOf(database: string): string {
    return fixedTopics(this.topicPrefix, schemaChangesSubject, [database])[0]!;
  }

  encode(change: SchemaChange): KafkaMessage {
    const tsMs = BigInt(change.tsMs);
    const value = {
      source: { version: this.connectorVersion, connector: 'tidedb', name: this.topicPrefix, ts_ms: tsMs, snapshot: 'false', db: change.database, table: change.table ?? '', txId: indexOfLsn(change.lsn), lsn: change.lsn },
      ts_ms: tsMs,
      databaseName: change.database,
      schemaName: null,
      ddl: change.ddl,
      tableChanges:
        change.tableChange === null
          ? []
          : [{ type: change.tableChange.type, id: `"${change.database}"."${change.tableChange.name}"`, table: change.tableChange.definition === null ? null : tableRecord(change.tableChange.definition) }],
    };
    return this.encoder.encodeTo(this.topicOf(change.database), { databaseName: change.database }, value);
  }
}

// A DDL record as a schema change; `definition` is the table's version the record names (null
// for a database's change).
export function schemaChangeOfDdl(record: DdlRecord, definition: TableDef | null): SchemaChange {
  const type = tableChangeType(record.kind);
  return {
    lsn: record.lsn,
    tsMs: record.tsMs,
    database: record.database,
    table: record.table,
    ddl: record.ddl,
    tableChange: type === null || record.table === null ? null : { type, name: record.table, definition: type === 'DROP' ? null : definition },
  };
}

// A truncate as a schema change: no table change (its definition stays), the statement's text.
export function schemaChangeOfTruncate(record: ChangeRecord, table: TableDef): SchemaChange {
  return { lsn: record.lsn, tsMs: record.tsMs, database: table.database, table: table.name, ddl: `TRUNCATE TABLE \`${table.database}\`.\`${table.name}\``, tableChange: null };
}

function tableChangeType(kind: DdlKind): 'CREATE' | 'ALTER' | 'DROP' | null {
  switch (kind) {
    case 'create_table':
      return 'CREATE';
    case 'alter_table':
    case 'create_index':
    case 'drop_index':
      return 'ALTER';
    case 'drop_table':
      return 'DROP';
    case 'create_database':
    case 'drop_database':
      return null;
    default:
      return assertNever(kind);
  }
}

function tableRecord(table: TableDef): Record<string, unknown> {
  return {
    defaultCharsetName: 'utf8mb4',
    primaryKeyColumnNames: table.primaryKey.map((position) => table.columns[position]!.name),
    // The hidden row id is not a column a client sees (as in the change events' rows).
    columns: table.columns.filter(isVisible).map((column, at) => columnRecord(column, at + 1)),
  };
}

function columnRecord(column: ColumnDef, position: number): Record<string, unknown> {
  const textual = column.type === 'CHAR' || column.type === 'VARCHAR' || column.type === 'TEXT';
  return {
    name: column.name,
    jdbcType: jdbcTypes[column.type],
    typeName: column.unsigned === true ? `${column.type} UNSIGNED` : column.type,
    typeExpression: column.type,
    charsetName: textual ? 'utf8mb4' : null,
    length: column.type === 'DECIMAL' ? (column.precision ?? null) : column.length,
    scale: column.type === 'DECIMAL' ? (column.scale ?? null) : null,
    position,
    optional: column.nullable,
    autoIncremented: column.autoIncrement,
    generated: false,
  };
}

// java.sql.Types, as Debezium's column records carry them.
const jdbcTypes: Readonly<Record<ColumnType, number>> = {
  TINYINT: -6,
  SMALLINT: 5,
  MEDIUMINT: 4,
  INT: 4,
  BIGINT: -5,
  DECIMAL: 3,
  DOUBLE: 8,
  CHAR: 1,
  VARCHAR: 12,
  TEXT: -1,
  BOOLEAN: 16,
  DATE: 91,
  TIME: 92,
  DATETIME: 93,
  TIMESTAMP: 93,
  BINARY: -2,
  VARBINARY: -3,
  BLOB: 2004,
  JSON: 1111,
};
