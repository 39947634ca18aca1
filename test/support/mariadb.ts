// The MariaDB that differential tests compare TideDB with (127.0.0.1:3306, root, no password).
// A test file asks once whether it answers, and skips itself with a warning if it does not.
import mysql from 'mysql2/promise';
import type { ConnectionOptions } from 'mysql2/promise';

// Why MariaDB cannot be reached, or null when it can.
export async function mariadbUnreachable(options: ConnectionOptions, testName: string): Promise<string | null> {
  try {
    const connection = await mysql.createConnection(options);
    await connection.end();
    return null;
  } catch (error) {
    const reason = (error as Error).message;
    console.warn(`${testName} skipped: MariaDB at ${options.host}:${options.port} is unreachable (${reason})`);
    return reason;
  }
}
