// What the Raft driver needs from the network: send a message to a peer and be handed the
// messages peers send. Raft tolerates loss, duplication and reordering, so a transport may
// drop a message (peer unreachable, queue full) rather than block or throw: the core resends
// on its own schedule. The TCP implementation and the simulation's network both implement it.
import type { RaftMessage } from '../core/types.js';

export interface RaftTransport {
  // Queues `message` for `message.to`; returns at once and never throws. Messages to a node
  // the transport does not know are dropped.
  send(message: RaftMessage): void;
  // Sets the one receiver of messages addressed to this node, in the order they arrive.
  onMessage(receive: (message: RaftMessage) => void): void;
  // Stops sending and receiving and releases sockets.
  close(): Promise<void>;
}
