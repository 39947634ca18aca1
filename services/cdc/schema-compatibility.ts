// Schema compatibility as the registry judges it (BACKWARD, its only level), and the check that
// keeps a DDL from breaking a published table's subject: a Confluent registry would refuse to
// register such a schema, and consumers of the subject could not read the new events with it.
import avsc from 'avsc';
import { TideError } from '../base/errors.js';
import type { BatchChange } from '../storage/types.js';
import { subjectName } from './schema-registry.js';
import type { SchemaRegistry } from './schema-registry.js';
import type { TableSelection } from './table-selection.js';

// BACKWARD: a consumer with the new schema reads events written with the old one.
export function readsEventsOf(readerText: string, writerText: string): boolean {
  const reader = avsc.Type.forSchema(JSON.parse(readerText) as avsc.Schema);
  const writer = avsc.Type.forSchema(JSON.parse(writerText) as avsc.Schema);
  try {
    reader.createResolver(writer);
    return true;
  } catch {
    return false;
  }
}

// Throws SCHEMA_INCOMPATIBLE for the first table version the changes create (CREATE TABLE of a
// name a dropped table had, ALTER TABLE) whose key or value schema cannot read the latest
// version of its subject, on a table that publishes. The request may force it.
export function checkSchemaChanges(changes: readonly BatchChange[], registry: SchemaRegistry, tables: TableSelection): void {
  for (const change of changes) {
    if (change.kind !== 'create_table' && change.kind !== 'alter_table') continue;
    const table = change.table;
    if (!tables.publishes(table.database, table.name)) continue;
    for (const role of ['key', 'value'] as const) {
      const subject = subjectName(registry.topicPrefix, table, role);
      const latest = registry.version(subject, 'latest');
      if (latest.kind !== 'found' || readsEventsOf(registry.schemaTextOf(table, role), latest.version.schema)) continue;
      throw new TideError(
        'SCHEMA_INCOMPATIBLE',
        `the new ${role} schema of '${table.database}.${table.name}' is not BACKWARD compatible with version ${latest.version.version} of subject '${subject}': consumers of its topic could not read the new events; send the request with "force_schema_change": true to change it anyway`,
      );
    }
  }
}
