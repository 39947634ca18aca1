// The node's open change streams: admission under the configured cap, what each has
// delivered (for status), and ending them all when the node stops.
import { TideError } from '../base/errors.js';
import { indexOfLsn } from '../storage/lsn.js';
import type { ChangeFeed } from './change-feed.js';
import { ChangeStream } from './change-stream.js';
import type { ChangeStreamOptions, StreamSink } from './change-stream.js';

interface OpenStream {
  readonly id: number;
  readonly stream: ChangeStream;
  readonly description: string;
  readonly openedAtMs: number;
  readonly done: Promise<void>;
}

export class ChangeStreams {
  private readonly open = new Map<number, OpenStream>();
  private nextId = 1;
  private closing = false;

  // `stallMs` overrides streamStallMsMax (tests shorten it).
  constructor(readonly feed: ChangeFeed, private readonly streamsMax: number, private readonly stallMs?: number) {}

  // Throws STREAMS_TOO_MANY or SHUTTING_DOWN before anything is sent, so the route can still
  // answer with an error status.
  admit(): void {
    if (this.closing) throw new TideError('SHUTTING_DOWN', 'the node is shutting down');
    if (this.open.size >= this.streamsMax) throw new TideError('STREAMS_TOO_MANY', `this node serves at most ${this.streamsMax} change streams at once`);
  }

  // Runs a stream to its end (the subscriber leaving, a stall, or the node stopping).
  run(sink: StreamSink, options: ChangeStreamOptions, description: string): Promise<void> {
    this.admit();
    const id = this.nextId++;
    const stream = new ChangeStream(this.feed, sink, this.stallMs === undefined ? options : { ...options, stallMs: this.stallMs });
    const done = stream.run().finally(() => this.open.delete(id));
    this.open.set(id, { id, stream, description, openedAtMs: Date.now(), done });
    return done;
  }

  get count(): number {
    return this.open.size;
  }

  // Each stream, how many entries it is behind the applied index, and what its subscriber has
  // left unread in the node's memory (at most streamBufferBytesMax plus one entry's events).
  status(): Record<string, unknown>[] {
    const applied = this.feed.source.appliedIndex();
    return [...this.open.values()].map(({ id, stream, description, openedAtMs }) => ({
      id,
      selection: description,
      lsn: stream.position.toString(),
      lag_entries: Number(applied - indexOfLsn(stream.position)),
      buffered_bytes: stream.bufferedBytes,
      parked: stream.parked,
      opened_at_ms: openedAtMs,
    }));
  }

  // Ends every stream with an end event (SHUTTING_DOWN) and waits until all have finished.
  async closeAll(): Promise<void> {
    this.closing = true;
    const open = [...this.open.values()];
    for (const { stream } of open) stream.stop('SHUTTING_DOWN', 'the node is shutting down; resume from lsn on another node or after restart');
    await Promise.all(open.map(({ done }) => done));
  }
}
