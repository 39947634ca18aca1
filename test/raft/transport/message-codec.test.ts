// Proves every RaftMessage kind survives encode → decode unchanged (fixed cases at the edges of
// their fields, then thousands of seeded random ones), and that bytes from the network that are
// not a message — cut, flipped, forged counts, another format — fail with PEER_MESSAGE_INVALID.
import { describe, expect, it } from 'vitest';
import { TideError } from '../../../services/base/errors.js';
import type { LogEntry, RaftMessage } from '../../../services/raft/core/types.js';
import type { Membership } from '../../../services/raft/core/membership.js';
import { decodeMessage, encodeMessage, entryHeaderBytes, messageFormat } from '../../../services/raft/transport/message-codec.js';
import { seededRandom } from '../../support/seeded-random.js';

const u64Max = (1n << 64n) - 1n;
const envelope = { from: 1, to: 0xffff_ffff, term: u64Max };

function entry(index: bigint, term: bigint, text: string): LogEntry {
  return { index, term, kind: text === '' ? 'noop' : 'batch', data: new Uint8Array(Buffer.from(text)) };
}

const members: Membership = {
  members: [
    { id: 1, role: 'voter', peer: '127.0.0.1:4201', http: 'http://127.0.0.1:4001' },
    { id: 0xffff_ffff, role: 'learner', peer: 'nœud:4204', http: '' },
  ],
};

const fixed: readonly RaftMessage[] = [
  { kind: 'preVote', ...envelope, lastIndex: 0n, lastTerm: u64Max },
  { kind: 'preVoteResponse', ...envelope, reject: true },
  { kind: 'vote', ...envelope, lastIndex: 1n << 53n, lastTerm: (1n << 53n) + 1n, transfer: false },
  { kind: 'voteResponse', ...envelope, reject: false },
  { kind: 'append', ...envelope, prevIndex: 7n, prevTerm: 2n, commit: 5n, entries: [] },
  { kind: 'append', ...envelope, prevIndex: 7n, prevTerm: 2n, commit: 9n, entries: [entry(8n, 3n, ''), entry(9n, 3n, 'insert')] },
  { kind: 'appendResponse', ...envelope, reject: false, index: 12n },
  { kind: 'appendResponse', ...envelope, reject: true, index: 12n, hintIndex: 10n, hintTerm: 4n },
  { kind: 'heartbeat', ...envelope, commit: 0n, round: 0n },
  { kind: 'heartbeatResponse', ...envelope, round: 0n },
  { kind: 'snapshot', ...envelope, snapshotIndex: u64Max, snapshotTerm: 3n, chunk: 0xffff_ffff, last: true, data: new Uint8Array(Buffer.from('rows')), membership: { members: [] } },
  { kind: 'snapshot', ...envelope, snapshotIndex: 40n, snapshotTerm: 3n, chunk: 0, last: false, data: new Uint8Array(0), membership: { members: [] } },
  { kind: 'snapshotResponse', ...envelope, snapshotIndex: 40n, nextChunk: 7, installed: false },
  { kind: 'snapshotResponse', ...envelope, snapshotIndex: 1n << 53n, nextChunk: 0, installed: true },
  { kind: 'vote', ...envelope, lastIndex: 3n, lastTerm: 2n, transfer: true },
  { kind: 'timeoutNow', ...envelope },
  { kind: 'append', ...envelope, prevIndex: 9n, prevTerm: 3n, commit: 9n, entries: [{ index: 10n, term: 3n, kind: 'config', data: new Uint8Array(Buffer.from('{"kind":"remove","id":2}')) }] },
  { kind: 'snapshot', ...envelope, snapshotIndex: 41n, snapshotTerm: 3n, chunk: 2, last: true, data: new Uint8Array(Buffer.from('rows')), membership: members },
  { kind: 'heartbeat', ...envelope, commit: 4n, round: u64Max },
  { kind: 'heartbeatResponse', ...envelope, round: 1n << 53n },
  { kind: 'readIndex', ...envelope, id: u64Max },
  { kind: 'readIndexResponse', ...envelope, id: 3n, index: 1n << 53n, reject: false },
  { kind: 'readIndexResponse', ...envelope, id: 0n, index: 0n, reject: true },
];

