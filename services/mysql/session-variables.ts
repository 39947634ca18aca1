// The server and session variables a client reads or sets on connect: each connector asks for
// a few (`@@max_allowed_packet`, `@@version_comment`, `@@session.transaction_isolation`,
// `@@sql_mode`…) and sets others (`SET NAMES`, `SET time_zone`), and most refuse to continue
// without an answer. The table holds what TideDB actually does, so a client that reads a value
// learns the truth: UTF-8 only, UTC only, strict SQL mode. The isolation level is the node's
// default (--transaction-isolation) until the session sets its own (session.ts).
// Setting a variable to another value is recorded for the session and reported back; the
// engine's behaviour does not change with it (a client told so by SHOW WARNINGS).
import { lockWaitMsDefault, mysqlPacketBytesMax } from '../base/limits.js';
import { mysqlVersion } from '../base/server-version.js';

export type VariableValue = bigint | string;

export const serverVersion = `${mysqlVersion.text}-TideDB-0.1.0`;

// Lowercase names; values as MySQL 8 reports them.
const defaults: ReadonlyMap<string, VariableValue> = new Map<string, VariableValue>([
  ['autocommit', 1n],
  ['auto_increment_increment', 1n],
  ['auto_increment_offset', 1n],
  ['character_set_client', 'utf8mb4'],
  ['character_set_connection', 'utf8mb4'],
  ['character_set_database', 'utf8mb4'],
  ['character_set_results', 'utf8mb4'],
  ['character_set_server', 'utf8mb4'],
  ['collation_connection', 'utf8mb4_general_ci'],
  ['collation_database', 'utf8mb4_general_ci'],
  ['collation_server', 'utf8mb4_general_ci'],
  ['default_authentication_plugin', 'mysql_native_password'],
  ['foreign_key_checks', 1n],
  ['init_connect', ''],
  // How long a repeatable-read statement waits for a row lock (write/row-locks.ts), in seconds:
  // the one variable here a session sets to change what the engine does, besides autocommit
  // and the isolation level.
  ['innodb_lock_wait_timeout', BigInt(lockWaitMsDefault / 1000)],
  ['interactive_timeout', 28_800n],
  ['license', 'Apache-2.0'],
  ['lower_case_table_names', 0n],
  ['max_allowed_packet', BigInt(mysqlPacketBytesMax)],
  ['net_buffer_length', 16_384n],
  ['net_write_timeout', 60n],
  ['performance_schema', 0n],
  ['protocol_version', 10n],
  ['query_cache_size', 0n],
  ['query_cache_type', 'OFF'],
  ['sql_auto_is_null', 0n],
  ['sql_mode', 'ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'],
  ['sql_select_limit', 18_446_744_073_709_551_615n],
  ['system_time_zone', 'UTC'],
  ['time_zone', 'SYSTEM'],
  ['transaction_isolation', 'SERIALIZABLE'],
  ['transaction_read_only', 0n],
  ['tx_isolation', 'SERIALIZABLE'],
  ['tx_read_only', 0n],
  ['version', serverVersion],
  ['version_comment', 'TideDB: distributed SQL on Raft, MySQL protocol'],
  ['version_compile_machine', 'x86_64'],
  ['version_compile_os', 'Linux'],
  ['wait_timeout', 28_800n],
  ['warning_count', 0n],
  ['error_count', 0n],
]);

// Read-only variables: setting them is MySQL's error 1238.
const readOnly = new Set(['version', 'version_comment', 'version_compile_machine', 'version_compile_os', 'protocol_version', 'license', 'system_time_zone', 'lower_case_table_names', 'character_set_server', 'collation_server', 'default_authentication_plugin', 'performance_schema', 'warning_count', 'error_count']);

export class SessionVariables {
  private readonly values = new Map<string, VariableValue>(defaults);

  get(name: string): VariableValue | undefined {
    return this.values.get(name.toLowerCase());
  }

  has(name: string): boolean {
    return this.values.has(name.toLowerCase());
  }

  isReadOnly(name: string): boolean {
    return readOnly.has(name.toLowerCase());
  }

  set(name: string, value: VariableValue): void {
    this.values.set(name.toLowerCase(), value);
  }

  // For SHOW VARIABLES, sorted by name as MySQL lists them.
  entries(): [string, VariableValue][] {
    return [...this.values.entries()].sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
  }
}
