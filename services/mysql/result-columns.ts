// The column definitions a result set announces, so that clients decode each value as its type
// (mysql2 and PyMySQL turn LONGLONG into numbers, NEWDECIMAL into decimals, DATE/DATETIME into
// dates, binary BLOBs into bytes). A result column that reads a table's column as it is (the
// engine's `columnOrigins`) is announced with that column's declared type, length, flags and
// table, as MySQL does; any other column's type is read off the classes of all its values
// (column-class.ts), which are then written as that type, and a column with no non-NULL value
// is announced as a VARCHAR, as which every client reads NULL.
import mysql2 from 'mysql2';
import type { ColumnOrigin } from '../sql/select/logical-plan.js';
import type { ColumnDef, Row } from '../storage/types.js';
import { classOfValues } from './column-class.js';
import type { ColumnClass } from './column-class.js';

// MySQL's column type numbers (mysql2's table of them, mysql_com.h `enum_field_types`).
export const MysqlType = {
  TINY: mysql2.Types.TINY,
  SHORT: mysql2.Types.SHORT,
  LONG: mysql2.Types.LONG,
  INT24: mysql2.Types.INT24,
  LONGLONG: mysql2.Types.LONGLONG,
  TIMESTAMP: mysql2.Types.TIMESTAMP,
  STRING: mysql2.Types.STRING,
  DOUBLE: mysql2.Types.DOUBLE,
  NEWDECIMAL: mysql2.Types.NEWDECIMAL,
  DATE: mysql2.Types.DATE,
  TIME: mysql2.Types.TIME,
  DATETIME: mysql2.Types.DATETIME,
  VAR_STRING: mysql2.Types.VAR_STRING,
  BLOB: mysql2.Types.BLOB,
  JSON: mysql2.Types.JSON,
} as const;

// Collation ids: utf8mb4_general_ci for text (the connection's SET NAMES does not change what
// TideDB sends: always UTF-8), `binary` for numbers, dates and bytes.
export const utf8mb4CollationId = 45;
export const binaryCollationId = 63;

// Column flags (mysql_com.h).
const notNullFlag = 1;
const primaryKeyFlag = 2;
const blobFlag = 16;
const unsignedFlag = 32;
const autoIncrementFlag = 512;
const binaryFlag = 128;
const numberFlag = 32_768;

export interface ResultColumn {
  readonly name: string;
  // The table (and its database) a column reads as it is; '' for a computed column.
  readonly table?: string;
  readonly database?: string;
  readonly originalName?: string;
  readonly type: number;
  readonly charset: number;
  readonly length: number;
  readonly flags: number;
  readonly decimals: number;
}

// Decimals value meaning "not fixed" for a DOUBLE (MySQL's NOT_FIXED_DEC).
const decimalsNotFixed = 31;

export interface ResultSetColumns {
  readonly columns: readonly ResultColumn[];
  // The class each computed column's values are made (column-class.ts `conformRow`) before
  // they are written; null for a column announced as declared, or whose values all are already.
  readonly classes: readonly (ColumnClass | null)[];
  // Every column is declared: the same set (these very arrays) answers every run of the plan.
  readonly declared: boolean;
}

// `rows`: all the rows the result set will carry, read before any column is announced.
export function resultSetColumns(names: readonly string[], rows: readonly Row[], origins?: readonly (ColumnOrigin | null)[]): ResultSetColumns {
  if (origins === undefined || !origins.every((origin) => origin !== null)) return columnsOfValues(names, rows, origins);
  // Every column reads a table's column as declared: the set depends on the plan alone, whose
  // kept copy (sql/plan-cache.ts) answers with the same arrays run after run, so it is made once.
  const kept = declaredSets.get(origins);
  if (kept !== undefined && kept.names === names) return kept.set;
  const set = { ...columnsOfValues(names, rows, origins), declared: true };
  declaredSets.set(origins, { names, set });
  return set;
}

// The sets of results whose columns are all declared, by the plan's origins array; an entry
// goes when its plan does. Each set's `columns` array stays the same, so the caller may keep
// what it derives from it (the encoded definitions) by that array too.
const declaredSets = new WeakMap<readonly (ColumnOrigin | null)[], { readonly names: readonly string[]; readonly set: ResultSetColumns }>();

function columnsOfValues(names: readonly string[], rows: readonly Row[], origins?: readonly (ColumnOrigin | null)[]): ResultSetColumns {
  const computed = names.map((_, position) => {
    const origin = origins?.[position];
    return origin !== undefined && origin !== null ? null : classOfValues(rows, position);
  });
  const columns = names.map((name, position) => {
    const values = computed[position];
    return values === null || values === undefined ? declaredColumn(name, origins![position]!) : computedColumn(name, values.columnClass);
  });
  return { columns, classes: computed.map((values) => (values === null || values === undefined || values.uniform ? null : values.columnClass)), declared: false };
}

// The columns of a result set without rows (COM_FIELD_LIST, a prepare's reply).
export function resultColumns(names: readonly string[], origins?: readonly (ColumnOrigin | null)[]): readonly ResultColumn[] {
  return resultSetColumns(names, [], origins).columns;
}