function randomBigint(random: () => number): bigint {
  // Small values, values near 2^53 and values near 2^64: where a number-based codec would break.
  const base = [0n, 1n << 53n, u64Max - 1000n][Math.floor(random() * 3)]!;
  return base + BigInt(Math.floor(random() * 1000));
}

function randomMessage(random: () => number): RaftMessage {
  const head = { from: Math.floor(random() * 2 ** 32), to: Math.floor(random() * 2 ** 32), term: randomBigint(random) };
  const flag = random() < 0.5;
  switch (Math.floor(random() * 13)) {
    case 0: return { kind: 'preVote', ...head, lastIndex: randomBigint(random), lastTerm: randomBigint(random) };
    case 1: return { kind: 'preVoteResponse', ...head, reject: flag };
    case 2: return { kind: 'vote', ...head, lastIndex: randomBigint(random), lastTerm: randomBigint(random), transfer: flag };
    case 3: return { kind: 'voteResponse', ...head, reject: flag };
    case 4: {
      const entries: LogEntry[] = [];
      for (let i = Math.floor(random() * 6); i > 0; i--) {
        const data = new Uint8Array(Math.floor(random() * 40)).map(() => Math.floor(random() * 256));
        entries.push({ index: randomBigint(random), term: randomBigint(random), kind: random() < 0.2 ? 'noop' : random() < 0.1 ? 'config' : 'batch', data });
      }
      return { kind: 'append', ...head, prevIndex: randomBigint(random), prevTerm: randomBigint(random), commit: randomBigint(random), entries };
    }
    case 5:
      return flag
        ? { kind: 'appendResponse', ...head, reject: true, index: randomBigint(random), hintIndex: randomBigint(random), hintTerm: randomBigint(random) }
        : { kind: 'appendResponse', ...head, reject: false, index: randomBigint(random) };
    case 6: return { kind: 'heartbeat', ...head, commit: randomBigint(random), round: randomBigint(random) };
    case 7: {
      const data = new Uint8Array(Math.floor(random() * 40)).map(() => Math.floor(random() * 256));
      const membership: Membership = { members: Array.from({ length: Math.floor(random() * 4) }, (_, at) => ({ id: at * 1000 + Math.floor(random() * 1000), role: random() < 0.5 ? 'voter' : 'learner', peer: `10.0.0.${at}:42${at}`, http: random() < 0.5 ? '' : `http://h${at}` })) };
      return { kind: 'snapshot', ...head, snapshotIndex: randomBigint(random), snapshotTerm: randomBigint(random), chunk: Math.floor(random() * 2 ** 32), last: flag, data, membership };
    }
    case 8: return { kind: 'snapshotResponse', ...head, snapshotIndex: randomBigint(random), nextChunk: Math.floor(random() * 2 ** 32), installed: flag };
    case 9: return { kind: 'timeoutNow', ...head };
    case 10: return { kind: 'readIndex', ...head, id: randomBigint(random) };
    case 11: return { kind: 'readIndexResponse', ...head, id: randomBigint(random), index: randomBigint(random), reject: flag };
    default: return { kind: 'heartbeatResponse', ...head, round: randomBigint(random) };
  }
}

// The error a decoder may throw, and only it.
function decodeError(bytes: Uint8Array): string | null {
  try {
    decodeMessage(bytes);
    return null;
  } catch (error) {
    if (!(error instanceof TideError)) throw error;
    return error.code;
  }
}

