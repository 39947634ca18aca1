// The main process's side of its session processes: starts them, hands each a share of the
// MySQL and HTTP connections it accepts (round robin over itself and the processes that are
// ready, for each protocol), runs the requests they send (their writes, commits and named-lock
// operations on the node's locks), counts their open connections
// against the node's bound, and starts a process again when one exits while the node runs.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import type { ConnectionHandOff } from '../mysql/server.js';
import type { UserLocks } from '../mysql/named-locks.js';
import type { Sha2State } from '../mysql/authentication.js';
import type { Principal } from '../users/privilege-check.js';
import type { RouteAnswer } from './main-requests.js';
import type { FromSession, LoginMessage, Protocol, ToSession } from './messages.js';
import { answerLockOp } from './remote-named-locks.js';

export interface SessionPoolOptions {
  readonly count: number;
  // The node's own command line: each process parses the same flags.
  readonly args: readonly string[];
  // Where the processes pass the HTTP requests they do not serve (http/elsewhere-routes.ts): the
  // main process's HTTP server, and the secret that signs the client address they name.
  readonly mainUrl: string;
  readonly secret: string;
  readonly locks: UserLocks;
  readonly rsaKeys: Sha2State['keys'];
  // Counts a login of a session process in the main process's own bound.
  readonly mirrorLogin: (outcome: LoginMessage['outcome'], address: string) => void;
  // Runs a request a process sent (main-channel.ts) and gives its route's answer, errors
  // included; never rejects.
  readonly serve: (path: string, body: string, principal: Principal | undefined) => Promise<RouteAnswer>;
  // Hears that a process exited, by its pid: what it held in the main process (its
  // transactions' row locks) is released.
  readonly exited?: (pid: number) => void;
  readonly log: { warn(fields: Record<string, unknown>, message: string): void; error(fields: Record<string, unknown>, message: string): void; info(fields: Record<string, unknown>, message: string): void };
}

// A process that exits is started again after this, doubled (up to restartDelayMsMax) while
// each start fails sooner than restartDelayMsMax after it began.
const restartDelayMs = 1000;
const restartDelayMsMax = 30_000;
// How long a stopping process has to exit before it is killed.
const stopWaitMs = 5000;
const sessionScript = new URL('./session-process.js', import.meta.url);

interface Member {
  readonly index: number;
  readonly child: ChildProcess;
  ready: boolean;
  readonly startedAt: number;
  readonly restartDelayMs: number;
  // Its open connections of each protocol, by id; a socket until the process says it adopted
  // it (the main process's copy of a connection on its way, closed if the process dies
  // first), then null.
  readonly connections: Record<Protocol, Map<number, Socket | null>>;
}

export class SessionPool {
  private readonly members: Member[] = [];
  // Position of each protocol's round robin: 0 is the main process itself.
  private readonly turns: Record<Protocol, number> = { mysql: 0, http: 0 };
  private stopping = false;
  // What the MySQL server and the HTTP port's dealer hand their connections to.
  readonly mysql: ConnectionHandOff = this.handOff('mysql');
  readonly http: ConnectionHandOff = this.handOff('http');

  constructor(private readonly options: SessionPoolOptions) {
    for (let index = 1; index <= options.count; index++) this.members.push(this.start(index, restartDelayMs));
  }

  private handOff(protocol: Protocol): ConnectionHandOff {
    return {
      openCount: () => this.members.reduce((sum, member) => sum + member.connections[protocol].size, 0),
      take: (socket, connectionId) => this.take(protocol, socket, connectionId),
    };
  }

  private take(protocol: Protocol, socket: Socket, connectionId: number): boolean {
    if (this.stopping) return false;
    const turn = (this.turns[protocol] + 1) % (this.members.length + 1);
    this.turns[protocol] = turn;
    const member = this.members[turn - 1];
    if (member === undefined || !member.ready || !member.child.connected) return false;
    // child_process would tie a socket of a listening server to the process it is sent to,
    // and the server's close() would then wait on that process's connections, for ever once it
    // is gone: the pool counts them itself (openCount). The socket is kept open here until the
    // process has it (a send queued behind one the process never acknowledged would otherwise
    // leave the client waiting for ever).
    (socket as unknown as { server: unknown }).server = null;
    member.connections[protocol].set(connectionId, socket);
    const message: ToSession = { kind: 'connection', protocol, connectionId };
    member.child.send(message, socket, { keepOpen: true }, (error) => {
      if (error !== null) this.closed(member, protocol, connectionId);
    });
    return true;
  }

