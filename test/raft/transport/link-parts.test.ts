// Proves the pieces a peer link is built of, without sockets: frames split and joined however
// the bytes arrive and refused past their bound before being buffered, the send queue's bounds
// and drop-newest rule, the redial delays' growth, cap and jitter, and peer address parsing.
import { describe, expect, it } from 'vitest';
import { TideError } from '../../../services/base/errors.js';
import { FrameReader, frameHeader } from '../../../services/raft/transport/frame-reader.js';
import { parsePeerAddress } from '../../../services/raft/transport/peer-address.js';
import { ReconnectBackoff } from '../../../services/raft/transport/reconnect-backoff.js';
import { SendQueue } from '../../../services/raft/transport/send-queue.js';
import { seededRandom } from '../../support/seeded-random.js';

function framed(payloads: readonly string[]): Buffer {
  return Buffer.concat(payloads.flatMap((text) => [frameHeader(Buffer.byteLength(text)), Buffer.from(text)]));
}

function readAll(reader: FrameReader, chunks: readonly Buffer[]): string[] {
  const frames: string[] = [];
  for (const chunk of chunks) reader.push(chunk, (payload) => frames.push(payload.toString()));
  return frames;
}

describe('frame reader', () => {
  const payloads = ['', 'a', 'two', 'x'.repeat(1000), 'last'];
  const stream = framed(payloads);

  it('hands out the same frames whether the bytes come whole, byte by byte or in random cuts', () => {
    expect(readAll(new FrameReader(4096), [stream])).toEqual(payloads);
    expect(readAll(new FrameReader(4096), [...stream].map((byte) => Buffer.of(byte)))).toEqual(payloads);
    const random = seededRandom(3);
    for (let round = 0; round < 200; round++) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < stream.length; ) {
        const next = Math.min(stream.length, at + 1 + Math.floor(random() * 300));
        chunks.push(stream.subarray(at, next));
        at = next;
      }
      expect(readAll(new FrameReader(4096), chunks)).toEqual(payloads);
    }
  });

  it('refuses a header past the bound with PEER_FRAME_TOO_LARGE and reads nothing after', () => {
    const reader = new FrameReader(3);
    const frames: string[] = [];
    const push = (chunk: Buffer): void => reader.push(chunk, (payload) => frames.push(payload.toString()));
    expect(() => push(framed(['abc', 'abcd', 'ab']))).toThrow(expect.objectContaining({ code: 'PEER_FRAME_TOO_LARGE' }));
    push(framed(['ab']));
    expect(frames).toEqual(['abc']);
  });

  it('applies a bound changed between two frames of one chunk to the second', () => {
    const reader = new FrameReader(3);
    const frames: string[] = [];
    reader.push(framed(['abc', 'a longer frame']), (payload) => {
      frames.push(payload.toString());
      reader.setFrameBytesMax(100);
    });
    expect(frames).toEqual(['abc', 'a longer frame']);
  });
});

describe('send queue', () => {
  it('declines the newest message past its message bound and hands out the oldest first', () => {
    const queue = new SendQueue({ messagesMax: 3, bytesMax: 1000 });
    const added = ['1', '2', '3', '4'].map((text) => queue.maybeAdd(Buffer.from(text)));
    expect(added).toEqual([true, true, true, false]);
    expect(queue.take(1).map(String)).toEqual(['1']);
    expect(queue.maybeAdd(Buffer.from('5'))).toBe(true);
    expect(queue.take(1000).map(String)).toEqual(['2', '3', '5']);
    expect(queue.length).toBe(0);
  });

  it('declines a message past its byte bound, and takes at least one message whatever its size', () => {
    const queue = new SendQueue({ messagesMax: 100, bytesMax: 10 });
    expect(queue.maybeAdd(Buffer.alloc(6))).toBe(true);
    expect(queue.maybeAdd(Buffer.alloc(5))).toBe(false);
    expect(queue.maybeAdd(Buffer.alloc(4))).toBe(true);
    expect(queue.queuedBytes).toBe(10);
    expect(queue.take(1).map((payload) => payload.length)).toEqual([6]);
    expect(queue.queuedBytes).toBe(4);
  });

  it('keeps its order through many adds and takes', () => {
    const queue = new SendQueue({ messagesMax: 20_000, bytesMax: 1 << 20 });
    const out: string[] = [];
    let declined = 0;
    for (let i = 0; i < 20_000; i++) {
      if (!queue.maybeAdd(Buffer.from(`${i},`))) declined++;
      if (i % 3 === 2) out.push(...queue.take(8).map(String));
    }
    out.push(...queue.take(1 << 20).map(String));
    expect(declined).toBe(0);
    // Joined: comparing 20,000 elements one by one costs the test seconds.
    expect(out.join('')).toBe(Array.from({ length: 20_000 }, (_, i) => `${i},`).join(''));
  });
});

describe('reconnect backoff', () => {
  it('doubles from the minimum to the maximum, jitters within the upper half, and restarts after reset', () => {
    const low = new ReconnectBackoff(50, 800, () => 0);
    expect(Array.from({ length: 7 }, () => low.nextDelayMs())).toEqual([25, 50, 100, 200, 400, 400, 400]);
    low.reset();
    expect(low.nextDelayMs()).toBe(25);
    const high = new ReconnectBackoff(50, 800, () => 0.999_999);
    expect(Array.from({ length: 6 }, () => Math.round(high.nextDelayMs()))).toEqual([50, 100, 200, 400, 800, 800]);
    const long = new ReconnectBackoff(50, 800, () => 0.5);
    for (let i = 0; i < 2_000; i++) expect(long.nextDelayMs()).toBeLessThanOrEqual(800);
  });
});

describe('peer address', () => {
  it('reads host:port with a name, an IPv4 or a bracketed IPv6 host', () => {
    expect(parsePeerAddress('node-2.local:4202')).toEqual({ host: 'node-2.local', port: 4202 });
    expect(parsePeerAddress('10.0.0.3:4203')).toEqual({ host: '10.0.0.3', port: 4203 });
    expect(parsePeerAddress('[::1]:4201')).toEqual({ host: '::1', port: 4201 });
  });

  it.each(['', '4201', 'host:', 'host:0', 'host:65536', 'host:42a', '::1:4201', 'a b:1', '[::1]4201'])('refuses %j with PEER_CONFIG_INVALID', (text) => {
    expect(() => parsePeerAddress(text)).toThrow(TideError);
    expect(() => parsePeerAddress(text)).toThrow(expect.objectContaining({ code: 'PEER_CONFIG_INVALID' }));
  });
});
