// The binary form of a RaftMessage on a peer link, little-endian:
//   [format u8][kind u8][from u32][to u32][term u64] then the kind's fields, in the order of
//   the RaftMessage type: indexes and terms u64, flags one byte (0 or 1), an append's entries
//   as [count u32] then each [index u64][term u64][kind u8][length u32][data], a snapshot's
//   chunk as [chunk u32][last flag][length u32][data] after its index and term, then its
//   configuration as [count u32] then each member [id u32][role u8][length u32][peer]
//   [length u32][http] (addresses in UTF-8).
// The format byte comes first so that a node can tell a newer peer's messages from garbage
// and refuse them with a clear error, rather than misread them, during a rolling upgrade.
// Decoding takes bytes from the network: it fails only with PEER_MESSAGE_INVALID, checks every
// count against the bytes left before using it, and so allocates at most the frame's length.
import { assertNever } from '../../base/assert.js';
import type { EntryKind, LogEntry, RaftMessage, RaftMessageKind } from '../core/types.js';
import type { Member, MemberRole, Membership } from '../core/membership.js';
import { ByteReader, invalidPeerBytes } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';

// 2: a vote's transfer flag, a snapshot's configuration, timeoutNow.
// 3: a heartbeat's (and its response's) read round, readIndex and readIndexResponse.
export const messageFormat = 3;

const messageHeaderBytes = 1 + 1 + 4 + 4 + 8;
// index, term, kind, data length.
export const entryHeaderBytes = 8 + 8 + 1 + 4;

// Codes are part of the format: append new ones, never renumber.
const kindCodes: Record<RaftMessageKind, number> = {
  preVote: 1,
  preVoteResponse: 2,
  vote: 3,
  voteResponse: 4,
  append: 5,
  appendResponse: 6,
  heartbeat: 7,
  heartbeatResponse: 8,
  snapshot: 9,
  snapshotResponse: 10,
  timeoutNow: 11,
  readIndex: 12,
  readIndexResponse: 13,
};
const kindsByCode = new Map<number, RaftMessageKind>(
  Object.entries(kindCodes).map(([kind, code]) => [code, kind as RaftMessageKind]),
);
const entryKindCodes: Record<EntryKind, number> = { noop: 0, batch: 1, config: 2 };
const entryKindsByCode: readonly EntryKind[] = ['noop', 'batch', 'config'];
const roleCodes: Record<MemberRole, number> = { voter: 0, learner: 1 };
const rolesByCode: readonly MemberRole[] = ['voter', 'learner'];
// id, role, the two address lengths.
const memberHeaderBytes = 4 + 1 + 4 + 4;

export function encodeMessage(message: RaftMessage): Buffer {
  const writer = new ByteWriter(encodedBytes(message));
  writer.u8(messageFormat);
  writer.u8(kindCodes[message.kind]);
  writer.u32(message.from);
  writer.u32(message.to);
  writer.u64(message.term);
  switch (message.kind) {
    case 'preVote':
      writer.u64(message.lastIndex);
      writer.u64(message.lastTerm);
      break;
    case 'vote':
      writer.u64(message.lastIndex);
      writer.u64(message.lastTerm);
      writer.flag(message.transfer);
      break;
    case 'preVoteResponse':
    case 'voteResponse':
      writer.flag(message.reject);
      break;
    case 'append':
      writer.u64(message.prevIndex);
      writer.u64(message.prevTerm);
      writer.u64(message.commit);
      writer.u32(message.entries.length);
      for (const entry of message.entries) writeEntry(writer, entry);
      break;
    case 'appendResponse':
      writer.flag(message.reject);
      writer.u64(message.index);
      if (message.reject) {
        writer.u64(message.hintIndex);
        writer.u64(message.hintTerm);
      }
      break;
    case 'heartbeat':
      writer.u64(message.commit);
      writer.u64(message.round);
      break;
    case 'heartbeatResponse':
      writer.u64(message.round);
      break;
    case 'readIndex':
      writer.u64(message.id);
      break;
    case 'readIndexResponse':
      writer.u64(message.id);
      writer.u64(message.index);
      writer.flag(message.reject);
      break;
    case 'snapshot':
      writer.u64(message.snapshotIndex);
      writer.u64(message.snapshotTerm);
      writer.u32(message.chunk);
      writer.flag(message.last);
      writer.u32(message.data.length);
      writer.raw(message.data);
      writeMembership(writer, message.membership);
      break;
    case 'snapshotResponse':
      writer.u64(message.snapshotIndex);
      writer.u32(message.nextChunk);
      writer.flag(message.installed);
      break;
    case 'timeoutNow':
      break;
    default:
      assertNever(message);
  }
  return writer.finish();
}

// The exact length encodeMessage writes, so that it allocates once.
export function encodedBytes(message: RaftMessage): number {
  switch (message.kind) {
    case 'preVote':
      return messageHeaderBytes + 16;
    case 'vote':
      return messageHeaderBytes + 16 + 1;
    case 'preVoteResponse':
    case 'voteResponse':
      return messageHeaderBytes + 1;
    case 'append': {
      let bytes = messageHeaderBytes + 24 + 4;
      for (const entry of message.entries) bytes += entryHeaderBytes + entry.data.length;
      return bytes;
    }
    case 'appendResponse':
      return messageHeaderBytes + 1 + 8 + (message.reject ? 16 : 0);
    case 'heartbeat':
      return messageHeaderBytes + 16;
    case 'heartbeatResponse':
    case 'readIndex':
      return messageHeaderBytes + 8;
    case 'readIndexResponse':
      return messageHeaderBytes + 16 + 1;
    case 'timeoutNow':
      return messageHeaderBytes;
    case 'snapshot':
      return messageHeaderBytes + 16 + 4 + 1 + 4 + message.data.length + membershipBytes(message.membership);
    case 'snapshotResponse':
      return messageHeaderBytes + 8 + 4 + 1;
    default:
      return assertNever(message);
  }
}

