// Column defaults, ON UPDATE and CHECK constraints as MariaDB prints them in DESCRIBE / SHOW
// COLUMNS (`Default`, `Extra`) and SHOW CREATE TABLE, for show.ts.
import type { ColumnDef, TableDef } from '../storage/types.js';
import { checksOf } from '../storage/types.js';

// DESCRIBE's Default: the value's text (unquoted), `current_timestamp(n)`, or NULL.
export function defaultText(column: ColumnDef): string | null {
  const declared = column.default;
  if (declared === undefined) return null;
  if (declared.kind === 'current_timestamp') return currentTimestampText(column);
  const { value } = declared;
  return typeof value === 'boolean' ? (value ? '1' : '0') : value === null ? null : String(value);
}

// DESCRIBE's Extra.
export function extraText(column: ColumnDef): string {
  if (column.autoIncrement) return 'auto_increment';
  return column.onUpdateCurrentTimestamp === true ? `on update ${currentTimestampText(column)}` : '';
}

// What follows a column's type in SHOW CREATE TABLE: nullability, default, ON UPDATE.
export function columnOptionsSql(column: ColumnDef): string {
  const text = defaultText(column);
  const defaultSql = text === null ? 'NULL' : column.default?.kind === 'current_timestamp' || unquoted.has(column.type) ? text : `'${text.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
  // A nullable TIMESTAMP says NULL, as MariaDB prints it: its TIMESTAMPs are NOT NULL unless told.
  const nullability = column.nullable ? (column.type === 'TIMESTAMP' ? 'NULL ' : '') : 'NOT NULL';
  const defaultClause = column.nullable ? `DEFAULT ${defaultSql}` : text === null ? '' : ` DEFAULT ${defaultSql}`;
  const onUpdate = column.onUpdateCurrentTimestamp === true ? ` ON UPDATE ${currentTimestampText(column)}` : '';
  return `${nullability}${defaultClause}${onUpdate}${column.autoIncrement ? ' AUTO_INCREMENT' : ''}`;
}

// The table's CHECK constraints, each as a table-level clause (as MySQL 8 prints them).
export function checkClausesSql(table: TableDef): string[] {
  return checksOf(table).map((check) => `CONSTRAINT \`${check.name}\` CHECK (${check.expression})`);
}

const unquoted: ReadonlySet<ColumnDef['type']> = new Set(['TINYINT', 'SMALLINT', 'MEDIUMINT', 'INT', 'BIGINT', 'DECIMAL', 'DOUBLE', 'BOOLEAN']);

function currentTimestampText(column: ColumnDef): string {
  return `current_timestamp(${column.fsp === undefined || column.fsp === 0 ? '' : column.fsp})`;
}
