// A session process: serves the MySQL connections its node's main process hands it, reading
// through the same LMDB files (a reader store, storage/store.ts openReader) and sending every
// write, commit and id reservation to the main process as a follower sends them to its leader,
// but over their IPC channel (main-channel.ts). Reads are linearizable: the main process
// answers a write only once it has committed to LMDB, and a read here begins with a refresh to
// LMDB's newest commit, so it sees every write answered before it arrived. See DESIGN.md.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Socket } from 'node:net';
import { TideError } from '../base/errors.js';
import { ConfigError, parseConfig } from '../config.js';
import { buildHttpServer } from '../http/server.js';
import type { NodeConfig } from '../config.js';
import { MysqlServer } from '../mysql/server.js';
import { StatementRunner } from '../mysql/statement-runner.js';
import type { SqlRunner } from '../mysql/statement-runner.js';
import { Store } from '../storage/store.js';
import { AccountDirectory } from '../users/account-directory.js';
import { forwardedAnswer, forwardedBody } from '../write/forwarded-sql.js';
import { Sequencer } from '../write/sequencer.js';
import type { Proposer } from '../write/sequencer.js';
import { Transactions } from '../write/transactions.js';
import type { TxNode } from '../write/transactions.js';
import { TxLeaderLink } from '../write/tx-leader-link.js';
import type { FromSession, ToSession } from './messages.js';
import { HandedConnections } from './handed-connections.js';
import { MainChannel } from './main-channel.js';
import { RemoteNamedLocks } from './remote-named-locks.js';
import { transactionsOpenMaxPerProcess } from './shares.js';

// How often a wait for the main process's commits looks at LMDB again.
const appliedPollMs = 1;
// How long a stopping process gives the requests in flight on its HTTP connections (the main
// process kills one that takes 5 s to stop).
const httpDrainMs = 3000;

// False when the main process is gone (and this process is on its way out).
function send(message: FromSession): boolean {
  if (!process.connected) return false;
  process.send!(message);
  return true;
}

const log = {
  warn: (fields: Record<string, unknown>, message: string): void => void send({ kind: 'log', level: 'warn', fields: plain(fields), message }),
  error: (fields: Record<string, unknown>, message: string): void => void send({ kind: 'log', level: 'error', fields: plain(fields), message }),
};

// Errors lose their message and stack in the channel's JSON: sent as text.
function plain(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, value instanceof Error ? { message: value.message, stack: value.stack } : value]));
}

function firstMessage(): Promise<Extract<ToSession, { kind: 'init' }>> {
  return new Promise((resolvePromise) => {
    const heard = (message: ToSession): void => {
      if (message.kind !== 'init') return;
      process.off('message', heard);
      resolvePromise(message);
    };
    process.on('message', heard);
  });
}

