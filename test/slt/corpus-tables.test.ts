// Proves that the table shapes most corpus files open with — a keyed table of INTEGER, FLOAT and
// TEXT columns, and a table without a primary key — work end to end on an in-process node:
// created, filled, read with the corpus's type letters, updated and deleted, through the runner.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessNode } from '../http/in-process-node.js';
import type { InProcessNode } from '../http/in-process-node.js';
import { runScript } from './slt-runner.js';
import type { SqlClient } from './slt-runner.js';

const script = `
statement ok
CREATE TABLE tab0(pk INTEGER PRIMARY KEY, col0 INTEGER, col1 FLOAT, col2 TEXT, col3 INTEGER, col4 FLOAT, col5 TEXT)

statement ok
INSERT INTO tab0 VALUES(0,79,56.54,'wuvke',25,43.38,'gyqcy')

statement ok
INSERT INTO tab0 VALUES(1,30,5,'abc',7,-1.25,'x')

query IRT rowsort
SELECT pk, col1, col2 FROM tab0 WHERE col0 > 20
----
0
56.540
wuvke
1
5.000
abc

query R nosort
SELECT col4 * 2 FROM tab0 WHERE pk = 1
----
-2.500

statement ok
CREATE TABLE t1(a INTEGER, b INTEGER, c INTEGER, d INTEGER, e INTEGER)

statement ok
INSERT INTO t1(e,c,b,d,a) VALUES(103,102,100,101,104)

statement ok
INSERT INTO t1 VALUES(107,106,108,109,105)

statement ok
INSERT INTO t1(a,b,c,d,e) VALUES(104,100,102,101,103)

query IIIII rowsort
SELECT * FROM t1
----
104
100
102
101
103
104
100
102
101
103
107
106
108
109
105

statement ok
UPDATE t1 SET e = 1 WHERE c = 102

query I nosort
SELECT e FROM t1
----
1
105
1

statement ok
DELETE FROM t1 WHERE a = 104

query I nosort
SELECT a FROM t1
----
107
`;

let node: InProcessNode;

beforeAll(async () => {
  node = await startInProcessNode();
});

afterAll(async () => {
  await node.close();
});

describe('the corpus table shapes', () => {
  it('pass every record of a script in the corpus format', async () => {
    const client: SqlClient = {
      run: async (sql) => {
        const { status, body } = await node.sql({ sql });
        if (status !== 200) {
          const error = (body['error'] ?? {}) as { code?: string; message?: string };
          return { ok: false, code: error.code ?? String(status), message: error.message ?? '' };
        }
        const [result] = body['results'] as { rows: unknown[][] }[];
        return { ok: true, rows: result?.rows ?? [] };
      },
    };
    const outcome = await runScript(script, client);
    expect(outcome.outcomes.filter((record) => record.kind === 'failed')).toEqual([]);
    expect(outcome.passed).toBe(14); // every record of the script
  });
});
