// The MySQL error a failure answers with, whatever raised it.
import { isTideError } from '../base/errors.js';
import { errorMessageLengthMax } from '../base/limits.js';
import { mysqlErrorOf } from '../base/mysql-errors.js';
import { SessionError } from './session-statements.js';

export interface ErrorLog {
  error(fields: Record<string, unknown>, message: string): void;
}

// MySQL's number and SQLSTATE for a failure: a TideError's mapped one (base/mysql-errors.ts),
// else 1105 with the stable code in the message; anything unexpected is logged and answered
// as 1105 without its details.
export function mysqlErrorFor(error: unknown, log: ErrorLog): { readonly errno: number; readonly sqlstate: string; readonly message: string } {
  if (error instanceof SessionError) return { errno: error.errno, sqlstate: error.sqlstate, message: error.message };
  if (isTideError(error)) {
    const mapped = mysqlErrorOf(error.code);
    const message = error.message.length > errorMessageLengthMax ? `${error.message.slice(0, errorMessageLengthMax)}…` : error.message;
    return mapped !== undefined ? { errno: mapped.errno, sqlstate: mapped.sqlstate, message } : { errno: 1105, sqlstate: 'HY000', message: `${error.code}: ${message}` };
  }
  log.error({ err: error }, 'MySQL statement failed unexpectedly');
  return { errno: 1105, sqlstate: 'HY000', message: 'INTERNAL: the statement failed unexpectedly; the node logged why' };
}
