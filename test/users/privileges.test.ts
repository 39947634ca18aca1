// Proves every statement kind is refused, with MySQL's 1142 (1227 for account statements), to
// a user without the privilege it needs, and changes nothing; and that the grant it names is
// what makes it succeed. Over HTTP with Basic auth, one fresh in-process node per case (real
// LMDB and Raft log); the table of cases is shared with the MySQL protocol's test.
import { afterEach, describe, expect, it } from 'vitest';
import type { InProcessNode } from '../http/in-process-node.js';
import { privilegeCases, privilegeFingerprint, privilegeSetup } from './privilege-cases.js';
import { asRoot, sqlAs, startUserNode } from './user-node.js';

const user = { name: 'u', password: 'u-password-1' };

describe('privileges of each statement kind over HTTP', () => {
  let node: InProcessNode | null = null;
  afterEach(async () => {
    await node?.close();
    node = null;
  });

  it.each(privilegeCases)('$sql needs $needs', async ({ sql, has, needs, errno }) => {
    node = await startUserNode();
    await asRoot(node, [...privilegeSetup, `CREATE USER 'u'@'%' IDENTIFIED BY '${user.password}'`, ...has.map((grant) => `GRANT ${grant} TO 'u'@'%'`)]);
    const before = await asRoot(node, privilegeFingerprint);
    const refused = await sqlAs(node, user, sql);
    expect(refused.status).toBe(403);
    expect(refused.body.error?.code).toBe(errno === 1142 ? 'TABLE_ACCESS_DENIED' : 'ACCOUNT_ADMIN_DENIED');
    expect(refused.body.error?.mysql_errno).toBe(errno);
    expect(await asRoot(node, privilegeFingerprint)).toEqual(before);
    await asRoot(node, [`GRANT ${needs} TO 'u'@'%'`]);
    const allowed = await sqlAs(node, user, sql);
    expect(allowed.body.error).toBeUndefined();
    expect(allowed.status).toBe(200);
  });
});

describe('grant levels and REVOKE', () => {
  let node: InProcessNode | null = null;
  afterEach(async () => {
    await node?.close();
    node = null;
  });

  it('holds a privilege through *.*, db.* or db.table, and loses it with REVOKE at that level', async () => {
    node = await startUserNode();
    await asRoot(node, ['CREATE TABLE t (id INT PRIMARY KEY)', 'CREATE TABLE s (id INT PRIMARY KEY)', 'CREATE TABLE other.x (id INT PRIMARY KEY)', `CREATE USER 'u'@'%' IDENTIFIED BY '${user.password}'`]);
    const reads = async (): Promise<string[]> => {
      const allowed: string[] = [];
      for (const table of ['app.t', 'app.s', 'other.x']) if ((await sqlAs(node!, user, `SELECT * FROM ${table}`)).status === 200) allowed.push(table);
      return allowed;
    };
    expect(await reads()).toEqual([]);
    await asRoot(node, ["GRANT SELECT ON *.* TO 'u'@'%'"]);
    expect(await reads()).toEqual(['app.t', 'app.s', 'other.x']);
    await asRoot(node, ["REVOKE SELECT ON *.* FROM 'u'@'%'", "GRANT SELECT ON app.* TO 'u'@'%'"]);
    expect(await reads()).toEqual(['app.t', 'app.s']);
    await asRoot(node, ["REVOKE SELECT ON app.* FROM 'u'@'%'", "GRANT SELECT ON app.s TO 'u'@'%'"]);
    expect(await reads()).toEqual(['app.s']);
    await asRoot(node, ["REVOKE ALL PRIVILEGES ON app.s FROM 'u'@'%'"]);
    expect(await reads()).toEqual([]);
    // USE needs some privilege in the database (MySQL's 1044); a dropped account holds nothing.
    expect((await sqlAs(node, user, 'USE other')).body.error).toMatchObject({ code: 'ACCESS_DENIED', mysql_errno: 1044 });
    await asRoot(node, ["GRANT INSERT ON other.x TO 'u'@'%'"]);
    expect((await sqlAs(node, user, 'USE other')).status).toBe(200);
    await asRoot(node, ["DROP USER 'u'@'%'"]);
    expect((await sqlAs(node, user, 'SELECT 1')).status).toBe(401);
  });
});
