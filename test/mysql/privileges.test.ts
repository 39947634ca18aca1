// The privilege table of test/users/privilege-cases.ts over the MySQL protocol: every statement
// kind, sent by a user logged in with mysql2 who lacks the privilege it needs, is refused with
// MySQL's error (1142, or 1227 for account statements) and changes nothing; after the GRANT it
// names, the same statement succeeds on the same connection. One fresh node per case, root
// being the loopback client of a node without a root password.
import mysql from 'mysql2/promise';
import type { Connection } from 'mysql2/promise';
import { afterEach, describe, expect, it } from 'vitest';
import { privilegeCases, privilegeFingerprint, privilegeSetup } from '../users/privilege-cases.js';
import { startMysqlNode } from './mysql-node.js';
import type { MysqlNode } from './mysql-node.js';

const password = 'u-password-1';
const firstPort = 24100;

describe('privileges of each statement kind over the MySQL protocol', () => {
  let node: MysqlNode | null = null;
  const open: Connection[] = [];
  afterEach(async () => {
    for (const connection of open.splice(0)) await connection.end().catch(() => undefined);
    await node?.close();
    node = null;
  });

  const connectAs = async (user: string, secret: string): Promise<Connection> => {
    const connection = await mysql.createConnection({ host: '127.0.0.1', port: node!.port, user, password: secret });
    open.push(connection);
    return connection;
  };
  const fingerprint = async (root: Connection): Promise<unknown[]> => {
    const seen: unknown[] = [];
    for (const sql of privilegeFingerprint) seen.push((await root.query(sql))[0]);
    return seen;
  };

  it.each(privilegeCases.map((entry, at) => ({ ...entry, at })))('$sql needs $needs', async ({ sql, has, needs, errno, at }) => {
    node = await startMysqlNode({ port: firstPort + at });
    const root = await connectAs('root', '');
    for (const statement of [...privilegeSetup, `CREATE USER 'u'@'%' IDENTIFIED BY '${password}'`, ...has.map((grant) => `GRANT ${grant} TO 'u'@'%'`)]) await root.query(statement);
    const before = await fingerprint(root);
    const user = await connectAs('u', password);
    await expect(user.query(sql)).rejects.toMatchObject({ errno, sqlState: '42000' });
    expect(await fingerprint(root)).toEqual(before);
    await root.query(`GRANT ${needs} TO 'u'@'%'`);
    await expect(user.query(sql)).resolves.toBeDefined();
  });
});
