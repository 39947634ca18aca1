// Everything a session process does not run itself — autocommit writes, DDL, anything but a
// single read, and a transaction's commit and id reservations — goes to its main process over
// the IPC channel of child_process.fork, where a follower sends it to its leader over HTTP
// (write/request-router.ts). The channel is the two processes' own: no identity to sign and
// check, no connection that the node's HTTP bound counts (a client that holds every HTTP
// connection cannot keep a session process's writes out), and the main process runs the
// request without HTTP's parsing, routing and socket writes, which cost it more than a
// one-row INSERT itself (docs/BENCHMARKS.md). Each request is the body of the route a follower
// would call, and its answer that route's status and JSON, so both are read back exactly as a
// forwarded one (main-requests.ts is the main process's side).
import { TideError } from '../base/errors.js';
import { lsnWaitMsMax } from '../base/limits.js';
import { indexOfLsn } from '../storage/lsn.js';
import type { Principal } from '../users/privilege-check.js';
import { appliedOrLate } from '../write/applied-or-late.js';
import { lastLsnOf } from '../write/request-router.js';
import type { ForwardTarget, Routed } from '../write/request-router.js';
import type { FromSession, MainAnswer } from './messages.js';

export class MainChannel {
  private nextId = 1;
  private readonly waiting = new Map<number, (answer: MainAnswer) => void>();

  constructor(
    // False when the channel is closed.
    private readonly send: (message: FromSession) => boolean,
    // Resolves once this process reads the main process's commit of `index`.
    private readonly waitApplied: (index: bigint) => Promise<void>,
  ) {}

  // A single read runs here, on the same LMDB files (DESIGN.md, *Reads stay linearizable*).
  servesReadsHere(): boolean {
    return true;
  }

  // RequestRouter.route's contract (`at`: POST /v1/sql unless given): the main process's
  // answer, as a forwarded one. Nothing is sent twice: if the main process goes, this process
  // goes with it (session-process.ts).
  async route(body: string, _forwardedBy: string | undefined, at?: ForwardTarget, principal?: Principal): Promise<Extract<Routed, { kind: 'forwarded' }>> {
    const answer = await new Promise<MainAnswer>((resolve, reject) => {
      const id = this.nextId++;
      this.waiting.set(id, resolve);
      if (this.send({ kind: 'request', id, path: at?.path ?? '/v1/sql', body, principal: principal ?? null })) return;
      this.waiting.delete(id);
      reject(new TideError('SHUTTING_DOWN', 'the node is stopping; nothing was sent'));
    });
    // Read your writes here: the client's next statement, in this process, finds what it wrote.
    const lsn = answer.status === 200 ? lastLsnOf(answer.body) : null;
    if (lsn !== null) await appliedOrLate(this.waitApplied(indexOfLsn(lsn)), lsnWaitMsMax);
    return { kind: 'forwarded', status: answer.status, body: answer.body };
  }

  answered(answer: MainAnswer): void {
    const resolve = this.waiting.get(answer.id);
    if (resolve === undefined) return;
    this.waiting.delete(answer.id);
    resolve(answer);
  }
}
