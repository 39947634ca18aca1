// MySQL's error number and SQLSTATE for the TideDB codes that have one, so that a client
// written for MySQL or TiDB recognizes the failure (1062 duplicate key, 1146 unknown table…)
// whether it arrives over HTTP, in the error body beside the stable code, or later over the
// MySQL protocol. Codes about HTTP itself (a malformed body, a timeout) or the cluster (no
// leader) have no MySQL counterpart and are absent; numbers are those of MySQL 8's
// `mysqld_error.h`.
import type { ErrorCode } from './errors.js';

export interface MysqlError {
  readonly errno: number;
  readonly sqlstate: string;
}

const mysqlErrors: Partial<Readonly<Record<ErrorCode, MysqlError>>> = {
  SQL_SYNTAX:            { errno: 1064, sqlstate: '42000' }, // ER_PARSE_ERROR
  SQL_UNSUPPORTED:       { errno: 1235, sqlstate: '42000' }, // ER_NOT_SUPPORTED_YET
  IDENTIFIER_TOO_LONG:   { errno: 1059, sqlstate: '42000' }, // ER_TOO_LONG_IDENT
  STATEMENT_TOO_LONG:    { errno: 1153, sqlstate: '08S01' }, // ER_NET_PACKET_TOO_LARGE
  PARAM_COUNT_MISMATCH:  { errno: 1210, sqlstate: 'HY000' }, // ER_WRONG_ARGUMENTS
  ARGUMENTS_INCORRECT:   { errno: 1210, sqlstate: 'HY000' }, // ER_WRONG_ARGUMENTS
  VALUE_COUNT_MISMATCH:  { errno: 1136, sqlstate: '21S01' }, // ER_WRONG_VALUE_COUNT_ON_ROW
  FUNCTION_ARGUMENT_COUNT: { errno: 1582, sqlstate: '42000' }, // ER_WRONG_PARAMCOUNT_TO_NATIVE_FCT
  TABLE_NOT_FOUND:       { errno: 1146, sqlstate: '42S02' }, // ER_NO_SUCH_TABLE
  TABLE_EXISTS:          { errno: 1050, sqlstate: '42S01' }, // ER_TABLE_EXISTS_ERROR
  DATABASE_EXISTS:       { errno: 1007, sqlstate: 'HY000' }, // ER_DB_CREATE_EXISTS
  DATABASE_NOT_FOUND:    { errno: 1008, sqlstate: 'HY000' }, // ER_DB_DROP_EXISTS
  DATABASE_UNKNOWN:      { errno: 1049, sqlstate: '42000' }, // ER_BAD_DB_ERROR
  TABLE_UNKNOWN:         { errno: 1051, sqlstate: '42S02' }, // ER_BAD_TABLE_ERROR
  NOT_A_VIEW:            { errno: 1347, sqlstate: 'HY000' }, // ER_WRONG_OBJECT
  VIEW_INVALID:          { errno: 1356, sqlstate: 'HY000' }, // ER_VIEW_INVALID
  VIEW_RECURSIVE:        { errno: 1462, sqlstate: 'HY000' }, // ER_VIEW_RECURSIVE
  VIEW_NOT_UPDATABLE:    { errno: 1288, sqlstate: 'HY000' }, // ER_NON_UPDATABLE_TABLE
  ACCESS_DENIED:         { errno: 1044, sqlstate: '42000' }, // ER_DBACCESS_DENIED_ERROR
  TABLE_ACCESS_DENIED:   { errno: 1142, sqlstate: '42000' }, // ER_TABLEACCESS_DENIED_ERROR
  ACCOUNT_ADMIN_DENIED:  { errno: 1227, sqlstate: '42000' }, // ER_SPECIFIC_ACCESS_DENIED_ERROR
  ACCOUNT_OPERATION_FAILED: { errno: 1396, sqlstate: 'HY000' }, // ER_CANNOT_USER
  ACCOUNT_NOT_FOUND:     { errno: 1133, sqlstate: '28000' }, // ER_PASSWORD_NO_MATCH
  GRANT_NOT_FOUND:       { errno: 1141, sqlstate: '42000' }, // ER_NONEXISTING_GRANT
  TABLE_GRANT_NOT_FOUND: { errno: 1147, sqlstate: '42000' }, // ER_NONEXISTING_TABLE_GRANT
  LOGIN_FAILED:          { errno: 1045, sqlstate: '28000' }, // ER_ACCESS_DENIED_ERROR
  LOGIN_RATE_LIMITED:    { errno: 1129, sqlstate: 'HY000' }, // ER_HOST_IS_BLOCKED
  LOOPBACK_ONLY:         { errno: 1130, sqlstate: 'HY000' }, // ER_HOST_NOT_PRIVILEGED
  DELETE_TARGET_UNKNOWN: { errno: 1109, sqlstate: '42S02' }, // ER_UNKNOWN_TABLE
  COLLATION_UNKNOWN:     { errno: 1273, sqlstate: 'HY000' }, // ER_UNKNOWN_COLLATION
  COLLATION_MIX_ILLEGAL: { errno: 1267, sqlstate: 'HY000' }, // ER_CANT_AGGREGATE_2COLLATIONS
  TABLE_ALIAS_NOT_UNIQUE: { errno: 1066, sqlstate: '42000' }, // ER_NONUNIQ_TABLE
  USAGE_INCORRECT:       { errno: 1221, sqlstate: 'HY000' }, // ER_WRONG_USAGE
  COLUMN_DUPLICATE:      { errno: 1060, sqlstate: '42S21' }, // ER_DUP_FIELDNAME
  COLUMN_NOT_FOUND:      { errno: 1054, sqlstate: '42S22' }, // ER_BAD_FIELD_ERROR
  COLUMN_AMBIGUOUS:      { errno: 1052, sqlstate: '23000' }, // ER_NON_UNIQ_ERROR
  DUPLICATE_KEY:         { errno: 1062, sqlstate: '23000' }, // ER_DUP_ENTRY
  COLUMN_EXISTS:         { errno: 1060, sqlstate: '42S21' }, // ER_DUP_FIELDNAME
  DROP_TARGET_NOT_FOUND: { errno: 1091, sqlstate: '42000' }, // ER_CANT_DROP_FIELD_OR_KEY
  INDEX_NOT_FOUND:       { errno: 1091, sqlstate: '42000' }, // ER_CANT_DROP_FIELD_OR_KEY
  COLUMN_DROP_LAST:      { errno: 1090, sqlstate: '42000' }, // ER_CANT_REMOVE_ALL_FIELDS
  PRIMARY_KEY_EXISTS:    { errno: 1068, sqlstate: '42000' }, // ER_MULTIPLE_PRI_KEY
  DATA_TRUNCATED:        { errno: 1265, sqlstate: '01000' }, // WARN_DATA_TRUNCATED, an error in strict mode
  KEY_COLUMN_NOT_FOUND:  { errno: 1072, sqlstate: '42000' }, // ER_KEY_COLUMN_DOES_NOT_EXITS
  TYPE_MISMATCH:         { errno: 1366, sqlstate: 'HY000' }, // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD
  DATETIME_INVALID:      { errno: 1292, sqlstate: '22007' }, // ER_TRUNCATED_WRONG_VALUE
  JSON_INVALID:          { errno: 3140, sqlstate: '22032' }, // ER_INVALID_JSON_TEXT
  JSON_KEY_NULL:         { errno: 3158, sqlstate: '22032' }, // ER_JSON_DOCUMENT_NULL_KEY
  CHECK_VIOLATION:       { errno: 3819, sqlstate: 'HY000' }, // ER_CHECK_CONSTRAINT_VIOLATED
  FOREIGN_KEY_PARENT_MISSING:       { errno: 1452, sqlstate: '23000' }, // ER_NO_REFERENCED_ROW_2
  FOREIGN_KEY_ROW_REFERENCED:       { errno: 1451, sqlstate: '23000' }, // ER_ROW_IS_REFERENCED_2
  FOREIGN_KEY_TABLE_REFERENCED:     { errno: 3730, sqlstate: 'HY000' }, // ER_FK_CANNOT_DROP_PARENT
  TRUNCATE_REFERENCED:              { errno: 1701, sqlstate: '42000' }, // ER_TRUNCATE_ILLEGAL_FK
  FOREIGN_KEY_COLUMN_NEEDED:        { errno: 1828, sqlstate: 'HY000' }, // ER_FK_COLUMN_CANNOT_DROP
  FOREIGN_KEY_COLUMN_REFERENCED:    { errno: 1829, sqlstate: 'HY000' }, // ER_FK_COLUMN_CANNOT_DROP_CHILD
  FOREIGN_KEY_CASCADE_TOO_DEEP:     { errno: 3008, sqlstate: 'HY000' }, // ER_FK_DEPTH_EXCEEDED
  FOREIGN_KEY_DEFINITION_INVALID:   { errno: 1239, sqlstate: '42000' }, // ER_WRONG_FK_DEF
  FOREIGN_KEY_PARENT_NOT_FOUND:     { errno: 1824, sqlstate: 'HY000' }, // ER_FK_CANNOT_OPEN_PARENT
  FOREIGN_KEY_PARENT_INDEX_MISSING: { errno: 1822, sqlstate: 'HY000' }, // ER_FK_NO_INDEX_PARENT
  FOREIGN_KEY_COLUMNS_INCOMPATIBLE: { errno: 3780, sqlstate: 'HY000' }, // ER_FK_INCOMPATIBLE_COLUMNS
  FOREIGN_KEY_COLUMN_NOT_NULL:      { errno: 1830, sqlstate: 'HY000' }, // ER_FK_COLUMN_NOT_NULL
  FOREIGN_KEY_EXISTS:               { errno: 1826, sqlstate: 'HY000' }, // ER_FK_DUP_NAME
  FOREIGN_KEY_INDEX_IN_USE:         { errno: 1553, sqlstate: 'HY000' }, // ER_DROP_INDEX_FK
  FOREIGN_KEY_CHECKED_COLUMN:       { errno: 3823, sqlstate: 'HY000' }, // ER_CHECK_CONSTRAINT_CLAUSE_USING_FK_REFER_ACTION_COLUMN
  FOREIGN_KEY_NOT_FOUND:            { errno: 1091, sqlstate: '42000' }, // ER_CANT_DROP_FIELD_OR_KEY
  NOT_NULL_VIOLATION:    { errno: 1048, sqlstate: '23000' }, // ER_BAD_NULL_ERROR
  FIELD_NO_DEFAULT:      { errno: 1364, sqlstate: 'HY000' }, // ER_NO_DEFAULT_FOR_FIELD
  VALUE_OUT_OF_RANGE:    { errno: 1264, sqlstate: '22003' }, // ER_WARN_DATA_OUT_OF_RANGE
  VALUE_TOO_LONG:        { errno: 1406, sqlstate: '22001' }, // ER_DATA_TOO_LONG
  RECURSION_TOO_DEEP:    { errno: 3636, sqlstate: 'HY000' }, // ER_CTE_MAX_RECURSION_DEPTH
  WINDOW_FUNCTION_MISPLACED: { errno: 3593, sqlstate: 'HY000' }, // ER_WINDOW_INVALID_WINDOW_FUNC_USE
  TX_CONFLICT:           { errno: 1213, sqlstate: '40001' }, // ER_LOCK_DEADLOCK, as TiDB's optimistic conflicts
  LOCK_WAIT_TIMEOUT:     { errno: 1205, sqlstate: 'HY000' }, // ER_LOCK_WAIT_TIMEOUT
  SAVEPOINT_NOT_FOUND:   { errno: 1305, sqlstate: '42000' }, // ER_SP_DOES_NOT_EXIST
  TX_TOO_LARGE:          { errno: 8004, sqlstate: 'HY000' }, // TiDB's ErrTxnTooLarge
  INTERNAL:              { errno: 1105, sqlstate: 'HY000' }, // ER_UNKNOWN_ERROR, as TiDB answers
};

export function mysqlErrorOf(code: ErrorCode): MysqlError | undefined {
  return mysqlErrors[code];
}
