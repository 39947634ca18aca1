// Proves the fault proxy with real sockets: an echo server behind it, clients in front, and each
// mode (pass, drop, refuse, delay) switched while connections are open, then healed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { FaultProxy } from './fault-proxy.js';

// An echo server that counts the connections it accepted and knows which are still open.
interface Echo {
  readonly server: Server;
  readonly port: number;
  readonly sockets: Set<Socket>;
  accepted: number;
}

async function startEcho(): Promise<Echo> {
  const server = createServer();
  const echo: Echo = { server, port: 0, sockets: new Set(), accepted: 0 };
  server.on('connection', (socket) => {
    echo.accepted++;
    echo.sockets.add(socket);
    socket.on('close', () => echo.sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(echo, { port: (server.address() as AddressInfo).port });
}

// A client that keeps what it received and how it ended.
class Client {
  received = '';
  ended: 'open' | 'closed' | string = 'open';
  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => (this.received += chunk.toString('utf8')));
    socket.on('error', (error: NodeJS.ErrnoException) => (this.ended = error.code ?? error.message));
    socket.on('close', () => {
      if (this.ended === 'open') this.ended = 'closed';
    });
  }

  static async open(port: number): Promise<Client> {
    const socket = connect({ host: '127.0.0.1', port });
    const client = new Client(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return client;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

let echo: Echo;
let proxy: FaultProxy;
const clients: Client[] = [];
const openClient = async (): Promise<Client> => {
  const client = await Client.open(proxy.port);
  clients.push(client);
  return client;
};

beforeEach(async () => {
  echo = await startEcho();
  proxy = await FaultProxy.start({ targetHost: '127.0.0.1', targetPort: echo.port });
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.destroy();
  await proxy.close();
  for (const socket of echo.sockets) socket.destroy();
  await new Promise((resolve) => echo.server.close(resolve));
});

describe('FaultProxy', () => {
  it('passes bytes both ways', async () => {
    const client = await openClient();
    client.socket.write('hello');
    await until(() => client.received === 'hello');
    expect(echo.accepted).toBe(1);
    expect(proxy.openConnections).toBe(1);
  });

  it('drops: open connections go silent but stay open, new ones reach nothing, and heal delivers what was held', async () => {
    const before = await openClient();
    before.socket.write('a');
    await until(() => before.received === 'a');

    proxy.drop();
    before.socket.write('b');
    const during = await openClient(); // accepted by the proxy all the same
    during.socket.write('c');
    await sleep(200);
    expect(before.received).toBe('a');
    expect(during.received).toBe('');
    expect(before.ended).toBe('open');
    expect(during.ended).toBe('open');
    expect(echo.accepted).toBe(1); // the new connection never reached the target

    proxy.heal();
    await until(() => before.received === 'ab' && during.received === 'c');
    expect(echo.accepted).toBe(2);
  });

  it('refuses: open connections are reset, new ones too, until healed', async () => {
    const before = await openClient();
    before.socket.write('a');
    await until(() => before.received === 'a');

    proxy.refuse();
    await until(() => before.ended !== 'open');
    expect(before.ended).toBe('ECONNRESET');
    await until(() => echo.sockets.size === 0);

    const during = await Client.open(proxy.port).catch((error: NodeJS.ErrnoException) => String(error.code));
    if (typeof during !== 'string') {
      clients.push(during);
      await until(() => during.ended !== 'open');
      expect(during.ended).toBe('ECONNRESET');
    } else {
      expect(during).toBe('ECONNRESET');
    }
    expect(echo.accepted).toBe(1);

    proxy.heal();
    const after = await openClient();
    after.socket.write('z');
    await until(() => after.received === 'z');
  });

  it('delays each direction, keeping the order of the bytes', async () => {
    const client = await openClient();
    proxy.delay(150);
    const start = performance.now();
    for (let i = 0; i < 20; i++) client.socket.write(`${i},`);
    const expected = Array.from({ length: 20 }, (_, i) => `${i},`).join('');
    await until(() => client.received === expected);
    // There and back: at least two delays (timers may fire a millisecond early).
    expect(performance.now() - start).toBeGreaterThanOrEqual(295);

    proxy.delay(0);
    const quick = performance.now();
    client.socket.write('x');
    await until(() => client.received.endsWith('x'));
    expect(performance.now() - quick).toBeLessThan(150);
    expect(() => proxy.delay(-1)).toThrow(RangeError);
  });

  it('closes every connection on both sides when closed', async () => {
    const a = await openClient();
    const b = await openClient();
    a.socket.write('1');
    b.socket.write('2');
    await until(() => a.received === '1' && b.received === '2');
    expect(echo.sockets.size).toBe(2);

    const port = proxy.port;
    await proxy.close();
    await until(() => a.ended !== 'open' && b.ended !== 'open' && echo.sockets.size === 0);
    expect(proxy.openConnections).toBe(0);
    await expect(Client.open(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await proxy.close(); // closing twice is harmless
    proxy = await FaultProxy.start({ targetHost: '127.0.0.1', targetPort: echo.port });
  });

  it('closes the client side when the target is down', async () => {
    const down = await FaultProxy.start({ targetHost: '127.0.0.1', targetPort: await closedPort() });
    try {
      const client = await Client.open(down.port);
      await until(() => client.ended !== 'open');
      expect(down.openConnections).toBe(0);
    } finally {
      await down.close();
    }
  });
});

// A port that was free a moment ago and has nothing listening on it now.
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
