// What the node's main process and its session processes say to each other over the IPC
// channel of child_process.fork. A MySQL connection travels as the socket handle sent beside
// its message.
import type { Principal } from '../users/privilege-check.js';
import type { RouteAnswer } from './main-requests.js';

// The protocols whose connections the main process deals to its session processes.
export type Protocol = 'mysql' | 'http';

// Main → session process.
export type ToSession =
  // The first message: what the process needs beyond the node's own flags, which it parses too.
  // caching_sha2_password's key pair is the node's: a client may pin its public key.
  | { readonly kind: 'init'; readonly index: number; readonly mainUrl: string; readonly secret: string; readonly rsaKeys: { readonly publicKeyPem: string; readonly privateKeyPem: string } }
  // A connection admitted and numbered (per protocol) by the main process; its socket comes
  // with it.
  | { readonly kind: 'connection'; readonly protocol: Protocol; readonly connectionId: number }
  | { readonly kind: 'lock-answer'; readonly id: number; readonly value: 0 | 1 | null | boolean }
  | MainAnswer
  // A login's outcome in another process of the node, for the failure bound (LoginMessage).
  | LoginMessage;

// Each process counts every login of the node against an address's failure bound: its own,
// and those the others report (through the main process, which passes them on).
export interface LoginMessage {
  readonly kind: 'login';
  readonly outcome: 'failed' | 'succeeded';
  readonly address: string;
}

// The named-lock operations the main process runs for a session process (named-locks.ts):
// `try` takes the lock if it is free, at once, and the session process polls until its
// timeout, as a local acquire does.
export type LockOp = 'try' | 'release' | 'is-free' | 'release-all';

// Session process → main.
export type FromSession =
  | { readonly kind: 'ready' }
  // The connection's socket arrived and is served here: the main process lets go of its copy.
  | { readonly kind: 'adopted'; readonly protocol: Protocol; readonly connectionId: number }
  | { readonly kind: 'connection-closed'; readonly protocol: Protocol; readonly connectionId: number }
  | { readonly kind: 'lock'; readonly id: number; readonly op: LockOp; readonly name: string; readonly owner: number }
  // A request for the main process to run (main-channel.ts): the body of the route `path` a
  // follower would send it to on its leader, as `principal` (null: the node itself).
  | { readonly kind: 'request'; readonly id: number; readonly path: string; readonly body: string; readonly principal: Principal | null }
  | LoginMessage
  | { readonly kind: 'log'; readonly level: 'warn' | 'error'; readonly fields: Record<string, unknown>; readonly message: string };

// The main process's answer to a `request`: its route's status and JSON body.
export interface MainAnswer extends RouteAnswer {
  readonly kind: 'answer';
  readonly id: number;
}
