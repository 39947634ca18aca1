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
