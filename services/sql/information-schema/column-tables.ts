// COLUMNS and STATISTICS: the columns of tables and views, and the parts of indexes, with the
// values MariaDB gives for the same definitions (test/sql/information-schema.test.ts compares).
import { collationOf, isVisible } from '../../storage/types.js';
import type { ColumnDef, Row, TableDef, Value } from '../../storage/types.js';
import type { ReadView } from '../read-view.js';
import type { ViewBinder, VirtualTable } from '../select/virtual-table.js';
import { defaultText, extraText } from '../show-column-options.js';
import { indexRows, keyText, liveTables, typeText } from '../show.js';
import { viewColumns } from '../view-columns.js';
import { bigint, catalogName, longtext, varchar } from './column-defs.js';

export const columnsTable: VirtualTable = {
  name: 'COLUMNS',
  columns: [
    varchar('TABLE_CATALOG', 512), varchar('TABLE_SCHEMA'), varchar('TABLE_NAME'), varchar('COLUMN_NAME'), bigint('ORDINAL_POSITION'), longtext('COLUMN_DEFAULT'),
    varchar('IS_NULLABLE', 3), varchar('DATA_TYPE'), bigint('CHARACTER_MAXIMUM_LENGTH'), bigint('CHARACTER_OCTET_LENGTH'), bigint('NUMERIC_PRECISION'), bigint('NUMERIC_SCALE'),
    bigint('DATETIME_PRECISION'), varchar('CHARACTER_SET_NAME', 32), varchar('COLLATION_NAME', 64), longtext('COLUMN_TYPE'), varchar('COLUMN_KEY', 3), varchar('EXTRA', 80),
    varchar('PRIVILEGES', 80), varchar('COLUMN_COMMENT', 1024), varchar('IS_GENERATED', 6), longtext('GENERATION_EXPRESSION'),
  ],
  *rows(view: ReadView, bindView: ViewBinder): Iterable<Row> {
    for (const table of liveTables(view)) {
      const visible = table.columns.filter(isVisible);
      for (const [at, column] of visible.entries()) yield columnRow(table.database, table.name, at, column, keyText(table, table.columns.indexOf(column)));
    }
    for (const definition of view.allViews()) {
      // A view whose tables are gone has no columns to describe (MySQL leaves it out too, with a warning).
      let columns: ColumnDef[];
      try {
        columns = viewColumns(definition, bindView);
      } catch {
        continue;
      }
      for (const [at, column] of columns.entries()) yield columnRow(definition.database, definition.name, at, column, '');
    }
  },
};

function columnRow(database: string, table: string, at: number, column: ColumnDef, key: string): Row {
  const text = isText(column);
  return [
    catalogName, database, table, column.name, BigInt(at + 1), columnDefault(column), column.nullable ? 'YES' : 'NO', dataType(column),
    maximumLength(column), octetLength(column), numericPrecision(column), numericScale(column), datetimePrecision(column),
    text ? 'utf8mb4' : null, text ? collationOf(column) : null, typeText(column), key, extraText(column), 'select,insert,update,references', '', 'NEVER', null,
  ];
}

// MariaDB's COLUMN_DEFAULT: a nullable column without a default says the text NULL; a string
// default is quoted; a NOT NULL column without one has none.
function columnDefault(column: ColumnDef): Value {
  const text = defaultText(column);
  if (text === null) return column.nullable ? 'NULL' : null;
  if (column.default?.kind === 'current_timestamp' || !quotedDefault.has(column.type)) return text;
  return `'${text.replaceAll("'", "''")}'`;
}

const quotedDefault: ReadonlySet<ColumnDef['type']> = new Set(['CHAR', 'VARCHAR', 'TEXT', 'DATE', 'TIME', 'DATETIME', 'TIMESTAMP', 'BINARY', 'VARBINARY', 'BLOB', 'JSON']);

// DATA_TYPE: the type's name without its parameters.
function dataType(column: ColumnDef): string {
  return typeText(column).replace(/\(.*$/, '').replace(/ unsigned$/, '');
}

function isText(column: ColumnDef): boolean {
  return column.type === 'CHAR' || column.type === 'VARCHAR' || column.type === 'TEXT';
}

// TEXT and BLOB hold 65,535 bytes; CHAR and VARCHAR count characters, BINARY and VARBINARY bytes.
function maximumLength(column: ColumnDef): bigint | null {
  if (column.type === 'TEXT' || column.type === 'BLOB') return 65_535n;
  if (column.type === 'CHAR' || column.type === 'VARCHAR' || column.type === 'BINARY' || column.type === 'VARBINARY') return BigInt(column.length ?? 1);
  return null;
}

// Up to four bytes a character in utf8mb4.
function octetLength(column: ColumnDef): bigint | null {
  const length = maximumLength(column);
  return length === null || column.type === 'TEXT' || !isText(column) ? length : length * 4n;
}

const integerPrecision = { TINYINT: 3n, SMALLINT: 5n, MEDIUMINT: 7n, INT: 10n, BIGINT: 19n } as const;

function numericPrecision(column: ColumnDef): bigint | null {
  switch (column.type) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'MEDIUMINT':
    case 'INT':
      return integerPrecision[column.type];
    case 'BIGINT':
      return column.unsigned === true ? 20n : 19n;
    case 'BOOLEAN':
      return 3n;
    case 'DECIMAL':
      return BigInt(column.precision ?? 10);
    case 'DOUBLE':
      return 22n;
    default:
      return null;
  }
}

function numericScale(column: ColumnDef): bigint | null {
  if (column.type === 'DECIMAL') return BigInt(column.scale ?? 0);
  if (column.type === 'DOUBLE') return null;
  return numericPrecision(column) === null ? null : 0n;
}

function datetimePrecision(column: ColumnDef): bigint | null {
  return column.type === 'TIME' || column.type === 'DATETIME' || column.type === 'TIMESTAMP' ? BigInt(column.fsp ?? 0) : null;
}

export const statisticsTable: VirtualTable = {
  name: 'STATISTICS',
  columns: [
    varchar('TABLE_CATALOG', 512), varchar('TABLE_SCHEMA'), varchar('TABLE_NAME'), bigint('NON_UNIQUE'), varchar('INDEX_SCHEMA'), varchar('INDEX_NAME'), bigint('SEQ_IN_INDEX'),
    varchar('COLUMN_NAME'), varchar('COLLATION', 1), bigint('CARDINALITY'), bigint('SUB_PART'), varchar('PACKED', 10), varchar('NULLABLE', 3), varchar('INDEX_TYPE', 16),
    varchar('COMMENT', 16), varchar('INDEX_COMMENT', 1024), varchar('IGNORED', 3),
  ],
  *rows(view: ReadView): Iterable<Row> {
    for (const table of liveTables(view)) yield* statisticsRows(table);
  },
};

// SHOW INDEX's rows, with the catalog and database around them.
function statisticsRows(table: TableDef): Row[] {
  return indexRows(table).map(([name, nonUnique, ...rest]) => [catalogName, table.database, name ?? null, nonUnique ?? null, table.database, ...rest]);
}