describe('message codec', () => {
  it.each(fixed.map((message) => [message.kind, message] as const))('round-trips %s', (_kind, message) => {
    const decoded = decodeMessage(encodeMessage(message));
    expect(decoded).toEqual(message);
  });

  it('round-trips 5,000 seeded random messages', () => {
    const seed = Number(process.env['SEED'] ?? 20261125);
    const random = seededRandom(seed);
    for (let i = 0; i < 5_000; i++) {
      const message = randomMessage(random);
      expect(decodeMessage(encodeMessage(message)), `seed ${seed}, message ${i}`).toEqual(message);
    }
  });

  it('hands out entry data that does not share memory with the frame', () => {
    const frame = encodeMessage(fixed[5]!);
    const decoded = decodeMessage(frame);
    frame.fill(0);
    expect(decoded.kind === 'append' && Buffer.from(decoded.entries[1]!.data).toString()).toBe('insert');
  });

  it('refuses every cut-short message', () => {
    for (const message of fixed) {
      const frame = encodeMessage(message);
      for (let length = 0; length < frame.length; length++) {
        expect(decodeError(frame.subarray(0, length)), `${message.kind} cut to ${length}`).toBe('PEER_MESSAGE_INVALID');
      }
    }
  });

  it('refuses trailing bytes, another format, an unknown kind and a flag that is not 0 or 1', () => {
    const heartbeat = encodeMessage(fixed[8]!);
    expect(decodeError(Buffer.concat([heartbeat, Buffer.of(0)]))).toBe('PEER_MESSAGE_INVALID');
    expect(decodeError(Buffer.concat([Buffer.of(messageFormat + 1), heartbeat.subarray(1)]))).toBe('PEER_MESSAGE_INVALID');
    const unknownKind = Buffer.from(heartbeat);
    unknownKind[1] = 200;
    expect(decodeError(unknownKind)).toBe('PEER_MESSAGE_INVALID');
    const badFlag = encodeMessage(fixed[1]!);
    badFlag[badFlag.length - 1] = 2;
    expect(decodeError(badFlag)).toBe('PEER_MESSAGE_INVALID');
  });

  it('refuses an entry count or an entry length larger than the bytes that follow', () => {
    const append = encodeMessage(fixed[5]!);
    const countAt = 18 + 24;
    const forgedCount = Buffer.from(append);
    forgedCount.writeUInt32LE(0xffff_ffff, countAt);
    expect(decodeError(forgedCount)).toBe('PEER_MESSAGE_INVALID');
    const forgedLength = Buffer.from(append);
    const lastLengthAt = append.length - 'insert'.length - 4;
    forgedLength.writeUInt32LE(0x7fff_ffff, lastLengthAt);
    expect(decodeError(forgedLength)).toBe('PEER_MESSAGE_INVALID');
    expect(entryHeaderBytes).toBe(21);
  });

  it('refuses a snapshot chunk whose length is larger than the bytes that follow, and hands out its data unshared', () => {
    const snapshot = encodeMessage(fixed[10]!);
    const forgedLength = Buffer.from(snapshot);
    // The data, then the configuration's member count (4 bytes, 0 here).
    const dataEnd = snapshot.length - 4;
    forgedLength.writeUInt32LE('rows'.length + 4 + 1, dataEnd - 'rows'.length - 4);
    expect(decodeError(forgedLength)).toBe('PEER_MESSAGE_INVALID');
    const forgedMembers = Buffer.from(snapshot);
    forgedMembers.writeUInt32LE(0xffff_ffff, dataEnd);
    expect(decodeError(forgedMembers)).toBe('PEER_MESSAGE_INVALID');
    const badLast = Buffer.from(snapshot);
    badLast[dataEnd - 'rows'.length - 5] = 2;
    expect(decodeError(badLast)).toBe('PEER_MESSAGE_INVALID');
    const decoded = decodeMessage(snapshot);
    snapshot.fill(0);
    expect(decoded.kind === 'snapshot' && Buffer.from(decoded.data).toString()).toBe('rows');
  });

  it('decodes any random bytes or mutated message to a message or PEER_MESSAGE_INVALID, nothing else', () => {
    const random = seededRandom(7);
    for (let i = 0; i < 20_000; i++) {
      let bytes: Buffer;
      if (i % 2 === 0) {
        bytes = Buffer.from(new Uint8Array(Math.floor(random() * 80)).map(() => Math.floor(random() * 256)));
        bytes[0] = messageFormat; // past the format byte, so the rest of the decoder is reached
      } else {
        bytes = encodeMessage(randomMessage(random));
        bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      }
      const error = decodeError(bytes);
      expect(error === null || error === 'PEER_MESSAGE_INVALID').toBe(true);
    }
  });
});
