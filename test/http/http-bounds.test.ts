// Each time and connection bound closes what exceeds it while other clients are still served,
// on an in-process node listening on a real socket with bounds small enough to reach quickly.
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpBounds } from '../../services/http/server.js';
import { startInProcessNode } from './in-process-node.js';
import type { InProcessNode } from './in-process-node.js';
import { nextResponse, openRawConnection, parseResponse } from './raw-connection.js';

const bounds: HttpBounds = { requestTimeoutMs: 1_500, headersTimeoutMs: 700, keepAliveTimeoutMs: 1_000, connectionsMax: 100 };
// Node checks the request timeouts on a sweep (a tenth of the headers timeout here), and the
// test's own timers add a little: a close is expected within this much after its bound.
const closeSlackMs = 500;

const statusRequest = 'GET /v1/status HTTP/1.1\r\nHost: tide\r\n\r\n';

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

describe('time bounds on a request', () => {
  let node: InProcessNode;
  let port: number;

  beforeAll(async () => {
    node = await startInProcessNode({ bounds });
    // Two test-only routes answer later than the request timeout, to show it does not apply
    // once the request has arrived: one waits before answering, one streams for a long time.
    node.app.get('/test/late', async () => {
      await sleep(bounds.requestTimeoutMs * 1.5);
      return { late: true };
    });
    node.app.get('/test/stream', async (_request, reply) => {
      async function* chunks(): AsyncGenerator<string> {
        for (let at = 0; at < 25; at += 1) {
          yield `${at}\n`;
          await sleep(bounds.requestTimeoutMs / 10);
        }
      }
      return reply.type('text/plain').send(Readable.from(chunks()));
    });
    port = await node.listen();
    expect((await node.sql({ sql: 'CREATE TABLE items (id INT PRIMARY KEY)' })).status).toBe(200);
  });
  afterAll(async () => node.close());

  async function rowCount(): Promise<number> {
    const select = await node.sql({ sql: 'SELECT id FROM items' });
    return (select.body['results'] as { rows: unknown[] }[])[0]!.rows.length;
  }

  async function timedStatus(): Promise<{ status: number; elapsedMs: number }> {
    const startedAt = performance.now();
    const response = await fetch(`http://127.0.0.1:${port}/v1/status`);
    await response.arrayBuffer();
    return { status: response.status, elapsedMs: performance.now() - startedAt };
  }

  it('closes a connection whose body trickles a byte a second with 408, while others are served', async () => {
    const before = await rowCount();
    const body = JSON.stringify({ sql: 'INSERT INTO items VALUES (1)' });
    const slow = await openRawConnection(port);
    slow.write(`POST /v1/sql HTTP/1.1\r\nHost: tide\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    let sent = 0;
    const trickle = setInterval(() => slow.write(body[sent++] ?? ''), 1_000);
    try {
      // Other clients, during the slow one's request, are answered at once.
      const others = [];
      for (let at = 0; at < 5; at += 1) {
        others.push(await timedStatus());
        await sleep(200);
      }
      for (const other of others) {
        expect(other.status).toBe(200);
        expect(other.elapsedMs).toBeLessThan(250);
      }
      const { text, afterMs } = await slow.closed;
      expect(afterMs).toBeGreaterThanOrEqual(bounds.requestTimeoutMs - 50);
      expect(afterMs).toBeLessThan(bounds.requestTimeoutMs + closeSlackMs);
      const response = parseResponse(text);
      expect(response.status).toBe(408);
      expect(JSON.parse(response.body)).toEqual({ error: { code: 'REQUEST_TIMEOUT', message: 'the request was not received in time' } });
    } finally {
      clearInterval(trickle);
    }
    expect(sent).toBeLessThan(body.length);
    expect(await rowCount()).toBe(before);
  });

  it('closes a connection that stops after its headers with 408', async () => {
    const idle = await openRawConnection(port);
    idle.write('POST /v1/sql HTTP/1.1\r\nHost: tide\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n');
    const { text, afterMs } = await idle.closed;
    expect(afterMs).toBeGreaterThanOrEqual(bounds.requestTimeoutMs - 50);
    expect(afterMs).toBeLessThan(bounds.requestTimeoutMs + closeSlackMs);
    expect(parseResponse(text).status).toBe(408);
  });

  it('closes a connection whose headers never finish at the headers timeout', async () => {
    const slowHeaders = await openRawConnection(port);
    slowHeaders.write('GET /v1/status HTTP/1.1\r\nHost: tide\r\n');
    const { text, afterMs } = await slowHeaders.closed;
    expect(afterMs).toBeGreaterThanOrEqual(bounds.headersTimeoutMs - 50);
    expect(afterMs).toBeLessThan(bounds.headersTimeoutMs + closeSlackMs);
    expect(JSON.parse(parseResponse(text).body)).toMatchObject({ error: { code: 'REQUEST_TIMEOUT' } });
  });

  it('closes a connection that sends nothing at the headers timeout', async () => {
    const silent = await openRawConnection(port);
    const { afterMs } = await silent.closed;
    expect(afterMs).toBeGreaterThanOrEqual(bounds.headersTimeoutMs - 50);
    expect(afterMs).toBeLessThan(bounds.headersTimeoutMs + closeSlackMs);
  });

  // Node keeps the socket a second past the timeout it advertises (Keep-Alive: timeout=N), so
  // that a client honouring the header stops reusing the connection before it is closed.
  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const keptAlive = await openRawConnection(port);
    keptAlive.write(statusRequest);
    expect((await nextResponse(keptAlive)).status).toBe(200);
    const answeredAt = performance.now();
    await keptAlive.closed;
    const idleMs = performance.now() - answeredAt;
    expect(idleMs).toBeGreaterThanOrEqual(bounds.keepAliveTimeoutMs - 50);
    expect(idleMs).toBeLessThan(bounds.keepAliveTimeoutMs + 1_000 + closeSlackMs);
  });

  it('does not cut an answer that comes later than the request timeout', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/test/late`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ late: true });
  });

  it('does not cut a response streamed for longer than the request timeout', async () => {
    const startedAt = performance.now();
    const response = await fetch(`http://127.0.0.1:${port}/test/stream`);
    const text = await response.text();
    expect(performance.now() - startedAt).toBeGreaterThan(bounds.requestTimeoutMs * 2);
    expect(text.trim().split('\n')).toEqual(Array.from({ length: 25 }, (_, at) => String(at)));
  });
});