function computedColumn(name: string, columnClass: ColumnClass): ResultColumn {
  const binary = { charset: binaryCollationId, flags: binaryFlag };
  const number = { charset: binaryCollationId, flags: binaryFlag | numberFlag };
  switch (columnClass.kind) {
    case 'none':
    case 'text':
      return { name, type: MysqlType.VAR_STRING, charset: utf8mb4CollationId, length: 1_048_576, flags: 0, decimals: 0 };
    case 'boolean':
      return { name, type: MysqlType.TINY, ...number, length: 1, decimals: 0 };
    case 'integer':
      return { name, type: MysqlType.LONGLONG, ...number, flags: number.flags | (columnClass.unsigned ? unsignedFlag : 0), length: 20, decimals: 0 };
    case 'decimal':
      return { name, type: MysqlType.NEWDECIMAL, ...number, length: 67, decimals: columnClass.scale };
    case 'double':
      return { name, type: MysqlType.DOUBLE, ...number, length: 22, decimals: decimalsNotFixed };
    case 'date':
      return { name, type: MysqlType.DATE, ...binary, length: 10, decimals: 0 };
    case 'datetime':
      return { name, type: MysqlType.DATETIME, ...binary, length: columnClass.fsp === 0 ? 19 : 20 + columnClass.fsp, decimals: columnClass.fsp };
    case 'time':
      return { name, type: MysqlType.TIME, ...binary, length: columnClass.fsp === 0 ? 10 : 11 + columnClass.fsp, decimals: columnClass.fsp };
    case 'json':
      return { name, type: MysqlType.JSON, charset: binaryCollationId, flags: blobFlag | binaryFlag, length: 4_294_967_295, decimals: 0 };
    case 'bytes':
      return { name, type: MysqlType.BLOB, charset: binaryCollationId, flags: blobFlag | binaryFlag, length: 65_535, decimals: 0 };
  }
}

// MySQL's bytes per character of utf8mb4: a CHAR(n)'s length is 4n.
const utf8mb4BytesMax = 4;

function declaredColumn(name: string, origin: ColumnOrigin): ResultColumn {
  const { table, column } = origin;
  const flags = (origin.nullable ? 0 : notNullFlag) | (table.primaryKey.some((position) => table.columns[position] === column) ? primaryKeyFlag : 0) | (column.unsigned === true ? unsignedFlag : 0) | (column.autoIncrement ? autoIncrementFlag : 0);
  const type = declaredType(column);
  return { name, table: table.name, database: table.database, originalName: column.name, ...type, flags: flags | type.flags };
}

function declaredType(column: ColumnDef): Omit<ResultColumn, 'name'> {
  const number = { charset: binaryCollationId, flags: binaryFlag | numberFlag, decimals: 0 };
  const binary = { charset: binaryCollationId, flags: binaryFlag, decimals: 0 };
  const text = { charset: utf8mb4CollationId, flags: 0, decimals: 0 };
  const fsp = column.fsp ?? 0;
  switch (column.type) {
    case 'TINYINT':
      return { type: MysqlType.TINY, ...number, length: 4 };
    case 'BOOLEAN':
      return { type: MysqlType.TINY, ...number, length: 1 };
    case 'SMALLINT':
      return { type: MysqlType.SHORT, ...number, length: 6 };
    case 'MEDIUMINT':
      return { type: MysqlType.INT24, ...number, length: 9 };
    case 'INT':
      return { type: MysqlType.LONG, ...number, length: 11 };
    case 'BIGINT':
      return { type: MysqlType.LONGLONG, ...number, length: 20 };
    case 'DECIMAL':
      return { type: MysqlType.NEWDECIMAL, ...number, length: (column.precision ?? 10) + 2, decimals: column.scale ?? 0 };
    case 'DOUBLE':
      return { type: MysqlType.DOUBLE, ...number, length: 22, decimals: decimalsNotFixed };
    case 'CHAR':
      return { type: MysqlType.STRING, ...text, length: (column.length ?? 1) * utf8mb4BytesMax };
    case 'VARCHAR':
      return { type: MysqlType.VAR_STRING, ...text, length: (column.length ?? 1) * utf8mb4BytesMax };
    case 'TEXT':
      return { type: MysqlType.BLOB, ...text, flags: blobFlag, length: 65_535 };
    case 'DATE':
      return { type: MysqlType.DATE, ...binary, length: 10 };
    case 'TIME':
      return { type: MysqlType.TIME, ...binary, length: fsp === 0 ? 10 : 11 + fsp, decimals: fsp };
    case 'DATETIME':
      return { type: MysqlType.DATETIME, ...binary, length: fsp === 0 ? 19 : 20 + fsp, decimals: fsp };
    case 'TIMESTAMP':
      return { type: MysqlType.TIMESTAMP, ...binary, length: fsp === 0 ? 19 : 20 + fsp, decimals: fsp };
    case 'BINARY':
      return { type: MysqlType.STRING, ...binary, length: column.length ?? 1 };
    case 'VARBINARY':
      return { type: MysqlType.VAR_STRING, ...binary, length: column.length ?? 1 };
    case 'BLOB':
      return { type: MysqlType.BLOB, ...binary, flags: blobFlag | binaryFlag, length: 65_535 };
    case 'JSON':
      return { type: MysqlType.JSON, ...binary, flags: blobFlag | binaryFlag, length: 4_294_967_295 };
  }
}
