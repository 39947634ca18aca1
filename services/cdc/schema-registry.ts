// A read-only Schema Registry that is a pure function of the catalog. It stores nothing:
// schema ids come from (table id, schema version) by arithmetic, so every node answers alike, a
// new leader publishes with the ids the old one used, and nothing has to be replicated or
// registered before an event is produced. Subjects follow the TopicNameStrategy
// (`<topic>-key`, `<topic>-value`); the versions of a subject are the table versions that ever
// had its (database, name), in (table id, version) order, so a new version of a table and a
// dropped and recreated table each add a subject version.
import { assert } from '../base/assert.js';
import type { TableDef } from '../storage/types.js';
import { envelopeSchema, isValidTopicPrefix, keySchema, topicName } from './avro-schemas.js';
import { fixedSchemaText, fixedSubjects, fixedTopics } from './fixed-schemas.js';

// What the registry needs from storage. Dropped tables and old versions must be included:
// their events stay in Kafka and must stay decodable.
export interface RegistryCatalog {
  // The current version of every table ever created, in id order.
  allTables(): readonly TableDef[];
  // Any version of any table ever created.
  tableVersion(id: number, version: number): TableDef | undefined;
  // Databases made by CREATE DATABASE (a database's schema change topic has subjects as soon
  // as it exists); without it, the databases that have had tables.
  createdDatabases?(): readonly string[];
}

export type SchemaRole = 'key' | 'value';

// A schema id is [table id: 20 bits][schema version: 10 bits][role: 1 bit, value = 1], read as
// a number: a Confluent id is a positive int32, so the three must fit in 31 bits. Version 0
// does not exist, so no id is 0 and the ids a table never had are easy to refuse.
export const schemaIdTableIdMax = 2 ** 20 - 1;
export const schemaIdVersionMax = 2 ** 10 - 1;
const versionFactor = 2;
const tableFactor = versionFactor * (schemaIdVersionMax + 1);

export function keySchemaId(tableId: number, version: number): number {
  assert(Number.isInteger(tableId) && tableId >= 1 && tableId <= schemaIdTableIdMax, `table id ${tableId} beyond schema ids`);
  assert(Number.isInteger(version) && version >= 1 && version <= schemaIdVersionMax, `schema version ${version} beyond schema ids`);
  return tableId * tableFactor + version * versionFactor;
}

export function valueSchemaId(tableId: number, version: number): number {
  return keySchemaId(tableId, version) + 1;
}

// The id of a schema of fixed-schemas.ts: table id 0, which no table has (ids start at 1).
export function fixedSchemaId(version: number, role: SchemaRole): number {
  assert(Number.isInteger(version) && version >= 1 && version <= schemaIdVersionMax);
  return version * versionFactor + (role === 'value' ? 1 : 0);
}

// The (table id, version, role) an id names, or undefined for a number no table version has.
export function parseSchemaId(id: number): { readonly tableId: number; readonly version: number; readonly role: SchemaRole } | undefined {
  if (!Number.isSafeInteger(id) || id < 1 || id > 0x7fff_ffff) return undefined;
  const tableId = Math.floor(id / tableFactor);
  const version = Math.floor((id % tableFactor) / versionFactor);
  if (tableId < 0 || version < 1) return undefined;
  return { tableId, version, role: id % versionFactor === 1 ? 'value' : 'key' };
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
  // The table versions behind subject versions 1..n.
  readonly tables: readonly TableDef[];
}

export class SchemaRegistry {
  // Schema text per id. A table version never changes once it exists, so entries never go stale.
  private readonly schemaTexts = new Map<number, string>();

  constructor(
    private readonly catalog: RegistryCatalog,
    readonly topicPrefix: string,
  ) {
    if (!isValidTopicPrefix(topicPrefix)) throw new Error(`invalid topic prefix ${JSON.stringify(topicPrefix)}`);
  }

  // The schema text a table version has in its subject (what schemaById answers for its id).
  schemaTextOf(table: TableDef, role: SchemaRole): string {
    return JSON.stringify(role === 'key' ? keySchema(table, this.topicPrefix) : envelopeSchema(table, this.topicPrefix));
  }

  // The schema text for an id, or undefined when no table has it.
  schemaById(id: number): string | undefined {
    const cached = this.schemaTexts.get(id);
    if (cached !== undefined) return cached;
    const parts = parseSchemaId(id);
    if (parts === undefined) return undefined;
    if (parts.tableId === 0) return fixedSchemaById(parts.version, parts.role);
    const table = this.catalog.tableVersion(parts.tableId, parts.version);
    if (table === undefined) return undefined;
    const text = this.schemaTextOf(table, parts.role);
    this.schemaTexts.set(id, text);
    return text;
  }

  // Every subject with at least one version: the fixed ones, then the tables' in the order
  // their first table was created.
  subjects(): readonly string[] {
    return [...this.fixedSubjectIndex().keys(), ...this.subjectIndex().keys()];
  }

