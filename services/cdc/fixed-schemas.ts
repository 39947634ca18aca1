// The schemas of the topics that are not a table's (transaction markers, resolved watermarks), read from
// schemas/ as they are. The registry serves them under table id 0, which no table has, and
// their versions only ever grow with the files: a changed file is a new version, never an edit.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { schemasDir } from './avro-schemas.js';

export interface FixedSubject {
  // The topic's name after `<prefix>.` (after `<prefix>.<database>.` for a topic per database);
  // the subjects are `<topic>-key` and `-value`.
  readonly topicSuffix: string;
  // One topic per database (the schema changes'), all with the same schemas and ids.
  readonly perDatabase?: true;
  // Under table id 0 in schema ids; one version per fixed subject so far.
  readonly version: number;
  readonly keyFile: string;
  readonly valueFile: string;
}

export const transactionsSubject: FixedSubject = { topicSuffix: '_transactions', version: 1, keyFile: 'transaction-key.avsc', valueFile: 'transaction-marker.avsc' };

export const resolvedSubject: FixedSubject = { topicSuffix: '_resolved', version: 2, keyFile: 'resolved-key.avsc', valueFile: 'resolved.avsc' };

export const schemaChangesSubject: FixedSubject = { topicSuffix: '_schema', perDatabase: true, version: 3, keyFile: 'schema-change-key.avsc', valueFile: 'schema-change.avsc' };

// Each has its own version number under table id 0, so each schema has its own id.
export const fixedSubjects: readonly FixedSubject[] = [transactionsSubject, resolvedSubject, schemaChangesSubject];

// The topics of a fixed subject: one, or one per database of `databases`.
export function fixedTopics(topicPrefix: string, subject: FixedSubject, databases: readonly string[]): string[] {
  return subject.perDatabase === true ? databases.map((database) => `${topicPrefix}.${database}.${subject.topicSuffix}`) : [`${topicPrefix}.${subject.topicSuffix}`];
}

const textCache = new Map<string, string>();

// A schema file's JSON, compacted: the text the registry serves and encoders parse.
export function fixedSchemaText(file: string): string {
  let text = textCache.get(file);
  if (text === undefined) {
    text = JSON.stringify(JSON.parse(readFileSync(join(schemasDir(), file), 'utf8')));
    textCache.set(file, text);
  }
  return text;
}
