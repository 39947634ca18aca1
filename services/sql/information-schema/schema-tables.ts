// SCHEMATA, TABLES and VIEWS: databases, tables and views of the catalog.
import type { Row } from '../../storage/types.js';
import type { ReadView } from '../read-view.js';
import type { VirtualTable } from '../select/virtual-table.js';
import { liveDatabases, liveTables } from '../show.js';
import { tableStatusValues, viewStatusValues } from '../table-status.js';
import { viewDefiner } from '../view-text.js';
import { bigint, catalogName, datetime, informationSchemaName, longtext, varchar } from './column-defs.js';

export const schemataTable: VirtualTable = {
  name: 'SCHEMATA',
  columns: [varchar('CATALOG_NAME', 512), varchar('SCHEMA_NAME'), varchar('DEFAULT_CHARACTER_SET_NAME', 32), varchar('DEFAULT_COLLATION_NAME'), varchar('SQL_PATH', 512), varchar('SCHEMA_COMMENT', 1024)],
  *rows(view: ReadView): Iterable<Row> {
    for (const name of [informationSchemaName, ...liveDatabases(view)].sort()) yield [catalogName, name, 'utf8mb4', name === informationSchemaName ? 'utf8mb3_general_ci' : view.databaseCollation(name), null, ''];
  },
};

export const tablesTable: VirtualTable = {
  name: 'TABLES',
  columns: [
    varchar('TABLE_CATALOG', 512), varchar('TABLE_SCHEMA'), varchar('TABLE_NAME'), varchar('TABLE_TYPE'), varchar('ENGINE'), bigint('VERSION'), varchar('ROW_FORMAT', 10),
    bigint('TABLE_ROWS'), bigint('AVG_ROW_LENGTH'), bigint('DATA_LENGTH'), bigint('MAX_DATA_LENGTH'), bigint('INDEX_LENGTH'), bigint('DATA_FREE'), bigint('AUTO_INCREMENT'),
    datetime('CREATE_TIME'), datetime('UPDATE_TIME'), datetime('CHECK_TIME'), varchar('TABLE_COLLATION', 32), bigint('CHECKSUM'), varchar('CREATE_OPTIONS', 2048),
    varchar('TABLE_COMMENT', 2048), bigint('MAX_INDEX_LENGTH'), varchar('TEMPORARY', 1),
  ],
  *rows(view: ReadView): Iterable<Row> {
    for (const table of liveTables(view)) yield [catalogName, table.database, table.name, 'BASE TABLE', ...tableStatusValues(view, table)];
    for (const definition of view.allViews()) yield [catalogName, definition.database, definition.name, 'VIEW', ...viewStatusValues()];
  },
};

export const viewsTable: VirtualTable = {
  name: 'VIEWS',
  columns: [varchar('TABLE_CATALOG', 512), varchar('TABLE_SCHEMA'), varchar('TABLE_NAME'), longtext('VIEW_DEFINITION'), varchar('CHECK_OPTION', 8), varchar('IS_UPDATABLE', 3), varchar('DEFINER', 384), varchar('SECURITY_TYPE', 7), varchar('CHARACTER_SET_CLIENT', 32), varchar('COLLATION_CONNECTION'), varchar('ALGORITHM', 10)],
  *rows(view: ReadView): Iterable<Row> {
    // Views are read-only here, so none is updatable.
    for (const definition of view.allViews()) yield [catalogName, definition.database, definition.name, definition.query, 'NONE', 'NO', viewDefiner, 'DEFINER', 'utf8mb4', 'utf8mb4_bin', 'UNDEFINED'];
  },
};
