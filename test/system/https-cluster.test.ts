// Three real node processes serving HTTPS, with https:// --peer-http URLs and the cluster's CA
// given by --tls-ca: a write sent to a follower is forwarded to the leader over HTTPS and
// acknowledged, and an interactive transaction begun on a follower commits through it. A node
// given another CA cannot verify the leader: its forwarded write and its commit fail at once
// with FORWARD_TLS_FAILED, naming the flag to fix, and nothing is written. A MySQL client's
// write on a follower takes the same way to the leader.
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TxClient } from '../transactions/tx-http.js';
import { hasOpenssl, makeCertificates } from '../support/test-certificates.js';
import type { TestCertificates } from '../support/test-certificates.js';
import { ClusterProcesses } from './cluster-processes.js';
import { freePort } from './node-process.js';
import type { NodeProcess } from './node-process.js';

// Node 3 trusts another CA than the one that signed every node's certificate.
const wrongCaNodeId = 3;

describe.skipIf(!hasOpenssl())('a cluster over HTTPS (needs openssl on PATH)', () => {
  let certificates: TestCertificates;
  let otherCa: TestCertificates;
  let cluster: ClusterProcesses;
  let leader: NodeProcess;
  let follower: NodeProcess;
  let wrongCaNode: NodeProcess;
  let mysqlPorts: number[];

  beforeAll(async () => {
    certificates = makeCertificates('https-cluster');
    otherCa = makeCertificates('other-ca');
    mysqlPorts = [await freePort(), await freePort(), await freePort()];
    const nodeArgs = (id: number): string[] => ['--mysql-port', String(mysqlPorts[id - 1]), ...(id === wrongCaNodeId ? ['--tls-ca', otherCa.caFile] : [])];
    cluster = await ClusterProcesses.start(3, { https: certificates, nodeArgs });
    wrongCaNode = cluster.nodes[wrongCaNodeId - 1]!;
    leader = await cluster.leader();
    // The node with the wrong CA must be a follower, to forward.
    // A transfer right after an election may find its target not yet caught up (503): again.
    for (let tries = 0; leader === wrongCaNode && tries < 20; tries++) {
      const transfer = await new TxClient(leader.url, leader.fetch).post('/v1/cluster/leader', { id: 1 });
      if (transfer.status !== 503) expect(transfer.status, JSON.stringify(transfer.body)).toBe(200);
      leader = await cluster.leader();
    }
    expect(leader).not.toBe(wrongCaNode);
    follower = cluster.nodes.find((node) => node !== leader && node !== wrongCaNode)!;
    expect((await leader.sql('CREATE TABLE acct (id INT PRIMARY KEY, n INT)')).status).toBe(200);
    expect((await leader.sql('INSERT INTO acct VALUES (1, 0)')).status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
    certificates?.remove();
    otherCa?.remove();
  });

  it('forwards a write sent to a follower to the leader over HTTPS', async () => {
    expect(follower.url).toMatch(/^https:\/\//);
    expect(await follower.sql('INSERT INTO acct VALUES (2, 20)')).toMatchObject({ status: 200, body: { results: [{ rows_affected: 1 }] } });
    expect((await leader.sql('SELECT n FROM acct WHERE id = 2')).body.results?.[0]?.rows).toEqual([[20]]);
  });

  it('forwards a MySQL client\'s write on a follower to the leader over HTTPS', async () => {
    const port = mysqlPorts[cluster.nodes.indexOf(follower)]!;
    const connection = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', database: 'app', ssl: { ca: certificates.ca.toString() } });
    try {
      const [result] = await connection.query('INSERT INTO acct VALUES (4, 40)');
      expect(result).toMatchObject({ affectedRows: 1 });
    } finally {
      await connection.end();
    }
    expect((await leader.sql('SELECT n FROM acct WHERE id = 4')).body.results?.[0]?.rows).toEqual([[40]]);
  });

  it('commits an interactive transaction begun on a follower through the leader', async () => {
    const client = new TxClient(follower.url, follower.fetch);
    const tx = await client.open();
    await client.rows('UPDATE acct SET n = n + 5 WHERE id = 1', tx);
    expect(await client.commit(tx)).toMatchObject({ status: 200, body: { tx_id: expect.stringMatching(/^[0-9]+$/) } });
    expect(await new TxClient(leader.url, leader.fetch).rows('SELECT n FROM acct WHERE id = 1')).toEqual([[5]]);
  });

  it('answers FORWARD_TLS_FAILED at once on a node that does not trust the leader\'s certificate', async () => {
    const refused = await wrongCaNode.sql('INSERT INTO acct VALUES (3, 30)');
    expect(refused).toMatchObject({ status: 502, body: { error: { code: 'FORWARD_TLS_FAILED' } } });
    expect(refused.body.error?.message).toContain('--tls-ca');
    const client = new TxClient(wrongCaNode.url, wrongCaNode.fetch);
    const tx = await client.open();
    await client.rows('UPDATE acct SET n = 99 WHERE id = 1', tx);
    expect(await client.commit(tx)).toMatchObject({ status: 502, body: { error: { code: 'FORWARD_TLS_FAILED' } } });
    const rows = await new TxClient(leader.url, leader.fetch).rows('SELECT id, n FROM acct ORDER BY id');
    expect(rows).toEqual([[1, 5], [2, 20], [4, 40]]);
  }, 10_000);
});