describe('the cap on open connections', () => {
  const connectionsMax = 3;
  let node: InProcessNode;
  let port: number;

  beforeAll(async () => {
    node = await startInProcessNode({ bounds: { ...bounds, keepAliveTimeoutMs: 10_000, headersTimeoutMs: 1_500, requestTimeoutMs: 10_000, connectionsMax } });
    port = await node.listen();
  });
  afterAll(async () => node.close());

  it('drops connections beyond the cap while the earlier ones keep working', async () => {
    const held = [];
    for (let at = 0; at < connectionsMax; at += 1) {
      const connection = await openRawConnection(port);
      connection.write(statusRequest);
      expect((await nextResponse(connection)).status).toBe(200);
      held.push(connection);
    }

    const beyond = await openRawConnection(port);
    beyond.write(statusRequest);
    const dropped = await beyond.closed;
    expect(dropped.text).toBe('');
    expect(dropped.afterMs).toBeLessThan(500);

    for (const connection of held) {
      const from = connection.received().length;
      connection.write(statusRequest);
      expect((await nextResponse(connection, from)).status).toBe(200);
    }

    // A closed connection frees its place for a new one.
    held.pop()!.destroy();
    await expect.poll(async () => new Promise<number>((resolve) => node.app.server.getConnections((_error, count) => resolve(count)))).toBe(connectionsMax - 1);
    const next = await openRawConnection(port);
    next.write(statusRequest);
    expect((await nextResponse(next)).status).toBe(200);
    for (const connection of [...held, next]) connection.destroy();
  });
});
