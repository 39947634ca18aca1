// Length-prefixed frames on a peer link: [length u32 LE][payload]. The reader gathers socket
// chunks and hands out whole payloads, one at a time, so that the caller may change the bound
// between frames (a connection allows bigger frames once the peer is authenticated). A header
// announcing more than the bound fails with PEER_FRAME_TOO_LARGE before any of the frame is
// kept: a peer cannot make this node buffer more than the bound.
import { TideError } from '../../base/errors.js';

export const frameHeaderBytes = 4;

export function frameHeader(payloadBytes: number): Buffer {
  const header = Buffer.allocUnsafe(frameHeaderBytes);
  header.writeUInt32LE(payloadBytes, 0);
  return header;
}

export class FrameReader {
  // Chunks as they came, not joined: joining each chunk onto the rest would copy a large
  // frame once per chunk (an 8 MiB frame arrives in about 128 of them).
  private readonly chunks: Buffer[] = [];
  private bufferedBytes = 0;
  private payloadBytes: number | null = null;
  private stopped = false;

  constructor(private frameBytesMax: number) {}

  setFrameBytesMax(frameBytesMax: number): void {
    this.frameBytesMax = frameBytesMax;
  }

  // Hands each frame `chunk` completes to `onFrame`, in order, until stop() is called.
  push(chunk: Buffer, onFrame: (payload: Buffer) => void): void {
    if (this.stopped) return;
    this.chunks.push(chunk);
    this.bufferedBytes += chunk.length;
    while (!this.stopped) {
      if (this.payloadBytes === null) {
        if (this.bufferedBytes < frameHeaderBytes) return;
        const length = this.take(frameHeaderBytes).readUInt32LE(0);
        if (length > this.frameBytesMax) {
          this.stop();
          throw new TideError('PEER_FRAME_TOO_LARGE', `a frame of ${length} bytes, past the bound of ${this.frameBytesMax}`);
        }
        this.payloadBytes = length;
      }
      if (this.bufferedBytes < this.payloadBytes) return;
      const payload = this.take(this.payloadBytes);
      this.payloadBytes = null;
      onFrame(payload);
    }
  }

  // Drops what is buffered and ignores whatever arrives after: the connection is closing.
  stop(): void {
    this.stopped = true;
    this.chunks.length = 0;
    this.bufferedBytes = 0;
  }

  private take(length: number): Buffer {
    this.bufferedBytes -= length;
    const first = this.chunks[0];
    if (first !== undefined && first.length >= length) {
      if (first.length === length) this.chunks.shift();
      else this.chunks[0] = first.subarray(length);
      return first.subarray(0, length);
    }
    const taken = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const chunk = this.chunks[0]!;
      const part = Math.min(chunk.length, length - filled);
      chunk.copy(taken, filled, 0, part);
      filled += part;
      if (part === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(part);
    }
    return taken;
  }
}