  // A login's outcome in the main process or in `from` (a session process): every other
  // process counts it too.
  loginOutcome(outcome: LoginMessage['outcome'], address: string, from?: Member): void {
    const message: ToSession = { kind: 'login', outcome, address };
    for (const member of this.members) if (member !== from && member.child.connected) member.child.send(message);
  }

  // What GET /v1/status shows.
  status(): { readonly processes: number; readonly ready: number; readonly connections: number; readonly http_connections: number } {
    return { processes: this.members.length, ready: this.members.filter((member) => member.ready).length, connections: this.mysql.openCount(), http_connections: this.http.openCount() };
  }

  // Stops every process and waits for them to exit (killing one that takes longer than
  // stopWaitMs); their connections close with them. No connection is handed out meanwhile.
  async close(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.members.map((member) => stopProcess(member.child)));
  }

  private start(index: number, delayMs: number): Member {
    const child = fork(sessionScript, [...this.options.args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const member: Member = { index, child, ready: false, startedAt: Date.now(), restartDelayMs: delayMs, connections: { mysql: new Map(), http: new Map() } };
    void this.options.rsaKeys.then(
      (rsaKeys) => {
        const init: ToSession = { kind: 'init', index, mainUrl: this.options.mainUrl, secret: this.options.secret, rsaKeys };
        if (child.connected) child.send(init);
      },
      (error: unknown) => this.options.log.error({ err: error, sessionProcess: index }, 'no RSA key pair for session processes'),
    );
    child.on('message', (message: FromSession) => this.heard(member, message));
    child.on('error', (error) => this.options.log.warn({ err: error, sessionProcess: index }, 'session process error'));
    child.on('exit', (code, signal) => {
      member.ready = false;
      if (child.pid !== undefined) this.options.exited?.(child.pid);
      for (const protocol of ['mysql', 'http'] as const) {
        for (const connectionId of [...member.connections[protocol].keys()]) this.closed(member, protocol, connectionId);
      }
      if (this.stopping) return;
      // A process that lived long enough starts again soon; one that keeps failing, less often.
      const lived = Date.now() - member.startedAt;
      const nextDelayMs = lived >= restartDelayMsMax ? restartDelayMs : Math.min(restartDelayMsMax, member.restartDelayMs * 2);
      this.options.log.error({ sessionProcess: index, code, signal, restartInMs: member.restartDelayMs }, 'session process exited; its connections are closed, and it starts again');
      setTimeout(() => {
        if (this.stopping) return;
        const next = this.start(index, nextDelayMs);
        this.members[this.members.indexOf(member)] = next;
      }, member.restartDelayMs).unref();
    });
    return member;
  }

  // A connection of `member` is gone (closed there, never delivered, or its process exited):
  // the main process's copy of its socket closes, and the named locks a MySQL session held are
  // released.
  private closed(member: Member, protocol: Protocol, connectionId: number): void {
    const connections = member.connections[protocol];
    connections.get(connectionId)?.destroy();
    connections.delete(connectionId);
    if (protocol === 'mysql') this.options.locks.releaseAll(connectionId);
  }

  private heard(member: Member, message: FromSession): void {
    switch (message.kind) {
      case 'ready':
        member.ready = true;
        this.options.log.info({ sessionProcess: member.index, pid: member.child.pid }, 'session process ready');
        return;
      case 'adopted': {
        const connections = member.connections[message.protocol];
        if (!connections.has(message.connectionId)) return;
        connections.get(message.connectionId)?.destroy();
        connections.set(message.connectionId, null);
        return;
      }
      case 'connection-closed':
        this.closed(member, message.protocol, message.connectionId);
        return;
      case 'lock':
        answerLockOp(this.options.locks, message).then(
          (value) => {
            if (message.op === 'release-all' || !member.child.connected) return;
            const answer: ToSession = { kind: 'lock-answer', id: message.id, value };
            member.child.send(answer);
          },
          (error: unknown) => this.options.log.error({ err: error, sessionProcess: member.index }, 'named lock operation failed'),
        );
        return;
      case 'request':
        this.options.serve(message.path, message.body, message.principal ?? undefined).then(
          (answer) => {
            const reply: ToSession = { kind: 'answer', id: message.id, ...answer };
            if (member.child.connected) member.child.send(reply);
          },
          (error: unknown) => this.options.log.error({ err: error, sessionProcess: member.index }, 'a session process request failed unanswered'),
        );
        return;
      case 'login':
        this.options.mirrorLogin(message.outcome, message.address);
        this.loginOutcome(message.outcome, message.address, member);
        return;
      case 'log':
        this.options.log[message.level]({ ...message.fields, sessionProcess: member.index }, message.message);
        return;
    }
  }
}

function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), stopWaitMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