function membershipBytes(membership: Membership): number {
  let bytes = 4;
  for (const member of membership.members) bytes += memberHeaderBytes + Buffer.byteLength(member.peer) + Buffer.byteLength(member.http);
  return bytes;
}

function writeMembership(writer: ByteWriter, membership: Membership): void {
  writer.u32(membership.members.length);
  for (const member of membership.members) {
    writer.u32(member.id);
    writer.u8(roleCodes[member.role]);
    for (const text of [member.peer, member.http]) {
      const bytes = Buffer.from(text, 'utf8');
      writer.u32(bytes.length);
      writer.raw(bytes);
    }
  }
}

function readMembership(reader: ByteReader): Membership {
  const count = reader.u32();
  if (count * memberHeaderBytes > reader.remaining) throw invalidPeerBytes(`${count} members cannot fit in ${reader.remaining} bytes`);
  const members: Member[] = [];
  for (let i = 0; i < count; i++) {
    const id = reader.u32();
    const code = reader.u8();
    const role = rolesByCode[code];
    if (role === undefined) throw invalidPeerBytes(`unknown member role ${code}`);
    const peer = Buffer.from(reader.copy(reader.u32())).toString('utf8');
    const http = Buffer.from(reader.copy(reader.u32())).toString('utf8');
    if (members.length > 0 && members.at(-1)!.id >= id) throw invalidPeerBytes('members out of order');
    members.push({ id, role, peer, http });
  }
  return { members };
}

function writeEntry(writer: ByteWriter, entry: LogEntry): void {
  writer.u64(entry.index);
  writer.u64(entry.term);
  writer.u8(entryKindCodes[entry.kind]);
  writer.u32(entry.data.length);
  writer.raw(entry.data);
}

export function decodeMessage(bytes: Uint8Array): RaftMessage {
  const reader = new ByteReader(bytes);
  const format = reader.u8();
  if (format !== messageFormat) throw invalidPeerBytes(`message format ${format}, this node reads ${messageFormat}`);
  const code = reader.u8();
  const kind = kindsByCode.get(code);
  if (kind === undefined) throw invalidPeerBytes(`unknown message kind ${code}`);
  const envelope = { from: reader.u32(), to: reader.u32(), term: reader.u64() };
  const message = decodeBody(kind, envelope, reader);
  reader.end(`a ${kind} message`);
  return message;
}

type Envelope = Pick<RaftMessage, 'from' | 'to' | 'term'>;

function decodeBody(kind: RaftMessageKind, envelope: Envelope, reader: ByteReader): RaftMessage {
  switch (kind) {
    case 'preVote':
      return { kind, ...envelope, lastIndex: reader.u64(), lastTerm: reader.u64() };
    case 'vote':
      return { kind, ...envelope, lastIndex: reader.u64(), lastTerm: reader.u64(), transfer: reader.flag('transfer') };
    case 'preVoteResponse':
    case 'voteResponse':
      return { kind, ...envelope, reject: reader.flag('reject') };
    case 'append':
      return decodeAppend(envelope, reader);
    case 'appendResponse': {
      const reject = reader.flag('reject');
      const index = reader.u64();
      if (!reject) return { kind, ...envelope, reject, index };
      return { kind, ...envelope, reject, index, hintIndex: reader.u64(), hintTerm: reader.u64() };
    }
    case 'heartbeat':
      return { kind, ...envelope, commit: reader.u64(), round: reader.u64() };
    case 'heartbeatResponse':
      return { kind, ...envelope, round: reader.u64() };
    case 'readIndex':
      return { kind, ...envelope, id: reader.u64() };
    case 'readIndexResponse':
      return { kind, ...envelope, id: reader.u64(), index: reader.u64(), reject: reader.flag('reject') };
    case 'timeoutNow':
      return { kind, ...envelope };
    case 'snapshot': {
      const snapshotIndex = reader.u64();
      const snapshotTerm = reader.u64();
      const chunk = reader.u32();
      const last = reader.flag('last');
      const data = reader.copy(reader.u32());
      return { kind, ...envelope, snapshotIndex, snapshotTerm, chunk, last, data, membership: readMembership(reader) };
    }
    case 'snapshotResponse':
      return { kind, ...envelope, snapshotIndex: reader.u64(), nextChunk: reader.u32(), installed: reader.flag('installed') };
    default:
      return assertNever(kind);
  }
}

function decodeAppend(envelope: Envelope, reader: ByteReader): RaftMessage {
  const prevIndex = reader.u64();
  const prevTerm = reader.u64();
  const commit = reader.u64();
  const count = reader.u32();
  // Checked before the loop: a forged count of four billion fails here, not after a long loop.
  if (count * entryHeaderBytes > reader.remaining) {
    throw invalidPeerBytes(`${count} entries cannot fit in ${reader.remaining} bytes`);
  }
  const entries: LogEntry[] = [];
  for (let i = 0; i < count; i++) entries.push(decodeEntry(reader));
  return { kind: 'append', ...envelope, prevIndex, prevTerm, entries, commit };
}

function decodeEntry(reader: ByteReader): LogEntry {
  const index = reader.u64();
  const term = reader.u64();
  const code = reader.u8();
  const kind = entryKindsByCode[code];
  if (kind === undefined) throw invalidPeerBytes(`unknown entry kind ${code}`);
  const length = reader.u32();
  return { index, term, kind, data: reader.copy(length) };
}
