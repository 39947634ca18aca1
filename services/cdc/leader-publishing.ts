// Runs the Kafka publisher only while this node is the Raft leader. Every node has the whole
// changelog, but one publisher per cluster is what makes each event appear once: a node that
// becomes leader starts one (whose producer fences its predecessor's and continues from
// Kafka's checkpoint), and a node that stops leading stops its own.
import type { KafkaPublisher } from './kafka-publisher.js';

export class LeaderPublishing {
  private publisher: KafkaPublisher | null = null;
  // Starts and stops run one after another, so two publishers of this node never overlap.
  private transitions: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly create: () => KafkaPublisher,
    private readonly isLeader: () => boolean,
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
    this.transitions = this.transitions.then(() => this.stopPublisher());
    await this.transitions;
  }

  private async follow(): Promise<void> {
    const leading = !this.closed && this.isLeader();
    if (leading && this.publisher === null) {
      this.publisher = this.create();
      this.publisher.start();
    } else if (!leading) {
      await this.stopPublisher();
    }
  }

  private async stopPublisher(): Promise<void> {
    const publisher = this.publisher;
    this.publisher = null;
    await publisher?.stop();
  }
}
