// Column definitions of information_schema's tables, with MySQL's types.
import type { ColumnDef } from '../../storage/types.js';

export function varchar(name: string, length = 64): ColumnDef {
  return { name, type: 'VARCHAR', length, nullable: true, autoIncrement: false };
}

export function longtext(name: string): ColumnDef {
  return { name, type: 'TEXT', length: null, nullable: true, autoIncrement: false };
}

export function bigint(name: string): ColumnDef {
  return { name, type: 'BIGINT', length: null, nullable: true, autoIncrement: false, unsigned: true };
}

export function datetime(name: string): ColumnDef {
  return { name, type: 'DATETIME', length: null, nullable: true, autoIncrement: false, fsp: 0 };
}

// The catalog every row names (MySQL has one, `def`).
export const catalogName = 'def';

// The database's name, as MySQL spells it (names match without regard to case).
export const informationSchemaName = 'information_schema';