async function main(): Promise<void> {
  let config: NodeConfig | null;
  try {
    config = parseConfig(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`tidedb session process: ${error.message}\n`);
    process.exit(2);
  }
  if (config === null) process.exit(2);
  const init = await firstMessage();
  const store = Store.openReader(join(resolve(config.dataDir), 'lmdb'));

  // Resolves once LMDB holds the main process's commit of `index`.
  const waitApplied = async (index: bigint): Promise<void> => {
    for (store.refresh(); store.appliedIndex() < index; store.refresh()) await new Promise((next) => setTimeout(next, appliedPollMs));
  };
  const proposer: Proposer = {
    propose: () => {
      throw new TideError('NOT_LEADER', 'a session process proposes nothing: its writes go to the main process');
    },
    waitApplied,
    readIndex: () => {
      store.refresh();
      return Promise.resolve(store.appliedIndex());
    },
  };
  // Linearizable: the sequencer asks readIndex (a refresh) just before a read executes, so the
  // catalog it plans with and the rows it reads are of one commit, however long parsing took.
  const sequencer = new Sequencer(store, proposer, { defaultDatabase: config.database, linearizableReads: true });
  // Every statement begins at LMDB's newest commit (see the top of this file): a read through
  // the sequencer's read index, a prepared statement's description here.
  const runner: SqlRunner = {
    run: (statements, options) => sequencer.run(statements, options),
    describe: (sql, options) => {
      store.refresh();
      return sequencer.describe(sql, options);
    },
  };
  const mainProcess = new MainChannel(send, waitApplied);
  // The main process keeps the row locks of this process's transactions.
  const link = new TxLeaderLink(sequencer, (id, version) => store.tableVersion(id, version), mainProcess, true);
  const txNode: TxNode = {
    freshen: () => {
      store.refresh();
      return Promise.resolve();
    },
    applying: () => null,
    appliedIndex: () => store.appliedIndex(),
    openReadView: () => store.openReadView(),
    waitApplied,
    runAutocommit: async (statements, database, principal) => {
      const routed = await mainProcess.route(forwardedBody(statements, database), undefined, undefined, principal);
      return forwardedAnswer(routed.status, routed.body);
    },
  };
  const transactions = new Transactions(txNode, link, { defaultDatabase: config.database, openMax: transactionsOpenMaxPerProcess(config, 'session'), changesMax: config.transactions.changesMax, idleMs: config.transactions.idleMs, isolation: config.transactions.isolation });
  const accounts = new AccountDirectory(
    {
      allAccounts: () => {
        store.refresh();
        return store.allAccounts();
      },
    },
    { rootPasswordGiven: config.rootPassword !== null, log, onOutcome: (outcome, address) => send({ kind: 'login', outcome, address }) },
  );
  const locks = new RemoteNamedLocks(send);
  const server = new MysqlServer({
    runner: new StatementRunner(runner, mainProcess),
    transactions,
    defaultDatabase: config.database,
    accounts,
    // The main process admitted the host and counted the connection before handing it here.
    admitsHost: () => true,
    tls: config.tls === null ? null : { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) },
    connectionsMax: Number.MAX_SAFE_INTEGER,
    namedLocks: locks,
    rsaKeys: Promise.resolve(init.rsaKeys),
    log,
  });

  // HTTP (--session-http): SQL outside interactive transactions is served here, the rest in the
  // main process.
  const http = !config.sessionHttp ? null : await buildHttpServer({
    sql: {
      // `stale` reads this process's newest view of LMDB, which a refresh brings up to date.
      run: (statements, options) => {
        if (options?.stale === true) store.refresh();
        return sequencer.run(statements, options);
      },
    },
    sqlRouter: mainProcess,
    authentication: { directory: accounts, accounts: store },
    logLevel: config.logLevel,
    bounds: config.http,
    elsewhere: { url: init.mainUrl, secret: init.secret },
  });
  // It serves connections dealt to it, never ones it accepts; it listens (on a loopback port no
  // one is told of) because Node bounds request and header times, and closes idle
  // connections, only on a server that listens.
  await http?.listen({ host: '127.0.0.1', port: 0, listenTextResolver: (address) => `session process ${init.index}: HTTP serving its dealt connections (${address} is not for clients)` });
  const handed = new HandedConnections();

  process.on('message', (message: ToSession, handle: unknown) => {
    if (message.kind === 'answer') return mainProcess.answered(message);
    if (message.kind === 'lock-answer') return locks.answered(message);
    if (message.kind === 'login') return accounts.mirror(message.outcome, message.address);
    if (message.kind !== 'connection') return;
    const socket = handle as Socket | undefined;
    const { protocol, connectionId } = message;
    if (socket === undefined) return send({ kind: 'connection-closed', protocol, connectionId });
    socket.once('close', () => send({ kind: 'connection-closed', protocol, connectionId }));
    if (protocol === 'mysql') server.adopt(socket, connectionId);
    else if (http === null) socket.destroy();
    else {
      // Served as a connection the HTTP server accepted itself.
      handed.add(socket);
      http.server.emit('connection', socket);
      socket.resume();
    }
    send({ kind: 'adopted', protocol, connectionId });
  });
  const stop = async (): Promise<void> => {
    locks.failAll();
    transactions.closeAll();
    // Requests in flight are answered first, within the main process's wait for this one.
    if (http !== null) {
      await http.close().catch(() => undefined);
      await handed.drain(http.server, httpDrainMs);
    }
    await server.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    process.exit(0);
  };
  // The main process is gone: so is this one, at once. A main process started again may take
  // LMDB back to its last checkpoint before replaying its log, and nothing here may read that.
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => undefined);
  send({ kind: 'ready' });
}

await main();
