// Proves the account statements and their errors: each statement runs on TideDB (over HTTP, an
// in-process node) and on MariaDB (the oracle at 127.0.0.1:3306, through its command-line
// client), and both answer the same MySQL error number, or both succeed; then what the
// statements leave is checked through SHOW GRANTS, and malformed ones are refused.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InProcessNode } from '../http/in-process-node.js';
import { asRoot, sqlAs, startUserNode } from './user-node.js';

// Names of this branch's, so that tests of others on the shared MariaDB never clash.
const database = 'wip_users';
const prefix = 'wipusers_';

function mariadb(sql: string): number | null {
  try {
    execFileSync('mysql', ['-h127.0.0.1', '-uroot', '-e', sql], { stdio: ['ignore', 'pipe', 'pipe'] });
    return null;
  } catch (error) {
    const match = /ERROR (\d+)/.exec(String((error as { stderr?: Buffer }).stderr ?? ''));
    if (match === null) throw error;
    return Number(match[1]);
  }
}

// Statements in order, on the same accounts; `{db}` and `{u}` name the database and a prefixed user.
const steps: readonly string[] = [
  "CREATE USER '{u}a'@'%' IDENTIFIED BY 'pa'",
  "CREATE USER '{u}a'@'%' IDENTIFIED BY 'pa'",
  "CREATE USER IF NOT EXISTS '{u}a'@'%' IDENTIFIED BY 'pa'",
  "ALTER USER '{u}nobody'@'%' IDENTIFIED BY 'x'",
  "ALTER USER '{u}a'@'%' IDENTIFIED BY 'pa2'",
  "DROP USER '{u}nobody'@'%'",
  "DROP USER IF EXISTS '{u}nobody'@'%'",
  "REVOKE SELECT ON *.* FROM '{u}a'@'%'",
  "REVOKE SELECT ON {db}.* FROM '{u}a'@'%'",
  "REVOKE SELECT ON {db}.t FROM '{u}a'@'%'",
  "GRANT SELECT ON {db}.t TO '{u}nobody'@'%'",
  "SHOW GRANTS FOR '{u}nobody'@'%'",
  "GRANT SELECT ON {db}.nope TO '{u}a'@'%'",
  "GRANT SELECT, INSERT ON {db}.t TO '{u}a'@'%'",
  "REVOKE DELETE ON {db}.t FROM '{u}a'@'%'",
  "GRANT ALL PRIVILEGES ON {db}.* TO '{u}a'@'%'",
  "GRANT UPDATE ON *.* TO '{u}a'@'%'",
  "SHOW GRANTS FOR '{u}a'@'%'",
  "REVOKE ALL PRIVILEGES ON {db}.* FROM '{u}a'@'%'",
  "DROP USER '{u}nobody'@'%', '{u}nobody'@'localhost'",
  "DROP USER '{u}a'@'%'",
];

const errnoOf = (answer: { status: number; body: { error?: { mysql_errno?: number } } }): number | null => (answer.status === 200 ? null : (answer.body.error?.mysql_errno ?? -1));

