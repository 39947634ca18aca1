// A simulated network between Raft drivers, implementing RaftTransport: messages wait in flight
// until the simulation delivers them, each with its own delay, in random order among those due
// (reordering), and may be lost, duplicated, or blocked by a partition (symmetric, or one way
// on some links). Every choice comes from the seeded random source.
import type { RaftMessage } from '../../services/raft/core/types.js';
import type { RaftTransport } from '../../services/raft/transport/raft-transport.js';
import { takeSome } from './sim-choices.js';

interface InFlight {
  readonly message: RaftMessage;
  readonly deliverAt: number;
}

export interface SimNetworkStats {
  sent: number;
  delivered: number;
  dropped: number;
  duplicated: number;
}

export class SimNetwork {
  private inFlight: InFlight[] = [];
  // Links cut, as "from>to".
  private readonly blocked = new Set<string>();
  private readonly receivers = new Map<number, (message: RaftMessage) => void>();
  // Nodes paused (a stopped process): messages to them wait in flight until they resume.
  readonly held = new Set<number>();
  time = 0;
  lossRate = 0;
  duplicateRate = 0;
  delayTicksMax = 1;
  readonly stats: SimNetworkStats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0 };

  constructor(private readonly random: () => number) {}

  // The transport of one incarnation of node `id`; it replaces (and silences) any earlier one.
  connect(id: number): RaftTransport {
    let open = true;
    let receiver: ((message: RaftMessage) => void) | null = null;
    this.receivers.delete(id);
    return {
      send: (message) => {
        if (!open) return;
        this.stats.sent++;
        this.inFlight.push({ message, deliverAt: this.time + Math.floor(this.random() * (this.delayTicksMax + 1)) });
      },
      onMessage: (receive) => {
        if (!open) return;
        receiver = receive;
        this.receivers.set(id, receive);
      },
      close: () => {
        open = false;
        if (this.receivers.get(id) === receiver) this.receivers.delete(id);
        return Promise.resolve();
      },
    };
  }

  // A node that crashed hears nothing until it connects again.
  disconnect(id: number): void {
    this.receivers.delete(id);
  }

  // Delivers some of the messages that are due, in random order. Returns how many were due.
  deliverSome(): number {
    const due = this.inFlight.filter((flight) => this.isDue(flight));
    if (due.length === 0) return 0;
    const chosen = takeSome(due, this.random);
    const delivered = new Set(chosen);
    this.inFlight = this.inFlight.filter((flight) => !delivered.has(flight));
    for (const flight of chosen) this.deliver(flight);
    return chosen.length + due.length;
  }

  // Delivers every message due, in the order sent. Returns whether there were any.
  deliverDue(): boolean {
    const due = this.inFlight.filter((flight) => this.isDue(flight));
    if (due.length === 0) return false;
    this.inFlight = this.inFlight.filter((flight) => !this.isDue(flight));
    for (const flight of due) this.deliver(flight);
    return true;
  }

  get inFlightCount(): number {
    return this.inFlight.length;
  }

  // ---- partitions

  heal(): void {
    this.blocked.clear();
  }

  // Cuts `side` from the rest, both ways.
  isolate(side: readonly number[], everyone: readonly number[]): void {
    this.blocked.clear();
    for (const a of side) for (const b of everyone) if (!side.includes(b)) this.blocked.add(`${a}>${b}`).add(`${b}>${a}`);
  }

  // Cuts one direction of a link.
  cutOneWay(from: number, to: number): void {
    this.blocked.add(`${from}>${to}`);
  }

  describePartition(): string {
    return [...this.blocked].join(' ');
  }

  private isDue(flight: InFlight): boolean {
    return flight.deliverAt <= this.time && !this.held.has(flight.message.to);
  }

  private deliver(flight: InFlight): void {
    const { message } = flight;
    if (this.blocked.has(`${message.from}>${message.to}`) || this.random() < this.lossRate) {
      this.stats.dropped++;
      return;
    }
    if (this.random() < this.duplicateRate) {
      this.stats.duplicated++;
      this.inFlight.push({ message, deliverAt: this.time + Math.floor(this.random() * (this.delayTicksMax + 1)) });
    }
    const receive = this.receivers.get(message.to);
    if (receive === undefined) {
      this.stats.dropped++;
      return;
    }
    this.stats.delivered++;
    receive(message);
  }
}
