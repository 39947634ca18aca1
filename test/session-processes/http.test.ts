// A node with a session process serves HTTP in both processes: the node's port deals each
// connection, round robin, to the main process or the session process. SQL outside
// interactive transactions runs where the connection landed (it answers while the main
// process is stopped); transactions, change streams, the status and the Schema Registry are
// the main process's, and reach it from either, logged in as the client's own address.
// Proved with real processes and keep-alive connections, each request on a known one:
// connections opened in a row land alternately in each process, and every check runs from
// every connection.
import { Agent, request } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeProcess, freePort, sleep, temporaryDir } from '../system/node-process.js';

const connectionsMax = 12;
const headersTimeoutMs = 1000;
const rootPassword = 'root-secret-1';
let node: NodeProcess;
let dir: { path: string; remove: () => void };

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

function basic(user: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

const asRoot = basic('root', rootPassword);

// One keep-alive connection: every request it sends goes over the same socket, from
// `localAddress`, as root unless a request says otherwise.
class Connection {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });

  constructor(private readonly localAddress = '127.0.0.1') {}

  send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const bodyHeaders = text === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) };
    return new Promise((resolve, reject) => {
      const sent = request({ host: '127.0.0.1', port: node.port, localAddress: this.localAddress, method, path, agent: this.agent, headers: { ...asRoot, ...bodyHeaders, ...headers } }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
        response.on('error', reject);
      });
      sent.on('error', reject);
      sent.end(text);
    });
  }

  sql(sql: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<Answer> {
    return this.send('POST', '/v1/sql', { sql, ...extra }, headers);
  }

  // A change stream over this connection's agent: a socket of its own (the agent's one is busy
  // while the stream lasts), opened as the next connection the node accepts.
  stream(path: string): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const sent = request({ host: '127.0.0.1', port: node.port, method: 'GET', path, agent: false, headers: asRoot }, resolve);
      sent.on('error', reject);
      sent.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

async function rowsOf(answer: Promise<Answer>): Promise<unknown[]> {
  const { status, body } = await answer;
  expect(status, JSON.stringify(body)).toBe(200);
  return (body['results'] as { rows: unknown[] }[])[0]!.rows;
}

interface SessionStatus {
  readonly ready: number;
  readonly http_connections: number;
}

async function sessionStatus(through: Connection): Promise<SessionStatus> {
  return (await through.send('GET', '/v1/status')).body['session_processes'] as SessionStatus;
}

// Connections opened one after another, nothing else opening meanwhile: dealt alternately.
async function openConnections(count: number, localAddress?: string): Promise<Connection[]> {
  const connections: Connection[] = [];
  for (let at = 0; at < count; at++) {
    const connection = new Connection(localAddress);
    await connection.send('GET', '/v1/status');
    connections.push(connection);
  }
  return connections;
}

beforeAll(async () => {
  dir = temporaryDir('session-processes-http');
  node = new NodeProcess(dir.path, await freePort(), ['--session-processes', '1', '--session-http', 'true', '--connections-max', String(connectionsMax), '--headers-timeout-ms', String(headersTimeoutMs), '--root-password', rootPassword]);
  await node.start();
  const deadline = Date.now() + 20_000;
  const probe = new Connection();
  while ((await sessionStatus(probe)).ready !== 1) {
    if (Date.now() > deadline) throw new Error('the session process did not become ready');
    await sleep(50);
  }
  // The root account is the first entry the node writes once it leads.
  while ((await probe.sql('SELECT 1')).status !== 200) {
    if (Date.now() > deadline) throw new Error('the root account was not created');
    await sleep(50);
  }
  await probe.sql('CREATE TABLE counters (id INT PRIMARY KEY, n INT NOT NULL)');
  await probe.sql('INSERT INTO counters VALUES (1, 0), (2, 0)');
  probe.close();
});

afterAll(async () => {
  await node?.stop();
  dir?.remove();
});

describe('HTTP in session processes', () => {
  it('deals connections to both processes, and a write answered on any is read at once on every other', async () => {
    const connections = await openConnections(6);
    try {
      expect((await sessionStatus(connections[0]!)).http_connections).toBe(3);
      for (let round = 1; round <= 24; round++) {
        const writer = connections[round % connections.length]!;
        expect((await writer.sql('UPDATE counters SET n = ? WHERE id = 1', { params: [round] })).status).toBe(200);
        for (const reader of connections) expect(await rowsOf(reader.sql('SELECT n FROM counters WHERE id = 1'))).toEqual([[round]]);
      }
      // A request of several statements, and one that asks for applied state, from each.
      for (const [at, connection] of connections.entries()) {
        const { status, body } = await connection.send('POST', '/v1/sql', { statements: [{ sql: 'UPDATE counters SET n = n + 1 WHERE id = 2' }, { sql: 'SELECT n FROM counters WHERE id = 2' }] });
        expect(status).toBe(200);
        expect((body['results'] as { rows: unknown[] }[])[1]!.rows).toEqual([[at + 1]]);
        expect(await rowsOf(connection.sql('SELECT n FROM counters WHERE id = 2', { consistency: 'stale' }))).toEqual([[at + 1]]);
        expect(await rowsOf(connection.sql('SELECT n FROM counters WHERE id = 2', { min_lsn: body['lsn'] }))).toEqual([[at + 1]]);
      }
    } finally {
      for (const connection of connections) connection.close();
    }
  });

  it('serves an interactive transaction on every connection, whichever process opened it', async () => {
    const connections = await openConnections(4);
    try {
      for (let first = 0; first < connections.length; first++) {
        const on = (step: number): Connection => connections[(first + step) % connections.length]!;
        const opened = await on(0).send('POST', '/v1/tx', {});
        expect(opened.status).toBe(200);
        const tx = opened.body['tx'] as string;
        expect(await rowsOf(on(1).sql('SELECT n FROM counters WHERE id = 1', { tx }))).toHaveLength(1);
        expect((await on(2).sql('UPDATE counters SET n = ? WHERE id = 1', { tx, params: [100 + first] })).status).toBe(200);
        // Unseen outside until it commits, from any connection.
        for (const connection of connections) expect(await rowsOf(connection.sql('SELECT n FROM counters WHERE id = 1'))).not.toEqual([[100 + first]]);
        const committed = await on(3).send('POST', `/v1/tx/${tx}/commit`);
        expect(committed.status).toBe(200);
        for (const connection of connections) expect(await rowsOf(connection.sql('SELECT n FROM counters WHERE id = 1'))).toEqual([[100 + first]]);
        expect((await on(1).send('POST', `/v1/tx/${tx}/commit`)).body).toMatchObject({ error: { code: 'TX_NOT_FOUND' } });
      }
      // Two transactions that read and write one row, opened in different processes: the
      // second to commit conflicts.
      const [a, b] = [(await connections[0]!.send('POST', '/v1/tx', {})).body['tx'] as string, (await connections[1]!.send('POST', '/v1/tx', {})).body['tx'] as string];
      for (const [tx, connection] of [[a, connections[2]!], [b, connections[3]!]] as const) {
        await rowsOf(connection.sql('SELECT n FROM counters WHERE id = 2', { tx }));
        expect((await connection.sql('UPDATE counters SET n = n + 10 WHERE id = 2', { tx })).status).toBe(200);
      }
      expect((await connections[1]!.send('POST', `/v1/tx/${a}/commit`)).status).toBe(200);
      expect((await connections[0]!.send('POST', `/v1/tx/${b}/commit`)).body).toMatchObject({ error: { code: 'TX_CONFLICT' } });
    } finally {
      for (const connection of connections) connection.close();
    }
  });

  it('streams changes over a connection of either process, and ends a stream whose client goes', async () => {
    const writer = new Connection();
    try {
      const { lsn } = (await writer.sql('SELECT 1')).body as { lsn: string };
      // Two streams opened in a row: one in each process.
      const streams = [await writer.stream(`/v1/changes?table=counters&from=${lsn}`), await writer.stream(`/v1/changes?table=counters&from=${lsn}`)];
      const received = streams.map((stream) => {
        let text = '';
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => (text += chunk));
        return (): string => text;
      });
      expect(streams.map((stream) => stream.statusCode)).toEqual([200, 200]);
      expect((await writer.sql('UPDATE counters SET n = 7777 WHERE id = 1')).status).toBe(200);
      const deadline = Date.now() + 10_000;
      while (!received.every((text) => text().includes('7777'))) {
        if (Date.now() > deadline) throw new Error(`a stream missed the change: ${JSON.stringify(received.map((text) => text()))}`);
        await sleep(20);
      }
      expect(((await writer.send('GET', '/v1/status')).body['change_streams'] as unknown[]).length).toBe(2);
      for (const stream of streams) stream.destroy();
      while (((await writer.send('GET', '/v1/status')).body['change_streams'] as unknown[]).length !== 0) {
        if (Date.now() > deadline) throw new Error('a stream outlived its client');
        await sleep(20);
      }
    } finally {
      writer.close();
    }
  });

  it('runs SQL in the session process itself: its connections answer reads while the main process is stopped', async () => {
    const connections = await openConnections(4);
    const mainPid = node.pid!;
    process.kill(mainPid, 'SIGSTOP');
    try {
      const answered = await Promise.all(connections.map((connection) => Promise.race([rowsOf(connection.sql('SELECT n FROM counters WHERE id = 2')).then(() => true), sleep(1500).then(() => false)])));
      expect(answered.filter(Boolean)).toHaveLength(2);
    } finally {
      process.kill(mainPid, 'SIGCONT');
    }
    // The requests the main process held are answered once it runs again.
    for (const connection of connections) expect(await rowsOf(connection.sql('SELECT COUNT(*) FROM counters'))).toEqual([[2]]);
    for (const connection of connections) connection.close();
  });

  it("logs every request in as its client's address, in either process, on routes passed on too", async () => {
    const admin = new Connection();
    // An account for one address: a request passed on that logged in as loopback would fail.
    expect((await admin.sql("CREATE USER 'reader'@'127.0.0.2' IDENTIFIED BY 'secret-2'")).status).toBe(200);
    expect((await admin.sql("GRANT SELECT ON app.* TO 'reader'@'127.0.0.2'")).status).toBe(200);
    admin.close();
    const reader = basic('reader', 'secret-2');
    const fromThere = await openConnections(2, '127.0.0.2');
    const fromHere = await openConnections(2, '127.0.0.1');
    try {
      for (const connection of fromThere) {
        expect(await rowsOf(connection.sql('SELECT COUNT(*) FROM counters', {}, reader))).toEqual([[2]]);
        expect((await connection.sql('UPDATE counters SET n = 0', {}, reader)).body).toMatchObject({ error: { code: 'TABLE_ACCESS_DENIED' } });
        // Routes the main process serves.
        const opened = await connection.send('POST', '/v1/tx', {}, reader);
        expect(opened.status, JSON.stringify(opened.body)).toBe(200);
        expect((await connection.send('POST', `/v1/tx/${String(opened.body['tx'])}/rollback`, undefined, reader)).status).toBe(200);
        expect((await connection.send('GET', '/subjects', undefined, reader)).status).toBe(200);
      }
      // The same credentials from another address match no account, in either process.
      for (const connection of fromHere) {
        expect((await connection.sql('SELECT 1', {}, reader)).body).toMatchObject({ error: { code: 'LOGIN_FAILED' } });
        expect((await connection.send('POST', '/v1/tx', {}, reader)).body).toMatchObject({ error: { code: 'LOGIN_FAILED' } });
      }
      // A client cannot name an address itself: the header is the node's.
      const named = await fromHere[0]!.send('POST', '/v1/tx', {}, { ...reader, 'x-tidedb-client-address': '127.0.0.2' });
      const namedToo = await fromHere[1]!.send('POST', '/v1/tx', {}, { ...reader, 'x-tidedb-client-address': '127.0.0.2' });
      expect([named.status, namedToo.status].sort()).toEqual([401, 401]);
    } finally {
      for (const connection of [...fromThere, ...fromHere]) connection.close();
    }
  });

  it('passes on bodies of any type, requests that expect 100 Continue, and GETs with a body', async () => {
    const connections = await openConnections(2);
    try {
      const level = (await connections[0]!.send('GET', '/config')).body['compatibilityLevel'];
      for (const connection of connections) {
        const put = await connection.send('PUT', '/config', { compatibility: level }, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
        expect(put).toEqual({ status: 200, body: { compatibility: level } });
      }
      // A GET that carries a body (which no route reads).
      for (const connection of connections) {
        const answer = await connection.send('GET', '/subjects', { ignored: true });
        expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      }
      // Expect: 100-continue is answered by the process the connection landed in; it must not
      // travel on (the pass-on's HTTP client refuses the header).
      for (const connection of connections) expect((await connection.send('POST', '/v1/tx', {}, { expect: '100-continue' })).status).toBe(200);
    } finally {
      for (const connection of connections) connection.close();
    }
  });

  it('bounds the time to send headers on connections of both processes', async () => {
    // Two in a row, one in each process; each sends half a request and nothing more.
    const answers = await Promise.all(
      [0, 1].map(
        (at) =>
          new Promise<string>((resolve, reject) => {
            setTimeout(() => {
              const socket = connect(node.port, '127.0.0.1', () => socket.write('GET /v1/status HTTP/1.1\r\nHost: x\r\n'));
              let text = '';
              socket.on('data', (chunk) => (text += chunk.toString()));
              socket.on('close', () => resolve(text));
              socket.on('error', reject);
              setTimeout(() => socket.destroy(), headersTimeoutMs * 5).unref();
            }, at * 100);
          }),
      ),
    );
    for (const answer of answers) expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it("closes connections past the node's bound, counting the session process's", async () => {
    const connections = await openConnections(connectionsMax);
    try {
      expect((await sessionStatus(connections[0]!)).http_connections).toBe(connectionsMax / 2);
      const extra = new Connection();
      await expect(extra.send('GET', '/v1/status')).rejects.toThrow();
      extra.close();
      // Those open are served, in either process.
      for (const connection of connections) expect(await rowsOf(connection.sql('SELECT COUNT(*) FROM counters'))).toEqual([[2]]);
    } finally {
      for (const connection of connections) connection.close();
    }
    // The session process reports its connections closed a moment after they are: until then
    // they still count, and a new connection would be refused.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const probe = new Connection();
      const admitted = await probe.send('GET', '/v1/status').then(() => true, () => false);
      probe.close();
      if (admitted) break;
      if (Date.now() > deadline) throw new Error('the closed connections still count');
      await sleep(50);
    }
  });

  // Last: it stops the node.
  it('ends the change streams of both processes with their resume position when the node stops', async () => {
    const writer = new Connection();
    const { lsn } = (await writer.sql('SELECT 1')).body as { lsn: string };
    const streams = [await writer.stream(`/v1/changes?table=counters&from=${lsn}`), await writer.stream(`/v1/changes?table=counters&from=${lsn}`)];
    writer.close();
    const ends = streams.map(
      (stream) =>
        new Promise<string>((resolve) => {
          let text = '';
          stream.setEncoding('utf8');
          stream.on('data', (chunk: string) => (text += chunk));
          stream.on('close', () => resolve(text));
        }),
    );
    await node.stop();
    for (const text of await Promise.all(ends)) expect(text).toMatch(/"code":"SHUTTING_DOWN".*"lsn"|"lsn".*"code":"SHUTTING_DOWN"/);
  });
});