describe('account statements against MariaDB', () => {
  let node: InProcessNode;
  beforeAll(async () => {
    node = await startUserNode();
    await asRoot(node, [`CREATE TABLE ${database}.t (id INT PRIMARY KEY)`]);
    for (const user of ['a', 'n', 'nobody']) for (const host of ['%', 'localhost']) mariadb(`DROP USER IF EXISTS '${prefix}${user}'@'${host}'`);
    mariadb(`DROP DATABASE IF EXISTS ${database}; CREATE DATABASE ${database}; CREATE TABLE ${database}.t (id INT PRIMARY KEY)`);
  });
  afterAll(async () => {
    await node.close();
    for (const user of ['a', 'n', 'nobody']) for (const host of ['%', 'localhost']) mariadb(`DROP USER IF EXISTS '${prefix}${user}'@'${host}'`);
    mariadb(`DROP DATABASE IF EXISTS ${database}`);
  });

  it('answers each statement with the error number MariaDB answers, or succeeds where it does', async () => {
    const answers: string[] = [];
    const expected: string[] = [];
    for (const step of steps) {
      const sql = step.replaceAll('{db}', database).replaceAll('{u}', prefix);
      answers.push(`${sql} -> ${errnoOf(await sqlAs(node, null, sql))}`);
      expected.push(`${sql} -> ${mariadb(sql)}`);
    }
    expect(answers).toEqual(expected);
  });

  it('keeps grants per level and shows them as MySQL does', async () => {
    await asRoot(node, ["CREATE USER 'g'@'10.0.%' IDENTIFIED BY 'pg'", 'GRANT SELECT ON *.* TO g@`10.0.%`', 'GRANT INSERT, DELETE ON app.* TO g@`10.0.%`', 'GRANT ALL ON wip_users.t TO g@`10.0.%`', 'REVOKE DELETE ON app.* FROM g@`10.0.%`']);
    const [grants] = await asRoot(node, ["SHOW GRANTS FOR 'g'@'10.0.%'"]);
    expect(grants).toEqual([['GRANT SELECT ON *.* TO `g`@`10.0.%`'], ['GRANT INSERT ON `app`.* TO `g`@`10.0.%`'], ['GRANT ALL PRIVILEGES ON `wip_users`.`t` TO `g`@`10.0.%`']]);
  });

  it.each([
    ["CREATE USER 'x'@'%' IDENTIFIED BY", 'SQL_SYNTAX'],
    ["CREATE USER 'x'@'%' IDENTIFIED WITH sha256_password BY 'p'", 'SQL_UNSUPPORTED'],
    ["GRANT EXECUTE ON *.* TO 'x'@'%'", 'SQL_UNSUPPORTED'],
    ["GRANT SELECT ON *.t TO 'x'@'%'", 'SQL_SYNTAX'],
    ["GRANT SELECT TO 'x'@'%'", 'SQL_SYNTAX'],
    ["ALTER USER 'x'@'%'", 'SQL_SYNTAX'],
    [`CREATE USER '${'x'.repeat(33)}'@'%'`, 'SQL_SYNTAX'],
    ["CREATE USER 'x'@'%' IDENTIFIED BY 'my-secret-pw' junk", 'SQL_SYNTAX'],
  ])('refuses %s with %s, quoting no password', async (sql, code) => {
    const answer = await sqlAs(node, null, sql);
    expect(answer.body.error?.code).toBe(code);
    expect(answer.body.error?.message).not.toContain('my-secret-pw');
    expect((await sqlAs(node, null, "SHOW GRANTS FOR 'x'@'%'")).body.error?.code).toBe('GRANT_NOT_FOUND');
  });

  // MySQL 8's syntax (MariaDB spells it IDENTIFIED VIA … USING PASSWORD(…)), and its atomic
  // DROP USER: when one account fails, none is dropped (MariaDB drops the others).
  it('takes IDENTIFIED WITH a plugin, and drops several accounts all or none', async () => {
    await asRoot(node, ["CREATE USER 'n1'@'localhost' IDENTIFIED WITH mysql_native_password BY 'pn'", "CREATE USER 'n2'@'%'"]);
    expect(node.store.account('n1', 'localhost')?.plugin).toBe('mysql_native_password');
    expect(node.store.account('n2', '%')?.sha2Hash).toBeNull();
    const failed = await sqlAs(node, null, "DROP USER 'n1'@'localhost', 'n3'@'%', 'n2'@'%'");
    expect(failed.body.error).toMatchObject({ code: 'ACCOUNT_OPERATION_FAILED', mysql_errno: 1396, message: "Operation DROP USER failed for 'n3'@'%'" });
    expect(node.store.account('n1', 'localhost')).toBeDefined();
    await asRoot(node, ["DROP USER 'n1'@'localhost', 'n2'@'%'"]);
    expect(node.store.allAccounts().map((account) => account.user)).not.toContain('n1');
  });
});
