// A follower's MySQL port in a cluster of three real node processes: statements sent there run
// on the leader as HTTP requests to a follower do (writes forwarded, their answers and errors
// turned back into MySQL packets), a read is served by the follower, and the leader has what
// was written through the follower.
import mysql from 'mysql2/promise';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterProcesses } from '../system/cluster-processes.js';

const mysqlPortOf = (id: number): number => 24060 + id;
let cluster: ClusterProcesses;

beforeAll(async () => {
  cluster = await ClusterProcesses.start(3, { nodeArgs: (id) => ['--mysql-port', String(mysqlPortOf(id))] });
});

afterAll(async () => {
  await cluster?.stop();
});

async function connectTo(index: number): Promise<Connection> {
  return mysql.createConnection({ host: '127.0.0.1', port: mysqlPortOf(index + 1), user: 'root' });
}

describe('a follower\'s MySQL port', () => {
  it('sends writes on to the leader and answers their results and errors as MySQL packets', async () => {
    const leader = await cluster.leader();
    const leaderIndex = cluster.nodes.indexOf(leader);
    const followerIndex = (leaderIndex + 1) % 3;
    const follower = await connectTo(followerIndex);
    await follower.query('CREATE TABLE accounts (id INT PRIMARY KEY AUTO_INCREMENT, owner VARCHAR(20) NOT NULL, balance DECIMAL(10,2))');
    const [inserted] = await follower.execute('INSERT INTO accounts (owner, balance) VALUES (?, ?), (?, ?)', ['ada', '10.50', 'bob', '3.00']);
    expect(inserted).toMatchObject({ affectedRows: 2, insertId: 1 });
    await expect(follower.query("INSERT INTO accounts VALUES (1, 'dup', 0)")).rejects.toMatchObject({ errno: 1062, sqlState: '23000' });
    await expect(follower.query('SELECT * FROM missing')).rejects.toMatchObject({ errno: 1146 });
    const [read] = await follower.query<RowDataPacket[]>('SELECT owner, balance FROM accounts ORDER BY id');
    expect(read).toEqual([{ owner: 'ada', balance: '10.50' }, { owner: 'bob', balance: '3.00' }]);
    // The session's LAST_INSERT_ID() goes with a forwarded statement.
    await follower.query('CREATE TABLE notes (id INT PRIMARY KEY AUTO_INCREMENT, account_id BIGINT)');
    await follower.query('INSERT INTO notes (account_id) VALUES (LAST_INSERT_ID())');
    const [notes] = await follower.query<RowDataPacket[]>('SELECT account_id FROM notes');
    expect(notes.map((note) => Number(note['account_id']))).toEqual([1]);
    await follower.end();
    const onLeader = await connectTo(leaderIndex);
    const [rows] = await onLeader.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM accounts');
    expect(rows).toEqual([{ n: 2 }]);
    await onLeader.end();
  });
});
