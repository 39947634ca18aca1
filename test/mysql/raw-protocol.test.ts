// The MySQL port spoken to byte by byte: COM_INIT_DB and COM_FIELD_LIST (which no driver in the
// tests sends), and hostile clients — garbage bytes, a malformed handshake response, a packet
// over max_allowed_packet, a client that says nothing, one connection too many — each answered
// with an error packet or a closed connection while a well-behaved client keeps working.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import mysql from 'mysql2/promise';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMysqlNode } from './mysql-node.js';
import type { MysqlNode } from './mysql-node.js';

const packetBytesMax = 64 * 1024;
const handshakeTimeoutMs = 400;
let node: MysqlNode;
let wellBehaved: Connection;

beforeAll(async () => {
  node = await startMysqlNode({ port: 24030, connectionsMax: 4, packetBytesMax, handshakeTimeoutMs });
  wellBehaved = await mysql.createConnection({ host: '127.0.0.1', port: node.port, user: 'root' });
  await wellBehaved.query('CREATE TABLE things (id INT PRIMARY KEY, label VARCHAR(10))');
  await wellBehaved.query("INSERT INTO things VALUES (1, 'one')");
});

afterAll(async () => {
  await wellBehaved?.end();
  await node?.close();
});

async function stillServes(): Promise<void> {
  const [rows] = await wellBehaved.query<RowDataPacket[]>('SELECT label FROM things WHERE id = 1');
  expect(rows).toEqual([{ label: 'one' }]);
}

// A client reading whole packets off a socket.
class RawClient {
  private buffered = Buffer.alloc(0);
  private waiter: (() => void) | null = null;
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.waiter?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
    socket.on('error', () => {});
  }

  static open(): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(node.port, '127.0.0.1', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  // The next packet's payload, or null once the server closed without one.
  async packet(): Promise<Buffer | null> {
    for (;;) {
      if (this.buffered.length >= 4) {
        const length = this.buffered.readUIntLE(0, 3);
        if (this.buffered.length >= 4 + length) {
          const payload = this.buffered.subarray(4, 4 + length);
          this.buffered = this.buffered.subarray(4 + length);
          return payload;
        }
      }
      if (this.closed) return null;
      await new Promise<void>((resolve) => (this.waiter = resolve));
      this.waiter = null;
    }
  }

  send(payload: Buffer, sequenceId: number): void {
    const header = Buffer.alloc(4);
    header.writeUIntLE(payload.length, 0, 3);
    header[3] = sequenceId;
    this.socket.write(Buffer.concat([header, payload]));
  }

  async untilClosed(): Promise<void> {
    while ((await this.packet()) !== null);
  }

  // Greeting read and a HandshakeResponse41 for root without a password sent; answers the OK.
  static async loggedIn(): Promise<RawClient> {
    const client = await RawClient.open();
    await client.packet();
    const capabilities = 0x200 | 0x8000 | 0x80000 | 0x200000; // PROTOCOL_41, SECURE_CONNECTION, PLUGIN_AUTH, LENENC auth data
    const response = Buffer.concat([u32(capabilities), u32(1 << 24), Buffer.from([45]), Buffer.alloc(23), Buffer.from('root\0'), Buffer.from([0]), Buffer.from('mysql_native_password\0')]);
    client.send(response, 1);
    expect((await client.packet())?.[0]).toBe(0x00);
    return client;
  }
}

function u32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value, 0);
  return bytes;
}

function errorOf(payload: Buffer | null): { errno: number; sqlstate: string; message: string } | null {
  if (payload === null || payload[0] !== 0xff) return null;
  return { errno: payload.readUInt16LE(1), sqlstate: payload.subarray(4, 9).toString(), message: payload.subarray(9).toString() };
}

// A length-encoded string at `offset` (lengths under 251 only, as in these tests).
function lengthEncoded(payload: Buffer, offset: number): { text: string; next: number } {
  const length = payload[offset]!;
  return { text: payload.subarray(offset + 1, offset + 1 + length).toString(), next: offset + 1 + length };
}

