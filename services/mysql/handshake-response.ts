// The client's side of the handshake: its HandshakeResponse41 (or the SSLRequest that comes
// first when it wants TLS), read from bytes that came from the network, and the scramble the
// server's greeting challenges it with.
import { randomBytes } from 'node:crypto';
import { Capability } from './packets.js';
import { PayloadReader } from './wire.js';

export const nativePlugin = 'mysql_native_password';

export interface HandshakeResponse {
  readonly capabilities: number;
  readonly user: string;
  readonly authToken: Buffer;
  readonly database: string | null;
  readonly plugin: string;
}

export function isSslRequest(payload: Buffer): boolean {
  return payload.length === 32 && (payload.readUInt32LE(0) & Capability.SSL) !== 0;
}

// HandshakeResponse41, or 'ssl' for an SSLRequest (its first 32 bytes alone, with CLIENT_SSL).
export function readHandshakeResponse(payload: Buffer): HandshakeResponse | 'ssl' {
  const reader = new PayloadReader(payload);
  const capabilities = reader.int4();
  reader.skip(4 + 1 + 23); // max packet size, character set, filler
  if (reader.remaining === 0 && (capabilities & Capability.SSL) !== 0) return 'ssl';
  const user = reader.nulTerminated().toString('utf8');
  let authToken: Buffer;
  if ((capabilities & Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA) !== 0) authToken = reader.lengthEncodedBytes();
  else if ((capabilities & Capability.SECURE_CONNECTION) !== 0) authToken = reader.bytes(reader.int1());
  else authToken = reader.nulTerminated();
  const database = (capabilities & Capability.CONNECT_WITH_DB) !== 0 && reader.remaining > 0 ? reader.nulTerminated().toString('utf8') : null;
  const plugin = (capabilities & Capability.PLUGIN_AUTH) !== 0 && reader.remaining > 0 ? reader.nulTerminated().toString('ascii') : nativePlugin;
  return { capabilities, user, authToken: Buffer.from(authToken), database, plugin };
}

// 20 random bytes, none NUL (the greeting ends its second part with a NUL).
export function makeScramble(): Buffer {
  const bytes = randomBytes(20);
  for (let index = 0; index < bytes.length; index++) bytes[index] = (bytes[index]! % 94) + 33;
  return bytes;
}
