// A read-only Schema Registry that is a pure function of the catalog. It stores nothing:
// schema ids come from table ids (key 2*id-1, value 2*id), so every node answers alike, a new
// leader publishes with the ids the old one used, and nothing has to be replicated or
// registered before an event is produced. Subjects follow the TopicNameStrategy
// (`<topic>-key`, `<topic>-value`); the versions of a subject are the tables that ever had its
// (database, name), in id order, so dropping and recreating a table adds a version.
import { assert } from '../base/assert.js';
import type { TableDef } from '../storage/types.js';
import { envelopeSchema, isValidTopicPrefix, keySchema, topicName } from './avro-schemas.js';

// What the registry needs from storage. Dropped tables must be included: their events stay
// in Kafka and must stay decodable.
export interface RegistryCatalog {
  // Every table ever created, in id order.
  allTables(): readonly TableDef[];
  tableById(id: number): TableDef | undefined;
}

export type SchemaRole = 'key' | 'value';

export function keySchemaId(tableId: number): number {
  assert(Number.isSafeInteger(tableId) && tableId >= 1);
  return 2 * tableId - 1;
}

export function valueSchemaId(tableId: number): number {
  assert(Number.isSafeInteger(tableId) && tableId >= 1);
  return 2 * tableId;
}

export function subjectName(topicPrefix: string, table: TableDef, role: SchemaRole): string {
  return `${topicName(topicPrefix, table)}-${role}`;
}

export interface SubjectVersion {
  readonly subject: string;
  // 1-based, as the registry API numbers versions.
  readonly version: number;
  readonly id: number;
  readonly schema: string;
}

export type VersionLookup =
  | { readonly kind: 'found'; readonly version: SubjectVersion }
  | { readonly kind: 'subject_not_found' }
  | { readonly kind: 'version_not_found' };

interface SubjectEntry {
  readonly role: SchemaRole;
  // The tables behind versions 1..n.
  readonly tables: readonly TableDef[];
}

export class SchemaRegistry {
  // Schema text per id. A table's shape never changes under its id, so entries never go stale.
  private readonly schemaTexts = new Map<number, string>();

  constructor(
    private readonly catalog: RegistryCatalog,
    readonly topicPrefix: string,
  ) {
    if (!isValidTopicPrefix(topicPrefix)) throw new Error(`invalid topic prefix ${JSON.stringify(topicPrefix)}`);
  }

  // The schema text for an id, or undefined when no table has it.
  schemaById(id: number): string | undefined {
    if (!Number.isSafeInteger(id) || id < 1) return undefined;
    const cached = this.schemaTexts.get(id);
    if (cached !== undefined) return cached;
    const table = this.catalog.tableById(Math.ceil(id / 2));
    if (table === undefined) return undefined;
    const schema = id % 2 === 1 ? keySchema(table, this.topicPrefix) : envelopeSchema(table, this.topicPrefix);
    const text = JSON.stringify(schema);
    this.schemaTexts.set(id, text);
    return text;
  }

  // Every subject with at least one version, in the order their first table was created.
  subjects(): readonly string[] {
    return [...this.subjectIndex().keys()];
  }

  versions(subject: string): readonly number[] | undefined {
    const entry = this.subjectIndex().get(subject);
    return entry?.tables.map((_table, index) => index + 1);
  }

  version(subject: string, version: number | 'latest'): VersionLookup {
    const entry = this.subjectIndex().get(subject);
    if (entry === undefined) return { kind: 'subject_not_found' };
    const number = version === 'latest' ? entry.tables.length : version;
    const table = entry.tables[number - 1];
    if (table === undefined) return { kind: 'version_not_found' };
    const id = entry.role === 'key' ? keySchemaId(table.id) : valueSchemaId(table.id);
    const schema = this.schemaById(id);
    assert(schema !== undefined);
    return { kind: 'found', version: { subject, version: number, id, schema } };
  }

  // Rebuilt per call rather than cached: tables are created at any time, and the catalog is
  // small next to the cost of an HTTP request.
  private subjectIndex(): Map<string, SubjectEntry> {
    const index = new Map<string, { role: SchemaRole; tables: TableDef[] }>();
    for (const table of this.catalog.allTables()) {
      for (const role of ['key', 'value'] as const) {
        const subject = subjectName(this.topicPrefix, table, role);
        const entry = index.get(subject);
        if (entry === undefined) index.set(subject, { role, tables: [table] });
        else entry.tables.push(table);
      }
    }
    return index;
  }
}