describe('commands no driver here sends', () => {
  it('COM_INIT_DB changes the current database and answers 1049 for an unknown one', async () => {
    await wellBehaved.query('CREATE DATABASE IF NOT EXISTS other');
    const client = await RawClient.loggedIn();
    client.send(Buffer.concat([Buffer.from([0x02]), Buffer.from('other')]), 0);
    expect((await client.packet())?.[0]).toBe(0x00);
    client.send(Buffer.concat([Buffer.from([0x03]), Buffer.from('SELECT DATABASE()')]), 0);
    expect(await client.packet()).toEqual(Buffer.from([1])); // one column
    await client.packet(); // its definition
    await client.packet(); // EOF
    expect(lengthEncoded((await client.packet())!, 0).text).toBe('other');
    await client.packet(); // EOF
    client.send(Buffer.concat([Buffer.from([0x02]), Buffer.from('missing')]), 0);
    expect(errorOf(await client.packet())).toMatchObject({ errno: 1049, sqlstate: '42000' });
    client.socket.end();
  });

  it('COM_FIELD_LIST answers the table\'s column definitions, then EOF', async () => {
    const client = await RawClient.loggedIn();
    client.send(Buffer.concat([Buffer.from([0x04]), Buffer.from('things\0')]), 0);
    const names: string[] = [];
    for (;;) {
      const packet = (await client.packet())!;
      if (packet[0] === 0xfe && packet.length < 9) break;
      let offset = 0;
      const fields: string[] = [];
      for (let field = 0; field < 5; field++) {
        const read = lengthEncoded(packet, offset);
        fields.push(read.text);
        offset = read.next;
      }
      expect(fields.slice(0, 3)).toEqual(['def', 'app', 'things']);
      names.push(fields[4]!);
    }
    expect(names).toEqual(['id', 'label']);
    client.send(Buffer.concat([Buffer.from([0x04]), Buffer.from('nope\0')]), 0);
    expect(errorOf(await client.packet())).toMatchObject({ errno: 1146 });
    client.socket.end();
  });

  it('answers an unknown command and a malformed COM_STMT_EXECUTE with errors and keeps the connection', async () => {
    const client = await RawClient.loggedIn();
    client.send(Buffer.from([0x42]), 0);
    expect(errorOf(await client.packet())).toMatchObject({ errno: 1047, sqlstate: '08S01' });
    client.send(Buffer.concat([Buffer.from([0x16]), Buffer.from('SELECT ? + 1')]), 0);
    const prepared = (await client.packet())!;
    expect(prepared[0]).toBe(0x00);
    const statementId = prepared.readUInt32LE(1);
    expect([prepared.readUInt16LE(5), prepared.readUInt16LE(7)]).toEqual([1, 1]); // one result column, one parameter
    for (let packet = 0; packet < 4; packet++) await client.packet(); // the parameter's definition, EOF, the column's, EOF
    client.send(Buffer.concat([Buffer.from([0x17]), u32(statementId), Buffer.from([0, 1, 0, 0, 0])]), 0); // no bitmap, no types
    expect(errorOf(await client.packet())).toMatchObject({ errno: 1835 });
    client.send(Buffer.concat([Buffer.from([0x17]), u32(9999), Buffer.from([0, 1, 0, 0, 0])]), 0);
    expect(errorOf(await client.packet())).toMatchObject({ errno: 1243 });
    client.send(Buffer.from([0x0e]), 0); // COM_PING
    expect((await client.packet())?.[0]).toBe(0x00);
    client.socket.end();
  });
});

describe('hostile clients', () => {
  it('closes on garbage bytes instead of a handshake response', async () => {
    const client = await RawClient.open();
    await client.packet(); // greeting
    // Read as a packet header, 'GET' claims 5.5 MB: over max_allowed_packet.
    client.socket.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    expect(errorOf(await client.packet())).toMatchObject({ errno: 1153 });
    await client.untilClosed();
    const small = await RawClient.open();
    await small.packet();
    small.socket.write(Buffer.from([0x05, 0x00, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef, 0x00]));
    expect(errorOf(await small.packet())).toMatchObject({ errno: 1043 });
    await small.untilClosed();
    await stillServes();
  });

  it('answers a malformed handshake response with 1043 and closes', async () => {
    const client = await RawClient.open();
    await client.packet();
    client.send(Buffer.from([0x0d, 0xa2, 0x00]), 1);
    expect(errorOf(await client.packet())).toMatchObject({ errno: 1043, sqlstate: '08S01' });
    await client.untilClosed();
    const noNul = Buffer.concat([u32(0x200 | 0x8000), u32(0), Buffer.from([45]), Buffer.alloc(23), Buffer.from('root-without-terminator')]);
    const second = await RawClient.open();
    await second.packet();
    second.send(noNul, 1);
    expect(errorOf(await second.packet())).toMatchObject({ errno: 1043 });
    await second.untilClosed();
    await stillServes();
  });

  it('refuses a packet over max_allowed_packet from its header with 1153, before or after login', async () => {
    const early = await RawClient.open();
    await early.packet();
    const header = Buffer.alloc(4);
    header.writeUIntLE(packetBytesMax + 1, 0, 3);
    header[3] = 1;
    early.socket.write(header); // no body: the header alone is refused
    expect(errorOf(await early.packet())).toMatchObject({ errno: 1153, sqlstate: '08S01' });
    await early.untilClosed();
    const late = await RawClient.loggedIn();
    late.send(Buffer.concat([Buffer.from([0x03]), Buffer.from(`SELECT '${'x'.repeat(packetBytesMax)}'`)]), 0);
    expect(errorOf(await late.packet())).toMatchObject({ errno: 1153 });
    await late.untilClosed();
    await stillServes();
  });

  it('closes a client that says nothing once the handshake time is up', async () => {
    const client = await RawClient.open();
    const started = Date.now();
    await client.packet(); // greeting
    expect(errorOf(await client.packet())).toMatchObject({ errno: 1043 });
    await client.untilClosed();
    expect(Date.now() - started).toBeGreaterThanOrEqual(handshakeTimeoutMs - 50);
    await stillServes();
  });

  it('answers one connection too many with 1040 instead of a greeting', async () => {
    // The well-behaved client holds one of the four; three silent ones take the rest.
    const silent = await Promise.all([RawClient.open(), RawClient.open(), RawClient.open()]);
    await Promise.all(silent.map((client) => client.packet()));
    const refused = await RawClient.open();
    expect(errorOf(await refused.packet())).toMatchObject({ errno: 1040, sqlstate: '08004' });
    await refused.untilClosed();
    await stillServes();
    await Promise.all(silent.map((client) => client.untilClosed())); // their handshake time runs out
    const next = await mysql.createConnection({ host: '127.0.0.1', port: node.port, user: 'root' });
    await next.end();
  });

  it('logged no unexpected failure', () => {
    expect(node.errors).toEqual([]);
  });
});
