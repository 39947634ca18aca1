// The closed set of errors TideDB reports to clients. Each code is stable (clients and tests
// compare it, never the message), names the rule that failed, carries its HTTP status and
// says whether retrying the same request can succeed.

export const ErrorCode = {
  JSON_MALFORMED:        { status: 400, retriable: false },
  REQUEST_INVALID:       { status: 400, retriable: false },
  REQUEST_TOO_LARGE:     { status: 413, retriable: false },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, retriable: false },
  CONTENT_ENCODING_UNSUPPORTED: { status: 415, retriable: false },
  REQUEST_TIMEOUT:       { status: 408, retriable: true  },
  // Limits on one statement's shape, checked before the work they protect (base/limits.ts).
  STATEMENT_TOO_LONG:    { status: 413, retriable: false },
  EXPRESSION_TOO_DEEP:   { status: 400, retriable: false },
  EXPRESSION_TOO_MANY_TERMS: { status: 400, retriable: false },
  IN_LIST_TOO_LONG:      { status: 400, retriable: false },
  PARAMS_TOO_MANY:       { status: 400, retriable: false },
  IDENTIFIER_TOO_LONG:   { status: 400, retriable: false },
  SQL_SYNTAX:            { status: 400, retriable: false },
  SQL_UNSUPPORTED:       { status: 400, retriable: false },
  PARAM_COUNT_MISMATCH:  { status: 400, retriable: false },
  // A clause or window function given an argument it cannot take: LIKE's ESCAPE of more than
  // one character, NTILE(0).
  ARGUMENTS_INCORRECT:   { status: 400, retriable: false },
  // INSERT with a row of more or fewer values than its columns (MySQL's 1136).
  VALUE_COUNT_MISMATCH:  { status: 400, retriable: false },
  // A function called with more or fewer arguments than it takes (MySQL's 1582).
  FUNCTION_ARGUMENT_COUNT: { status: 400, retriable: false },
  TABLE_NOT_FOUND:       { status: 404, retriable: false },
  TABLE_EXISTS:          { status: 409, retriable: false },
  DATABASE_NOT_FOUND:    { status: 404, retriable: false },
  DATABASE_EXISTS:       { status: 409, retriable: false },
  // USE of a database that neither was created nor holds a table (MySQL's 1049).
  DATABASE_UNKNOWN:      { status: 404, retriable: false },
  // DROP TABLE naming no table (or a view), DROP VIEW naming nothing (MySQL's 1051, "unknown table").
  TABLE_UNKNOWN:         { status: 404, retriable: false },
  // DROP VIEW or SHOW CREATE VIEW naming a table (MySQL's 1347).
  NOT_A_VIEW:            { status: 400, retriable: false },
  // A view whose query no longer binds: a table or column it reads was dropped (MySQL's 1356).
  VIEW_INVALID:          { status: 400, retriable: false },
  // A view that reads itself, directly or through other views (MySQL's 1462).
  VIEW_RECURSIVE:        { status: 400, retriable: false },
  // INSERT, UPDATE or DELETE naming a view: views are read-only here (MySQL's 1288).
  VIEW_NOT_UPDATABLE:    { status: 400, retriable: false },
  // A write to information_schema, which is read-only (MySQL's 1044).
  ACCESS_DENIED:         { status: 403, retriable: false },
  // Users and privileges (services/users/DESIGN.md). A statement on a table without the
  // privilege it needs (MySQL's 1142); an account statement or cluster admin request without
  // the global ALL PRIVILEGES it needs (1227); CREATE, ALTER or DROP USER of an account that
  // exists or does not (1396); GRANT to an account never created (1133); REVOKE or SHOW GRANTS
  // of a grant the account lacks (1141, on a table 1147).
  TABLE_ACCESS_DENIED:   { status: 403, retriable: false },
  ACCOUNT_ADMIN_DENIED:  { status: 403, retriable: false },
  ACCOUNT_OPERATION_FAILED: { status: 409, retriable: false },
  ACCOUNT_NOT_FOUND:     { status: 404, retriable: false },
  GRANT_NOT_FOUND:       { status: 404, retriable: false },
  TABLE_GRANT_NOT_FOUND: { status: 404, retriable: false },
  // Logins: no credentials or wrong ones (1045); too many recent failures from the client's
  // address (1129, retriable once the window passes); a client beyond loopback on a node that
  // has no root password (1130); a request forwarded between nodes whose identity does not
  // carry the cluster secret's signature.
  LOGIN_FAILED:          { status: 401, retriable: false },
  LOGIN_RATE_LIMITED:    { status: 429, retriable: true  },
  LOOPBACK_ONLY:         { status: 403, retriable: false },
  FORWARD_UNAUTHENTICATED: { status: 401, retriable: false },
  // A multi-table DELETE's target that names no table of its FROM (MySQL's 1109).
  DELETE_TARGET_UNKNOWN: { status: 400, retriable: false },
  // A multi-table DELETE naming one of its tables twice (MySQL's 1066).
  TABLE_ALIAS_NOT_UNIQUE: { status: 400, retriable: false },
  // A clause the statement's form does not take: ORDER BY or LIMIT in a multi-table UPDATE
  // (MySQL's 1221).
  USAGE_INCORRECT:       { status: 400, retriable: false },
  // Two columns of one name in a view's result (MySQL's 1060).
  COLUMN_DUPLICATE:      { status: 400, retriable: false },
  COLUMN_NOT_FOUND:      { status: 400, retriable: false },
  COLUMN_AMBIGUOUS:      { status: 400, retriable: false },
  TABLE_DEFINITION_INVALID: { status: 400, retriable: false },
  DUPLICATE_KEY:         { status: 409, retriable: false },
  INDEX_NOT_FOUND:       { status: 404, retriable: false },
  // ALTER TABLE: a column name the table already has; DROP of a column, CHECK or primary key
  // it does not have; dropping its every column; a second primary key (MySQL's 1060, 1091,
  // 1090, 1068); a value of a row that the column's new type or NOT NULL cannot hold (1265).
  COLUMN_EXISTS:         { status: 409, retriable: false },
  DROP_TARGET_NOT_FOUND: { status: 404, retriable: false },
  COLUMN_DROP_LAST:      { status: 400, retriable: false },
  PRIMARY_KEY_EXISTS:    { status: 409, retriable: false },
  DATA_TRUNCATED:        { status: 400, retriable: false },
  // An index or primary key names a column the table does not have (MySQL's 1072).
  KEY_COLUMN_NOT_FOUND:  { status: 400, retriable: false },
  INDEX_EXISTS:          { status: 409, retriable: false },
  // A primary or index key longer than LMDB keeps (limits.ts, keyBytesMax).
  KEY_TOO_LONG:          { status: 400, retriable: false },
  TYPE_MISMATCH:         { status: 400, retriable: false },
  // A COLLATE naming a collation TideDB does not have (MySQL's 1273), or one that does not
  // apply to the value (a number's, 1253); two strings of different collations compared with
  // neither made explicit by COLLATE (1267).
  COLLATION_UNKNOWN:     { status: 400, retriable: false },
  COLLATION_MIX_ILLEGAL: { status: 400, retriable: false },
  // Text that is not a JSON document, or a JSON path TideDB cannot read (MySQL's 3140, 3143).
  JSON_INVALID:          { status: 400, retriable: false },
  // A JSON object member whose name is NULL (JSON_OBJECT, JSON_OBJECTAGG; MySQL's 3158).
  JSON_KEY_NULL:         { status: 400, retriable: false },
  // Text or a number that is no date or time of the type it is read as (MySQL's 1292).
  DATETIME_INVALID:      { status: 400, retriable: false },
  NOT_NULL_VIOLATION:    { status: 400, retriable: false },
  // An INSERT that leaves out a NOT NULL column without a default (MySQL's 1364).
  FIELD_NO_DEFAULT:      { status: 400, retriable: false },
  // A row for which one of its table's CHECK constraints is false.
  CHECK_VIOLATION:       { status: 400, retriable: false },
  // FOREIGN KEY: a child row whose values no parent row holds (MySQL's 1452); a parent row
  // deleted or changed while child rows reference it under RESTRICT or NO ACTION (1451); a
  // parent table dropped while another table references it (3730); cascades nested deeper than
  // MySQL's 15 (3008).
  FOREIGN_KEY_PARENT_MISSING: { status: 409, retriable: false },
  FOREIGN_KEY_ROW_REFERENCED: { status: 409, retriable: false },
  FOREIGN_KEY_TABLE_REFERENCED: { status: 409, retriable: false },
  TRUNCATE_REFERENCED: { status: 409, retriable: false },
  FOREIGN_KEY_COLUMN_NEEDED: { status: 409, retriable: false },
  FOREIGN_KEY_COLUMN_REFERENCED: { status: 409, retriable: false },
  FOREIGN_KEY_CASCADE_TOO_DEEP: { status: 400, retriable: false },
  // FOREIGN KEY declarations that cannot hold: the column lists differ in length (1239); the
  // parent table does not exist (1824); its columns are not its primary key nor a UNIQUE index
  // (1822); a column pair's types differ (3780); SET NULL on a NOT NULL column (1830); a name
  // another constraint of the database has (1826); DROP FOREIGN KEY of none (1091).
  FOREIGN_KEY_DEFINITION_INVALID: { status: 400, retriable: false },
  FOREIGN_KEY_PARENT_NOT_FOUND: { status: 400, retriable: false },
  FOREIGN_KEY_PARENT_INDEX_MISSING: { status: 400, retriable: false },
  FOREIGN_KEY_COLUMNS_INCOMPATIBLE: { status: 400, retriable: false },
  FOREIGN_KEY_COLUMN_NOT_NULL: { status: 400, retriable: false },
  FOREIGN_KEY_EXISTS:    { status: 409, retriable: false },
  // DROP INDEX of an index a foreign key looks up through (1553).
  FOREIGN_KEY_INDEX_IN_USE: { status: 409, retriable: false },
  // A foreign key whose CASCADE or SET NULL would change a column a CHECK reads (3823).
  FOREIGN_KEY_CHECKED_COLUMN: { status: 400, retriable: false },
  FOREIGN_KEY_NOT_FOUND: { status: 404, retriable: false },
  VALUE_OUT_OF_RANGE:    { status: 400, retriable: false },
  // Text or bytes longer than their column holds (MySQL's 1406, "data too long").
  VALUE_TOO_LONG:        { status: 400, retriable: false },
  BATCH_TOO_LARGE:       { status: 413, retriable: false },
  RESULT_TOO_LARGE:      { status: 413, retriable: false },
  QUERY_MEMORY_EXCEEDED: { status: 413, retriable: false },
  SUBQUERY_TOO_MANY_ROWS: { status: 400, retriable: false },
  // A WITH RECURSIVE query still producing rows after cte_max_recursion_depth iterations.
  RECURSION_TOO_DEEP:    { status: 400, retriable: false },
  // A window function where none may stand (WHERE, GROUP BY, HAVING, inside another).
  WINDOW_FUNCTION_MISPLACED: { status: 400, retriable: false },
  NOT_FOUND:             { status: 404, retriable: false },
  // Change streams: the position asked for is older than the changelog keeps; a subscriber
  // that read nothing for too long was cut off; the node serves as many streams as it allows.
  CHANGES_EXPIRED:       { status: 410, retriable: false },
  STREAM_STALLED:        { status: 503, retriable: true  },
  STREAMS_TOO_MANY:      { status: 503, retriable: true  },
  NOT_LEADER:            { status: 503, retriable: true  },
  // A read with min_lsn on a node that has not applied that far in time.
  LSN_NOT_REACHED:       { status: 503, retriable: true  },
  // The leader changed before the write's fate was known: it may or may not be applied. Not
  // retriable, so that no client or forwarder writes twice on its own.
  OUTCOME_UNKNOWN:       { status: 503, retriable: false },
  // A follower could not forward to its leader over HTTPS: the TLS handshake failed (the
  // leader's certificate is not signed by the CA this node trusts, --tls-ca, or the leader does
  // not serve HTTPS). Nothing was sent; the configuration must change before a retry can work.
  FORWARD_TLS_FAILED:    { status: 502, retriable: false },
  SHUTTING_DOWN:         { status: 503, retriable: true  },
  // Cluster membership and leadership (raft/core/membership.ts; POST /v1/cluster/...). One
  // change at a time: another pending, a transfer under way or a learner still catching up
  // pass with time; the others are about the request itself.
  MEMBER_EXISTS:         { status: 409, retriable: false },
  MEMBER_NOT_FOUND:      { status: 404, retriable: false },
  MEMBER_NOT_LEARNER:    { status: 409, retriable: false },
  MEMBER_NOT_VOTER:      { status: 409, retriable: false },
  MEMBER_LAST_VOTER:     { status: 409, retriable: false },
  MEMBERSHIP_CHANGE_PENDING: { status: 503, retriable: true },
  LEARNER_BEHIND:        { status: 503, retriable: true  },
  LEADER_TRANSFERRING:   { status: 503, retriable: true  },
  // The transfer's target did not take over within the wait (it was behind, or cut off): the
  // old leader leads on.
  LEADER_TRANSFER_FAILED: { status: 503, retriable: true },
  // Membership changes need a node started with peer links (--peers); a single node has none.
  CLUSTER_REQUIRED:      { status: 409, retriable: false },
  OVERLOADED:            { status: 503, retriable: true  },
  // Interactive transactions (write/transactions.ts): what it read or wrote changed since its
  // snapshot, or its snapshot is older than the leader's conflict window — nothing was
  // written, run it again (MySQL's 1213); a handle this node does not know (never opened here,
  // committed, rolled back or timed out); this node's bound on open transactions; a
  // transaction's changes beyond its bound.
  TX_CONFLICT:           { status: 409, retriable: true  },
  // A repeatable-read statement waited past its bound for a row another transaction holds
  // locked (write/row-locks.ts): the statement was undone, the transaction stays open (MySQL's
  // 1205).
  LOCK_WAIT_TIMEOUT:     { status: 409, retriable: true  },
  TX_NOT_FOUND:          { status: 404, retriable: false },
  TX_LIMIT:              { status: 503, retriable: true  },
  TX_TOO_LARGE:          { status: 413, retriable: false },
  // ROLLBACK TO or RELEASE of a savepoint the transaction does not have (MySQL's 1305).
  SAVEPOINT_NOT_FOUND:   { status: 404, retriable: false },
  // More unpublished changes wait for Kafka than --kafka-backlog-max-entries allows.
  KAFKA_BACKLOG_FULL:    { status: 503, retriable: true  },
  // A DDL on a published table whose new Avro schema its subject's consumers could not follow.
  SCHEMA_INCOMPATIBLE:   { status: 409, retriable: false },
  INTERNAL:              { status: 500, retriable: true  },
  // Raft peer links (raft/transport). Never answered to a client: each closes the peer
  // connection it came from, and names why in the transport's events.
  PEER_MESSAGE_INVALID:  { status: 400, retriable: false },
  PEER_FRAME_TOO_LARGE:  { status: 413, retriable: false },
  // Also the answer of the leader's internal HTTP routes to a caller that is not a member
  // (write/peer-signature.ts).
  PEER_AUTH_FAILED:      { status: 401, retriable: false },
  PEER_CONFIG_INVALID:   { status: 400, retriable: false },
  // A Raft snapshot chunk whose format or checksum is wrong (storage/state-snapshot.ts): it
  // is not stored, and the leader sends it again.
  SNAPSHOT_INVALID:      { status: 400, retriable: false },
} as const;
export type ErrorCode = keyof typeof ErrorCode;

export interface ErrorDetails {
  // Offset and line/column of a syntax error within the statement's text.
  readonly position?: { readonly offset: number; readonly line: number; readonly column: number };
  // Which statement of a multi-statement request failed (0-based).
  readonly statement_index?: number;
  // The oldest position a change stream can still resume after (CHANGES_EXPIRED).
  readonly oldest_lsn?: string;
  // The whole interactive transaction was rolled back, not only the statement (a deadlock).
  readonly transaction_rolled_back?: true;
}

export class TideError extends Error {
  override readonly name = 'TideError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
  }

  get status(): number {
    return ErrorCode[this.code].status;
  }

  withDetails(details: ErrorDetails): TideError {
    return new TideError(this.code, this.message, { ...this.details, ...details });
  }
}

export function isTideError(error: unknown): error is TideError {
  return error instanceof TideError;
}