  versions(subject: string): readonly number[] | undefined {
    const fixed = this.fixedSubjectIndex().get(subject);
    if (fixed !== undefined) return fixed.map((_id, index) => index + 1);
    const entry = this.subjectIndex().get(subject);
    return entry?.tables.map((_table, index) => index + 1);
  }

  version(subject: string, version: number | 'latest'): VersionLookup {
    const fixed = this.fixedSubjectIndex().get(subject);
    if (fixed !== undefined) {
      const number = version === 'latest' ? fixed.length : version;
      const id = fixed[number - 1];
      if (id === undefined) return { kind: 'version_not_found' };
      return { kind: 'found', version: { subject, version: number, id, schema: this.schemaById(id)! } };
    }
    const entry = this.subjectIndex().get(subject);
    if (entry === undefined) return { kind: 'subject_not_found' };
    const number = version === 'latest' ? entry.tables.length : version;
    const table = entry.tables[number - 1];
    if (table === undefined) return { kind: 'version_not_found' };
    const id = entry.role === 'key' ? keySchemaId(table.id, table.version) : valueSchemaId(table.id, table.version);
    const schema = this.schemaById(id);
    assert(schema !== undefined);
    return { kind: 'found', version: { subject, version: number, id, schema } };
  }

  // The ids behind versions 1..n of each fixed subject.
  private fixedSubjectIndex(): Map<string, number[]> {
    const index = new Map<string, number[]>();
    const databases = this.databases();
    for (const fixed of fixedSubjects) {
      for (const topic of fixedTopics(this.topicPrefix, fixed, databases)) {
        for (const role of ['key', 'value'] as const) {
          const subject = `${topic}-${role}`;
          index.set(subject, [...(index.get(subject) ?? []), fixedSchemaId(fixed.version, role)]);
        }
      }
    }
    return index;
  }

  // Every database that has had a table or was created, sorted.
  private databases(): string[] {
    const names = new Set([...this.catalog.allTables().map((table) => table.database), ...(this.catalog.createdDatabases?.() ?? [])]);
    return [...names].sort();
  }

  // The (subject, version) pairs whose schema has this id; undefined for an id no schema has.
  // An id names one table version or fixed schema, so one subject (a fixed schema of a topic
  // per database: one per database): only their versions are read.
  subjectVersionsOfId(id: number): readonly { readonly subject: string; readonly version: number }[] | undefined {
    const parts = parseSchemaId(id);
    if (parts === undefined || this.schemaById(id) === undefined) return undefined;
    const fixed = fixedSubjects.find((candidate) => candidate.version === parts.version);
    const table = this.catalog.tableVersion(parts.tableId, parts.version);
    const subjects = parts.tableId === 0 ? fixedTopics(this.topicPrefix, fixed!, this.databases()).map((topic) => `${topic}-${parts.role}`) : [subjectName(this.topicPrefix, table!, parts.role)];
    return subjects.flatMap((subject) =>
      (this.versions(subject) ?? []).filter((version) => {
        const lookup = this.version(subject, version);
        return lookup.kind === 'found' && lookup.version.id === id;
      }).map((version) => ({ subject, version })),
    );
  }

  // The subject's version whose schema is `schemaText` (compared as parsed JSON), if any.
  findSchema(subject: string, schemaText: string): SubjectVersion | 'subject_not_found' | undefined {
    const versions = this.versions(subject);
    if (versions === undefined) return 'subject_not_found';
    const wanted = JSON.stringify(JSON.parse(schemaText));
    for (const version of versions) {
      const lookup = this.version(subject, version);
      if (lookup.kind === 'found' && lookup.version.schema === wanted) return lookup.version;
    }
    return undefined;
  }

  // Rebuilt per call rather than cached: tables are created at any time, and the catalog is
  // small next to the cost of an HTTP request.
  private subjectIndex(): Map<string, SubjectEntry> {
    const index = new Map<string, { role: SchemaRole; tables: TableDef[] }>();
    for (const current of this.catalog.allTables()) {
      for (let version = 1; version <= current.version; version++) {
        const table = this.catalog.tableVersion(current.id, version);
        assert(table !== undefined, `catalog lacks version ${version} of table ${current.id}`);
        // Each version's own name: a table renamed later would move to another subject.
        for (const role of ['key', 'value'] as const) {
          const subject = subjectName(this.topicPrefix, table, role);
          const entry = index.get(subject);
          if (entry === undefined) index.set(subject, { role, tables: [table] });
          else entry.tables.push(table);
        }
      }
    }
    return index;
  }
}

function fixedSchemaById(version: number, role: SchemaRole): string | undefined {
  const fixed = fixedSubjects.find((subject) => subject.version === version);
  return fixed === undefined ? undefined : fixedSchemaText(role === 'key' ? fixed.keyFile : fixed.valueFile);
}
