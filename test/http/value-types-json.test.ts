// The HTTP contract for DECIMAL, date/time and BIGINT UNSIGNED values on a whole node in
// process: parameters sent as strings are read exactly in the column's type, results come back
// as decimal strings and MySQL's text form in UTC (README, "Values in JSON"), CURRENT_TIMESTAMP
// defaults are the leader's time, and a refused value carries MySQL's error number.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessNode } from './in-process-node.js';
import type { InProcessNode } from './in-process-node.js';

describe('values of the exact and temporal types over HTTP', () => {
  let node: InProcessNode;

  beforeAll(async () => {
    node = await startInProcessNode();
    const create = await node.sql({ sql: 'CREATE TABLE ledger (id BIGINT UNSIGNED PRIMARY KEY, amount DECIMAL(20,4) NOT NULL CHECK (amount <> 0), day DATE, at DATETIME(3) DEFAULT CURRENT_TIMESTAMP(3), span TIME)' });
    expect(create.status).toBe(200);
  });
  afterAll(async () => node.close());

  it('reads string params exactly and answers decimal strings and MySQL text', async () => {
    const before = Date.now();
    const insert = await node.sql({ sql: 'INSERT INTO ledger (id, amount, day, span) VALUES (?, ?, ?, ?)', params: ['18446744073709551615', '12345678901234.5678', '2024-02-29', '-01:02:03'] });
    expect(insert.status).toBe(200);
    const select = await node.sql({ sql: 'SELECT id, amount, day, span, amount * 2, at FROM ledger' });
    const [result] = select.body['results'] as { rows: unknown[][] }[];
    const [row] = result!.rows;
    expect(row!.slice(0, 5)).toEqual(['18446744073709551615', '12345678901234.5678', '2024-02-29', '-01:02:03', '24691357802469.1356']);
    // The default is the time the leader executed the INSERT, to the millisecond, in UTC.
    const at = Date.parse(`${String(row![5]).replace(' ', 'T')}Z`);
    expect(at).toBeGreaterThanOrEqual(before - 1);
    expect(at).toBeLessThanOrEqual(Date.now());
  });

  it("refuses a bad value with the stable code and MySQL's number, changing nothing", async () => {
    const cases = [
      { params: ['1', '1', '2023-02-30'], code: 'DATETIME_INVALID', errno: 1292, sqlstate: '22007' },
      { params: ['2', '1e20', null], code: 'VALUE_OUT_OF_RANGE', errno: 1264, sqlstate: '22003' },
      { params: ['-1', '1', null], code: 'VALUE_OUT_OF_RANGE', errno: 1264, sqlstate: '22003' },
      { params: ['3', '0', null], code: 'CHECK_VIOLATION', errno: 3819, sqlstate: 'HY000' },
    ];
    for (const { params, code, errno, sqlstate } of cases) {
      const response = await node.sql({ sql: 'INSERT INTO ledger (id, amount, day) VALUES (?, ?, ?)', params });
      expect(response.status, code).toBe(400);
      expect(response.body['error'], code).toMatchObject({ code, mysql_errno: errno, sqlstate });
    }
    const count = await node.sql({ sql: 'SELECT COUNT(*) FROM ledger' });
    expect((count.body['results'] as { rows: unknown[][] }[])[0]!.rows).toEqual([[1]]);
  });
});
