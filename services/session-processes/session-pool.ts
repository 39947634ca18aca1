// The main process's side of its session processes: starts them, hands each a share of the
// MySQL connections it accepts (round robin over itself and the processes that are ready),
// answers their named-lock operations on the node's locks, counts their open connections
// against the node's bound, and starts a process again when one exits while the node runs.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import type { ConnectionHandOff } from '../mysql/server.js';
import type { UserLocks } from '../mysql/named-locks.js';
import type { FromSession, ToSession } from './messages.js';
import { answerLockOp } from './remote-named-locks.js';

export interface SessionPoolOptions {
  readonly count: number;
  // The node's own command line: each process parses the same flags.
  readonly args: readonly string[];
  // Where the processes send writes: the main process's HTTP server, and the secret that signs
  // what they forward (write/request-router.ts).
  readonly mainUrl: string;
  readonly secret: string;
  readonly locks: UserLocks;
  readonly log: { warn(fields: Record<string, unknown>, message: string): void; error(fields: Record<string, unknown>, message: string): void; info(fields: Record<string, unknown>, message: string): void };
}

// A process that exits sooner than this after it started is not started again at once.
const restartDelayMs = 1000;
const sessionScript = new URL('./session-process.js', import.meta.url);

interface Member {
  readonly index: number;
  child: ChildProcess;
  ready: boolean;
  open: number;
  startedAt: number;
}

export class SessionPool implements ConnectionHandOff {
  private readonly members: Member[] = [];
  // Position of the round robin: 0 is the main process itself.
  private turn = 0;
  private stopping = false;

  constructor(private readonly options: SessionPoolOptions) {
    for (let index = 1; index <= options.count; index++) this.members.push(this.start(index));
  }

  openCount(): number {
    return this.members.reduce((sum, member) => sum + member.open, 0);
  }

  take(socket: Socket, connectionId: number): boolean {
    this.turn = (this.turn + 1) % (this.members.length + 1);
    const member = this.members[this.turn - 1];
    if (member === undefined || !member.ready || !member.child.connected) return false;
    member.open++;
    const message: ToSession = { kind: 'connection', connectionId };
    // child_process would tie a socket of a listening server to the process it is sent to,
    // and the server's close() would then wait on that process's connections, for ever once it
    // is gone: the pool counts them itself (openCount). Once sent, the socket here is only a
    // shell, released by destroy(); if it could not be sent, destroy() closes the connection.
    (socket as unknown as { server: unknown }).server = null;
    member.child.send(message, socket, () => socket.destroy());
    return true;
  }

  // Ready processes: what GET /v1/status shows.
  status(): { readonly processes: number; readonly ready: number; readonly connections: number } {
    return { processes: this.members.length, ready: this.members.filter((member) => member.ready).length, connections: this.openCount() };
  }

  // Stops every process and waits for them to exit; their connections close with them.
  async close(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.members.map(
        (member) =>
          new Promise<void>((resolve) => {
            if (member.child.exitCode !== null || member.child.signalCode !== null) return resolve();
            member.child.once('exit', () => resolve());
            member.child.kill('SIGTERM');
          }),
      ),
    );
  }

  private start(index: number): Member {
    const child = fork(sessionScript, [...this.options.args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const member: Member = { index, child, ready: false, open: 0, startedAt: Date.now() };
    const init: ToSession = { kind: 'init', index, mainUrl: this.options.mainUrl, secret: this.options.secret };
    child.send(init);
    child.on('message', (message: FromSession) => this.heard(member, message));
    child.on('error', (error) => this.options.log.warn({ err: error, sessionProcess: index }, 'session process error'));
    child.on('exit', (code, signal) => {
      member.ready = false;
      member.open = 0;
      if (this.stopping) return;
      this.options.log.error({ sessionProcess: index, code, signal }, 'session process exited; its connections are closed, and it starts again');
      const wait = Math.max(0, restartDelayMs - (Date.now() - member.startedAt));
      setTimeout(() => {
        if (this.stopping) return;
        const next = this.start(index);
        this.members[this.members.indexOf(member)] = next;
      }, wait).unref();
    });
    return member;
  }

  private heard(member: Member, message: FromSession): void {
    switch (message.kind) {
      case 'ready':
        member.ready = true;
        this.options.log.info({ sessionProcess: member.index, pid: member.child.pid }, 'session process ready');
        return;
      case 'connection-closed':
        member.open = Math.max(0, member.open - 1);
        return;
      case 'lock':
        void answerLockOp(this.options.locks, message).then((value) => {
          if (message.op === 'release-all' || !member.child.connected) return;
          const answer: ToSession = { kind: 'lock-answer', id: message.id, value };
          member.child.send(answer);
        });
        return;
      case 'log':
        this.options.log[message.level]({ ...message.fields, sessionProcess: member.index }, message.message);
        return;
    }
  }
}
