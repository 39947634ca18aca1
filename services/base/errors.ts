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
  TABLE_NOT_FOUND:       { status: 404, retriable: false },
  TABLE_EXISTS:          { status: 409, retriable: false },
  COLUMN_NOT_FOUND:      { status: 400, retriable: false },
  COLUMN_AMBIGUOUS:      { status: 400, retriable: false },
  TABLE_DEFINITION_INVALID: { status: 400, retriable: false },
  DUPLICATE_KEY:         { status: 409, retriable: false },
  TYPE_MISMATCH:         { status: 400, retriable: false },
  NOT_NULL_VIOLATION:    { status: 400, retriable: false },
  VALUE_OUT_OF_RANGE:    { status: 400, retriable: false },
  BATCH_TOO_LARGE:       { status: 413, retriable: false },
  RESULT_TOO_LARGE:      { status: 413, retriable: false },
  QUERY_MEMORY_EXCEEDED: { status: 413, retriable: false },
  SUBQUERY_TOO_MANY_ROWS: { status: 400, retriable: false },
  NOT_FOUND:             { status: 404, retriable: false },
  NOT_LEADER:            { status: 503, retriable: true  },
  SHUTTING_DOWN:         { status: 503, retriable: true  },
  OVERLOADED:            { status: 503, retriable: true  },
  INTERNAL:              { status: 500, retriable: true  },
} as const;
export type ErrorCode = keyof typeof ErrorCode;

export interface ErrorDetails {
  // Offset and line/column of a syntax error within the statement's text.
  readonly position?: { readonly offset: number; readonly line: number; readonly column: number };
  // Which statement of a multi-statement request failed (0-based).
  readonly statement_index?: number;
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
