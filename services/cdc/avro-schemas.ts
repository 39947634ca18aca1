// The Avro schemas of a table's change events, derived from its TableDef alone: key (the
// primary key), value (the row) and the Debezium-style envelope around two row images.
// Derivation is pure and deterministic: every node derives the same schema text for the same
// table version, which is what lets the schema registry be a function of the catalog (same ids
// on every node, nothing to replicate). A table version never changes once it exists, so
// neither do its schemas; a new version of a table gets new ones.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import avsc from 'avsc';
import { assert, assertNever } from '../base/assert.js';
import { isIdentifier } from '../base/identifiers.js';
import { isVisible } from '../storage/types.js';
import type { ColumnDef, ColumnType, TableDef } from '../storage/types.js';
import { decimalTypeOf } from '../values/column-assignment.js';
import { bigintLongType } from './avro-bigint-long.js';

// --- schema JSON ------------------------------------------------------------------------

// A schema as JSON: a primitive or a reference to a named type by name, a union, a record, or
// a primitive annotated with a logical type.
export type AvroSchema = string | readonly AvroSchema[] | AvroRecordSchema | AvroLogicalSchema;

// Avro's logical types for the SQL types a primitive alone would misstate: DECIMAL as the
// unscaled value's two's complement bytes with its precision and scale, DATE as days since the
// epoch, TIME as microseconds, DATETIME and TIMESTAMP as microseconds since the epoch (UTC,
// TideDB's only session time zone).
export type AvroLogicalSchema =
  | { readonly type: 'bytes'; readonly logicalType: 'decimal'; readonly precision: number; readonly scale: number }
  | { readonly type: 'int'; readonly logicalType: 'date' }
  | { readonly type: 'long'; readonly logicalType: 'time-micros' | 'timestamp-micros' }
  // JSON: the document's text, a string named as Debezium names it (io.debezium.data.Json).
  | { readonly type: 'string'; readonly 'connect.name': 'io.debezium.data.Json' };

export interface AvroField {
  readonly name: string;
  readonly type: AvroSchema;
  readonly default?: null;
  readonly doc?: string;
}

export interface AvroRecordSchema {
  readonly type: 'record';
  readonly name: string;
  readonly namespace?: string;
  readonly doc?: string;
  readonly fields: readonly AvroField[];
}

// Debezium's names, so that tooling written for Debezium topics finds what it expects.
export const keyRecordName = 'Key';
export const valueRecordName = 'Value';
const sourceFullName = 'io.tidedb.connector.Source';
const transactionBlockFullName = 'event.block';

// A prefix ends up in Avro namespaces, so it must be a dotted sequence of names.
export function isValidTopicPrefix(prefix: string): boolean {
  return prefix.split('.').every(isIdentifier);
}

// `<prefix>.<db>.<table>`: the table's topic and the namespace of its schemas (Debezium's
// convention, which is why the two are one function).
export function topicName(topicPrefix: string, table: TableDef): string {
  assert(isValidTopicPrefix(topicPrefix), `invalid topic prefix ${topicPrefix}`);
  return `${topicPrefix}.${table.database}.${table.name}`;
}

export function keySchema(table: TableDef, topicPrefix: string): AvroRecordSchema {
  return {
    type: 'record',
    name: keyRecordName,
    namespace: topicName(topicPrefix, table),
    fields: table.primaryKey.map((position) => {
      const column = table.columns[position];
      assert(column !== undefined, `primary key position ${position} outside ${table.name}`);
      return columnField(column);
    }),
  };
}

export function valueSchema(table: TableDef, topicPrefix: string): AvroRecordSchema {
  return {
    type: 'record',
    name: valueRecordName,
    namespace: topicName(topicPrefix, table),
    // The hidden row id of a table without a primary key is its key, not part of its row.
    fields: table.columns.filter(isVisible).map(columnField),
  };
}

// envelope.avsc with its namespace set to the table's and the named types it references
// (Value, Source, event.block) defined where they first occur: Avro allows a reference only after the
// definition, and a second definition of the same name is an error.
export function envelopeSchema(table: TableDef, topicPrefix: string): AvroRecordSchema {
  const { envelope, source, transactionBlock } = fixedSchemas();
  const definitions = new Map<string, AvroSchema>([
    [valueRecordName, valueSchema(table, topicPrefix)],
    [sourceFullName, source],
    [transactionBlockFullName, transactionBlock],
  ]);
  const inline = (type: AvroSchema): AvroSchema => {
    if (typeof type === 'string') {
      const definition = definitions.get(type);
      if (definition === undefined) return type;
      definitions.delete(type);
      return definition;
    }
    if (isSchemaArray(type)) return type.map(inline);
    return type;
  };
  const fields = envelope.fields.map((field) => ({ ...field, type: inline(field.type) }));
  assert(definitions.size === 0, `envelope.avsc does not reference ${[...definitions.keys()].join(', ')}`);
  return { type: 'record', name: envelope.name, namespace: topicName(topicPrefix, table), ...docOf(envelope), fields };
}

