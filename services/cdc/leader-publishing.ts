// Runs the Kafka publisher only while this node is the Raft leader. Every node has the whole
// changelog, but one publisher per cluster is what makes each event appear once: a node that
// becomes leader starts one (whose producer fences its predecessor's and continues from
// Kafka's checkpoint), and a node that stops leading stops its own. Meanwhile a node that does
// not lead notes Kafka's checkpoint from time to time, for its changelog retention.
import type { KafkaPublisher } from './kafka-publisher.js';

export interface LeaderPublishingOptions {
  // How often a node that does not lead reads Kafka's checkpoint; 0: never.
  readonly checkpointNoteIntervalMs: number;
  readonly onNoteFailed?: (error: unknown) => void;
}

export class LeaderPublishing {
  private publisher: KafkaPublisher | null = null;
  // Starts and stops run one after another, so two publishers of this node never overlap.
  private transitions: Promise<void> = Promise.resolve();
  private closed = false;
  private noteTimer: NodeJS.Timeout | null = null;
  // A publisher never started, whose client reads the checkpoint while this node follows.
  private observer: KafkaPublisher | null = null;

  constructor(
    private readonly create: () => KafkaPublisher,
    private readonly isLeader: () => boolean,
    private readonly options: LeaderPublishingOptions = { checkpointNoteIntervalMs: 0 },
  ) {}

  // The running publisher, if this node leads.
  current(): KafkaPublisher | null {
    return this.publisher;
  }

  // Call at start and on every change of term or role.
  onLeadershipChange(): void {
    this.transitions = this.transitions.then(() => this.follow());
  }

  notify(): void {
    this.publisher?.notify();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopNoting();
    this.transitions = this.transitions.then(() => this.stopPublisher());
    await this.transitions;
  }

  private async follow(): Promise<void> {
    const leading = !this.closed && this.isLeader();
    if (leading && this.publisher === null) {
      this.stopNoting();
      this.publisher = this.create();
      this.publisher.start();
    } else if (!leading) {
      await this.stopPublisher();
      if (!this.closed) this.startNoting();
    }
  }

  private async stopPublisher(): Promise<void> {
    const publisher = this.publisher;
    this.publisher = null;
    await publisher?.stop();
  }

  private startNoting(): void {
    if (this.noteTimer !== null || this.options.checkpointNoteIntervalMs === 0) return;
    let noting = false;
    this.noteTimer = setInterval(() => {
      if (noting) return;
      noting = true;
      this.observer ??= this.create();
      // A note read while this node still followed must not land after it began to publish.
      this.observer
        .noteKafkaCheckpoint(() => this.publisher === null && !this.closed)
        .catch((error: unknown) => this.options.onNoteFailed?.(error))
        .finally(() => (noting = false));
    }, this.options.checkpointNoteIntervalMs);
    this.noteTimer.unref();
  }

  private stopNoting(): void {
    if (this.noteTimer !== null) clearInterval(this.noteTimer);
    this.noteTimer = null;
  }
}
