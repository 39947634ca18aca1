// COLLATE and CHARACTER SET as DDL declares them: on a column, as a table's default
// (`COLLATE=` of CREATE TABLE) and as a database's (CREATE DATABASE … COLLATE). TideDB stores
// utf8mb4 only and honours two collations (values/collation.ts); any other name is refused
// rather than accepted and ignored, which would compare differently from what was declared.
import { TideError } from '../../base/errors.js';
import type { ColumnDef, ColumnType } from '../../storage/types.js';
import { collationNamed, collationNamesAccepted } from '../../values/collation.js';
import type { Collation } from '../../values/collation.js';
import { nodes, unsupported } from '../ast-reading.js';
import type { AstNode } from '../parser.js';

const characterSets = new Set(['utf8mb4', 'utf8', 'utf8mb3']);

export function isTextType(type: ColumnType): boolean {
  return type === 'CHAR' || type === 'VARCHAR' || type === 'TEXT';
}

export function collationFromName(name: string): Collation {
  const collation = collationNamed(name);
  if (collation === undefined) throw new TideError('COLLATION_UNKNOWN', `unknown collation '${name}' (TideDB has ${collationNamesAccepted})`);
  return collation;
}

export function checkCharacterSet(name: string): void {
  if (!characterSets.has(name.toLowerCase())) throw unsupported(`CHARACTER SET ${name} (TideDB stores utf8mb4)`);
}

// The collation a column declaration names, or null when it names none. CHARACTER SET alone
// names none (utf8mb4's default is the table's). Only text columns take either.
export function declaredColumnCollation(definition: AstNode, type: ColumnType): Collation | null {
  const characterSet = definition['character_set'] as AstNode | null | undefined;
  const collate = definition['collate'] as AstNode | null | undefined;
  if ((characterSet ?? null) === null && (collate ?? null) === null) return null;
  if (!isTextType(type)) throw new TideError('COLLATION_UNKNOWN', `a ${type} column takes no CHARACTER SET or COLLATE`);
  if (characterSet !== null && characterSet !== undefined) checkCharacterSet(String((characterSet['value'] as AstNode | undefined)?.['value'] ?? ''));
  const name = (collate?.['collate'] as AstNode | undefined)?.['name'];
  return typeof name === 'string' ? collationFromName(name) : null;
}

// A table's or database's options (`DEFAULT CHARSET=utf8mb4 COLLATE=…`, ENGINE=…): the
// collation they name, or null; a character set other than utf8mb4's is refused, and the
// other options (ENGINE=…) are left as before.
export function declaredDefaultCollation(options: unknown): Collation | null {
  let collation: Collation | null = null;
  for (const option of nodes(options)) {
    const keyword = String(option['keyword']).toLowerCase().replace(/^default\s+/, '');
    const value = String((option['value'] as AstNode | null | undefined)?.['value'] ?? '');
    if (keyword === 'collate') collation = collationFromName(value);
    else if (keyword === 'charset' || keyword === 'character set') checkCharacterSet(value);
  }
  return collation;
}

// A text column as a table stores it: its declared collation, else the default it is created
// under; utf8mb4_bin is the absence of the field (storage/types.ts).
export function withCollation(column: ColumnDef, declared: Collation | null, fallback: Collation | null): ColumnDef {
  const { collation: _, ...rest } = column;
  if (!isTextType(column.type)) return rest;
  const collation = declared ?? fallback ?? 'utf8mb4_bin';
  return collation === 'utf8mb4_general_ci' ? { ...rest, collation } : rest;
}
