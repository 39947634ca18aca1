// A database of a benchmark's own on the MariaDB it compares with (dropped and created again,
// byte-ordered as TideDB's default collation is), and a pool of `connections` on it.
import mysql from 'mysql2/promise';
import type { Pool } from 'mysql2/promise';
import type { RunFlags } from './bench-measure.js';

export async function freshMariaDatabase(options: Pick<RunFlags, 'mysqlHost' | 'mysqlPort'>, name: string, connections: number): Promise<Pool> {
  const admin = await mysql.createConnection({ host: options.mysqlHost, port: options.mysqlPort, user: 'root' });
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name} COLLATE utf8mb4_bin`);
  await admin.end();
  return mysql.createPool({ host: options.mysqlHost, port: options.mysqlPort, user: 'root', database: name, connectionLimit: connections });
}
