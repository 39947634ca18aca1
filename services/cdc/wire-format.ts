// The Confluent wire format: magic byte 0, the schema id as a 4-byte big-endian integer, then
// the Avro body. Standard consumers (Confluent's deserializers, @kafkajs/confluent-schema-registry)
// read the id, fetch the writer schema from the registry and decode the body with it.
import { assert } from '../base/assert.js';

export const magicByte = 0;
// The magic byte and the schema id.
export const wireHeaderBytes = 5;

export function encodeWireFormat(schemaId: number, body: Buffer): Buffer {
  assert(Number.isInteger(schemaId) && schemaId >= 0 && schemaId <= 0x7fffffff);
  const framed = Buffer.alloc(wireHeaderBytes + body.length);
  framed.writeUInt8(magicByte, 0);
  framed.writeUInt32BE(schemaId, 1);
  body.copy(framed, wireHeaderBytes);
  return framed;
}

export interface WireMessage {
  readonly schemaId: number;
  readonly body: Buffer;
}

// Undefined when the bytes are not in the wire format (too short or another magic byte).
export function decodeWireFormat(framed: Buffer): WireMessage | undefined {
  if (framed.length < wireHeaderBytes || framed.readUInt8(0) !== magicByte) return undefined;
  return { schemaId: framed.readUInt32BE(1), body: framed.subarray(wireHeaderBytes) };
}
