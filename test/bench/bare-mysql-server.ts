// The floor of a MySQL point select on this machine, for sysbench.ts --floor: a Node server that
// speaks the protocol with TideDB's own packet and framing code (dist/services/mysql) and
// answers every prepared statement with one canned row of sysbench's `c` column, every other
// command with OK, having read and framed the request. It takes any login. What it costs per
// query is what any Node server pays on this path before doing any of a database's work.
// Listens on 127.0.0.1 at the port given as its one argument.
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './bench-build.js';

// The parts of dist/services/mysql used here (imported from the build: the benchmarks compile
// on their own, without the services' sources).
interface Column {
  readonly name: string;
  readonly table?: string;
  readonly database?: string;
  readonly originalName?: string;
  readonly type: number;
  readonly charset: number;
  readonly length: number;
  readonly flags: number;
  readonly decimals: number;
}
interface Packets {
  greetingPacket(greeting: { serverVersion: string; connectionId: number; scramble: Buffer; capabilities: number; statusFlags: number; authPlugin: string }): Buffer;
  okPacket(fields: { affectedRows: number; lastInsertId: bigint; statusFlags: number; warnings: number }): Buffer;
  eofPacket(warnings: number, statusFlags: number): Buffer;
  columnCountPacket(count: number): Buffer;
  columnDefinitionPacket(column: Column): Buffer;
  writeBinaryRow(writer: unknown, row: readonly string[], columns: readonly Column[]): void;
  prepareOkPacket(statementId: number, paramCount: number, columnCount: number): Buffer;
}
interface Framing {
  PacketReader: new (payloadBytesMax: number) => { push(chunk: Buffer): { readonly kind: string; readonly sequenceId: number; readonly payload?: Buffer }[] };
  OutgoingPackets: new () => { append(payload: Buffer, sequenceId: number): number; appendWritten(sequenceId: number, write: (writer: unknown) => void): number; take(): Buffer | null };
}

const load = async <T>(module: string): Promise<T> => (await import(pathToFileURL(join(repoRoot(), 'dist/services/mysql', module)).href)) as T;
const packets = await load<Packets>('packets.js');
const { PacketReader, OutgoingPackets } = await load<Framing>('packet-stream.js');

// PROTOCOL_41, SECURE_CONNECTION, PLUGIN_AUTH and the flags a libmysqlclient login expects.
const capabilities = 0x1 | 0x2 | 0x4 | 0x8 | 0x200 | 0x2000 | 0x8000 | 0x2_0000 | 0x8_0000 | 0x20_0000;
const autocommit = 0x2;
const column: Column = { name: 'c', table: 'sbtest1', database: 'sbtest', originalName: 'c', type: 254, charset: 45, length: 480, flags: 0, decimals: 0 };
const parameter: Column = { name: '?', type: 253, charset: 63, length: 0, flags: 128, decimals: 0 };
const row = ['83868641912-28773972837-60736120486-75162659906-27563526494-20381887404-41576422241-93426793964-56405065102-33518432330'];
const ok = packets.okPacket({ affectedRows: 0, lastInsertId: 0n, statusFlags: autocommit, warnings: 0 });
// Made once, as TideDB keeps a kept plan's result description.
const definition = packets.columnDefinitionPacket(column);
const writeRow = (writer: unknown): void => packets.writeBinaryRow(writer, row, [column]);
const command = { quit: 0x01, prepare: 0x16, execute: 0x17, close: 0x19 };
let connections = 0;

createServer((socket) => {
  socket.setNoDelay(true);
  const reader = new PacketReader(1 << 24);
  const outgoing = new OutgoingPackets();
  let sequenceId = 0;
  let loggedIn = false;
  let flushing = false;
  // As TideDB's connection does: a turn's packets leave in one write, rows written in place.
  const flush = (): void => {
    if (flushing) return;
    flushing = true;
    process.nextTick(() => {
      flushing = false;
      const bytes = outgoing.take();
      if (bytes !== null) socket.write(bytes);
    });
  };
  const send = (payload: Buffer): void => {
    sequenceId = outgoing.append(payload, sequenceId);
    flush();
  };
  send(packets.greetingPacket({ serverVersion: '8.0.36-floor', connectionId: ++connections, scramble: Buffer.alloc(20, 0x41), capabilities, statusFlags: autocommit, authPlugin: 'mysql_native_password' }));
  socket.on('data', (chunk: Buffer) => {
    for (const framed of reader.push(chunk)) {
      sequenceId = (framed.sequenceId + 1) & 0xff;
      if (!loggedIn) {
        loggedIn = true;
        send(ok);
        continue;
      }
      switch (framed.payload?.[0]) {
        case command.quit:
          socket.end();
          return;
        case command.prepare:
          send(packets.prepareOkPacket(1, 1, 1));
          send(packets.columnDefinitionPacket(parameter));
          send(packets.eofPacket(0, autocommit));
          send(packets.columnDefinitionPacket(column));
          send(packets.eofPacket(0, autocommit));
          break;
        case command.execute:
          send(packets.columnCountPacket(1));
          send(definition);
          send(packets.eofPacket(0, autocommit));
          sequenceId = outgoing.appendWritten(sequenceId, writeRow);
          send(packets.eofPacket(0, autocommit));
          break;
        case command.close:
          break; // no answer
        default:
          send(ok);
      }
    }
  });
  socket.on('error', () => socket.destroy());
}).listen(Number(process.argv[2]), '127.0.0.1');