function columnField(column: ColumnDef): AvroField {
  const type = avroColumnType(column);
  // default null keeps a nullable column optional for readers of older or newer versions.
  return column.nullable ? { name: column.name, type: ['null', type], default: null } : { name: column.name, type };
}

function avroColumnType(column: ColumnDef): string | AvroLogicalSchema {
  const type: ColumnType = column.type;
  switch (type) {
    // Avro has no narrower integer; Debezium also writes TINYINT…MEDIUMINT as int.
    case 'TINYINT':
    case 'SMALLINT':
    case 'MEDIUMINT':
      return 'int';
    // INT UNSIGNED reaches 2^32 - 1, past Avro's int; BIGINT UNSIGNED 2^64 - 1, past its long.
    case 'INT':
      return column.unsigned === true ? 'long' : 'int';
    case 'BIGINT':
      return column.unsigned === true ? { type: 'bytes', logicalType: 'decimal', precision: 20, scale: 0 } : 'long';
    case 'DOUBLE':
      return 'double';
    case 'CHAR':
    case 'VARCHAR':
    case 'TEXT':
      return 'string';
    case 'BOOLEAN':
      return 'boolean';
    case 'DECIMAL': {
      const { precision, scale } = decimalTypeOf(column);
      return { type: 'bytes', logicalType: 'decimal', precision, scale };
    }
    case 'DATE':
      return { type: 'int', logicalType: 'date' };
    case 'TIME':
      return { type: 'long', logicalType: 'time-micros' };
    case 'DATETIME':
    case 'TIMESTAMP':
      return { type: 'long', logicalType: 'timestamp-micros' };
    case 'BINARY':
    case 'VARBINARY':
    case 'BLOB':
      return 'bytes';
    case 'JSON':
      return { type: 'string', 'connect.name': 'io.debezium.data.Json' };
    default:
      return assertNever(type);
  }
}

function docOf(schema: AvroRecordSchema): { readonly doc?: string } {
  return schema.doc === undefined ? {} : { doc: schema.doc };
}

// --- avsc types -------------------------------------------------------------------------

// An avsc type for a derived schema whose longs are bigint.
export function avroType(schema: AvroSchema): avsc.Type {
  // avsc adds every named type it meets to `registry`, so each call needs a fresh one. The
  // registry swaps `"long"` by name; a long written as an object (the logical types
  // time-micros and timestamp-micros) is swapped by the hook.
  const typeHook = (inner: avsc.Schema): avsc.Type | undefined => (typeof inner === 'object' && !Array.isArray(inner) && (inner as { type?: unknown }).type === 'long' ? bigintLongType : undefined);
  return avsc.Type.forSchema(schema as avsc.Schema, { registry: { long: bigintLongType }, typeHook });
}

// --- the fixed parts, from schemas/ -------------------------------------------------------

interface FixedSchemas {
  readonly envelope: AvroRecordSchema;
  readonly source: AvroRecordSchema;
  readonly transactionBlock: AvroRecordSchema;
}

let fixedSchemasCache: FixedSchemas | undefined;

function fixedSchemas(): FixedSchemas {
  if (fixedSchemasCache === undefined) {
    const dir = schemasDir();
    fixedSchemasCache = {
      envelope: readRecordSchema(join(dir, 'envelope.avsc')),
      source: readRecordSchema(join(dir, 'source.avsc')),
      transactionBlock: readRecordSchema(join(dir, 'transaction-block.avsc')),
    };
    assert(`${fixedSchemasCache.source.namespace}.${fixedSchemasCache.source.name}` === sourceFullName);
    assert(`${fixedSchemasCache.transactionBlock.namespace}.${fixedSchemasCache.transactionBlock.name}` === transactionBlockFullName);
  }
  return fixedSchemasCache;
}

// The top-level schemas/ folder, found by walking up from this module: it runs both as
// services/cdc/*.ts (tests) and as dist/services/cdc/*.js (built), at different depths.
export function schemasDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'schemas');
    if (existsSync(join(candidate, 'envelope.avsc'))) return candidate;
    const parent = dirname(dir);
    assert(parent !== dir, `no schemas/envelope.avsc above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

function readRecordSchema(path: string): AvroRecordSchema {
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  assert(isRecordSchema(parsed), `${path} is not an Avro record schema`);
  // avsc checks the rest (names, defaults, known types) once placeholders are filled in.
  return parsed;
}

function isRecordSchema(value: unknown): value is AvroRecordSchema {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    record['type'] === 'record' &&
    typeof record['name'] === 'string' &&
    (record['namespace'] === undefined || typeof record['namespace'] === 'string') &&
    (record['doc'] === undefined || typeof record['doc'] === 'string') &&
    Array.isArray(record['fields']) &&
    record['fields'].every(isField)
  );
}

function isField(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const field = value as Record<string, unknown>;
  return typeof field['name'] === 'string' && isSchema(field['type']) && (field['default'] === undefined || field['default'] === null);
}

function isSchema(value: unknown): boolean {
  if (typeof value === 'string') return true;
  if (Array.isArray(value)) return value.every(isSchema);
  return isRecordSchema(value);
}

function isSchemaArray(schema: AvroSchema): schema is readonly AvroSchema[] {
  return Array.isArray(schema);
}
