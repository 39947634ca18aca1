// One client connection: the handshake (greeting, optional SSLRequest upgrade to TLS,
// HandshakeResponse41, the authentication plugins' exchanges), then the command phase, one
// command at a time in arrival order. The socket is paused while a command runs, so a client
// that pipelines commands cannot make the node buffer more than one packet ahead.
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import type { SecureContext } from 'node:tls';
import { isTideError } from '../base/errors.js';
import type { StatementResult } from '../sql/executor.js';
import type { Row, Value } from '../storage/types.js';
import type { AccountSource } from './accounts.js';
import { authenticate } from './authentication.js';
import type { Sha2State } from './authentication.js';
import type { ParamType } from './execute-params.js';
import { readExecuteParams } from './execute-params.js';
import { OutgoingPackets, PacketReader } from './packet-stream.js';
import type { Framed } from './packet-stream.js';
import { Capability, columnCountPacket, columnDefinitionPacket, eofPacket, errorPacket, greetingPacket, okPacket, prepareOkPacket, serverStatusAutocommit, serverStatusInTransaction, writeBinaryRow, writeTextRow } from './packets.js';
import { resultColumns, resultSetColumns } from './result-columns.js';
import { conformRow } from './column-class.js';
import type { ResultColumn } from './result-columns.js';
import { Session } from './session.js';
import type { UserLocks } from './named-locks.js';
import { userLockStatement } from './named-locks.js';
import { localOutcome, SessionError, trimStatement } from './session-statements.js';
import { transactionStatementOf } from './session-transactions.js';
import type { TransactionEngine } from './session-transactions.js';
import { serverVersion } from './session-variables.js';
import { statementText } from './statement-text.js';
import type { StatementRunner } from './statement-runner.js';
import { MalformedPacket, PayloadReader } from './wire.js';
import type { PayloadWriter } from './wire.js';
import { isSslRequest, makeScramble, nativePlugin, readHandshakeResponse } from './handshake-response.js';
import type { HandshakeResponse } from './handshake-response.js';
import { mysqlErrorFor } from './mysql-error.js';
import { okCounts } from './ok-counts.js';
import { placeholderCount, placeholdersRefusal } from './placeholders.js';

// What every connection shares with its server.
export interface ConnectionContext {
  readonly runner: StatementRunner;
  // Interactive transactions (write/transactions.ts), which sessions run theirs in.
  readonly transactions: TransactionEngine;
  // The node's --database: where unqualified names resolve before USE.
  readonly defaultDatabase: string;
  readonly accounts: AccountSource;
  readonly tls: SecureContext | null;
  readonly sha2: Sha2State;
  readonly packetBytesMax: number;
  readonly handshakeTimeoutMs: number;
  readonly preparedStatementsMax: number;
  readonly namedLocks: UserLocks;
  readonly log: ConnectionLog;
}

export interface ConnectionLog {
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

const serverCapabilities = Capability.LONG_PASSWORD | Capability.FOUND_ROWS | Capability.LONG_FLAG | Capability.CONNECT_WITH_DB | Capability.PROTOCOL_41 | Capability.INTERACTIVE | Capability.TRANSACTIONS | Capability.SECURE_CONNECTION | Capability.MULTI_RESULTS | Capability.PLUGIN_AUTH | Capability.CONNECT_ATTRS | Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA | Capability.SESSION_TRACK;


// Command bytes (COM_*).
const Command = { QUIT: 0x01, INIT_DB: 0x02, QUERY: 0x03, FIELD_LIST: 0x04, PING: 0x0e, STMT_PREPARE: 0x16, STMT_EXECUTE: 0x17, STMT_SEND_LONG_DATA: 0x18, STMT_CLOSE: 0x19, STMT_RESET: 0x1a, RESET_CONNECTION: 0x1f } as const;

interface PreparedStatement {
  readonly sql: string;
  readonly paramCount: number;
  types: readonly ParamType[] | null;
  // Its first execution found it is the engine's (query): what decides that is its text alone,
  // so the next ones go to the engine without reading the text again.
  runsInEngine: boolean;
}

type Phase = 'greeting' | 'auth' | 'command' | 'closed';

export class MysqlConnection {
  private socket: Socket;
  // This turn's packets (send), written to the socket in one write on the next tick (flush).
  private readonly outgoing = new OutgoingPackets();
  private flushScheduled = false;
  private readonly reader: PacketReader;
  private phase: Phase = 'greeting';
  private sequenceId = 0;
  private secure = false;
  private readonly scramble = makeScramble();
  private session: Session | null = null;
  private readonly statements = new Map<number, PreparedStatement>();
  private nextStatementId = 1;
  private readonly queue: Framed[] = [];
  private busy = false;
  private handshakeTimer: NodeJS.Timeout | null;
  // The auth exchange in progress waits here for the client's next packet.
  private awaitingAuth: ((payload: Buffer) => void) | null = null;
  // The client's address, kept: a TLS socket over a stream does not know it.
  private readonly address: string;
  // The capabilities the client's HandshakeResponse asked for (FOUND_ROWS and SESSION_TRACK
  // change what its OK packets say).
  private clientCapabilities = 0;

  constructor(
    socket: Socket,
    private readonly connectionId: number,
    private readonly context: ConnectionContext,
    private readonly onClose: () => void,
  ) {
    this.socket = socket;
    this.address = socket.remoteAddress ?? 'unknown';
    this.reader = new PacketReader(context.packetBytesMax);
    socket.setNoDelay(true);
    this.listen(socket);
    socket.on('close', () => this.closed());
    socket.on('error', () => this.socket.destroy());
    this.handshakeTimer = setTimeout(() => this.fail(1043, '08S01', `Bad handshake: not finished within ${context.handshakeTimeoutMs} ms`), context.handshakeTimeoutMs);
    const capabilities = serverCapabilities | (context.tls !== null ? Capability.SSL : 0);
    this.send(greetingPacket({ serverVersion, connectionId, scramble: this.scramble, capabilities, statusFlags: serverStatusAutocommit, authPlugin: nativePlugin }));
  }

  // Ends the connection from the server's side (the node is stopping).
  end(): void {
    this.endSocket();
    this.socket.destroySoon();
  }

  private listen(socket: Socket): void {
    socket.on('data', (chunk: Buffer) => this.received(chunk));
  }

  private received(chunk: Buffer): void {
    // A client that asks for TLS starts its TLS handshake right after the SSLRequest, without
    // waiting: the bytes after that packet are TLS's, and the upgrade must happen before they
    // are read as packets.
    const sslPossible = this.phase === 'greeting' && !this.secure && this.context.tls !== null;
    for (const framed of this.reader.push(chunk, sslPossible ? 1 : Number.POSITIVE_INFINITY)) {
      if (sslPossible && framed.kind === 'payload' && isSslRequest(framed.payload)) {
        this.sequenceId = (framed.sequenceId + 1) & 0xff;
        this.upgradeToTls(this.context.tls!, this.reader.takeBuffered());
        return;
      }
      const resolve = this.awaitingAuth;
      if (resolve !== null && framed.kind === 'payload') {
        // The auth exchange in progress holds the command loop: its packet goes to it directly.
        this.awaitingAuth = null;
        this.sequenceId = (framed.sequenceId + 1) & 0xff;
        resolve(framed.payload);
      } else {
        this.queue.push(framed);
      }
    }
    this.drain();
  }

  private closed(): void {
    this.context.namedLocks.releaseAll(this.connectionId);
    // A client that disconnects rolls its transaction back.
    void this.session?.transactions.close();
    this.abandonAuth();
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    if (this.handshakeTimer !== null) clearTimeout(this.handshakeTimer);
    this.onClose();
  }

  private send(payload: Buffer): void {
    if (this.phase === 'closed') return;
    this.sequenceId = this.outgoing.append(payload, this.sequenceId);
    this.scheduleFlush();
  }

  // Sends the payload `write` writes straight into the outgoing packets (a result set's row).
  private sendWritten(write: (writer: PayloadWriter) => void): void {
    if (this.phase === 'closed') return;
    this.sequenceId = this.outgoing.appendWritten(this.sequenceId, write);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(() => this.flush());
    }
  }

  // Writes the packets sent so far; before the socket is ended or replaced, and at the end of
  // the turn that sent them.
  private flush(): void {
    this.flushScheduled = false;
    const bytes = this.outgoing.take();
    if (bytes !== null && !this.socket.destroyed) this.socket.write(bytes);
  }

  // Ends our side once the packets sent so far are written (an error answered before closing).
  private endSocket(): void {
    this.flush();
    this.socket.end();
  }

  // An auth exchange waiting for a packet that will never come (the connection ended, or its
  // handshake time ran out) gets an empty one, fails, and lets its closure go.
  private abandonAuth(): void {
    const pending = this.awaitingAuth;
    this.awaitingAuth = null;
    pending?.(Buffer.alloc(0));
  }

  // Answers an error and closes: for failures that leave nothing to continue with.
  private fail(errno: number, sqlstate: string, message: string): void {
    this.send(errorPacket(errno, sqlstate, message));
    this.abandonAuth();
    this.phase = 'closed';
    this.endSocket();
    this.socket.destroySoon();
    if (this.handshakeTimer !== null) clearTimeout(this.handshakeTimer);
    this.onClose();
  }

  private drain(): void {
    if (this.busy) return;
    const next = this.queue.shift();
    if (next === undefined) {
      this.socket.resume();
      return;
    }
    this.busy = true;
    this.socket.pause();
    this.handle(next)
      .catch((error: unknown) => {
        this.context.log.error({ err: error, connectionId: this.connectionId }, 'MySQL connection failed');
        this.fail(1105, 'HY000', 'internal error');
      })
      .finally(() => {
        this.busy = false;
        if (this.phase !== 'closed') this.drain();
      });
  }

  private async handle(framed: Framed): Promise<void> {
    if (this.phase === 'closed') return;
    this.sequenceId = (framed.sequenceId + 1) & 0xff;
    if (framed.kind === 'too_large') return this.fail(1153, '08S01', `Got a packet bigger than 'max_allowed_packet' bytes (${this.context.packetBytesMax})`);
    const payload = framed.payload;
    switch (this.phase) {
      case 'greeting':
        return this.handshake(payload);
      case 'command':
        return this.command(payload);
      default:
        return this.fail(1043, '08S01', 'Bad handshake: unexpected packet');
    }
  }

  // --- handshake and authentication ----------------------------------------------------------

  private async handshake(payload: Buffer): Promise<void> {
    let response: HandshakeResponse | 'ssl';
    try {
      response = readHandshakeResponse(payload);
    } catch (error) {
      if (error instanceof MalformedPacket) return this.fail(1043, '08S01', `Bad handshake: ${error.message}`);
      throw error;
    }
    // An SSLRequest that reaches here came when no upgrade is possible (received() upgrades).
    if (response === 'ssl') return this.fail(1043, '08S01', this.secure ? 'Bad handshake: a second SSLRequest' : 'Bad handshake: TLS is not configured on this node (--tls-cert, --tls-key)');
    if ((response.capabilities & Capability.PROTOCOL_41) === 0) return this.fail(1251, '08004', 'Client does not support authentication protocol requested by server; consider upgrading MySQL client');
    this.clientCapabilities = response.capabilities;
    this.phase = 'auth';
    const address = this.remoteAddress();
    const accounts = this.context.accounts;
    if (!accounts.admitLogin(address)) return this.fail(1129, 'HY000', `Host '${address}' is blocked because of many failed logins; try again later`);
    const account = accounts.credentialsFor(response.user, address);
    const exchange = { scramble: this.scramble, secure: this.secure, send: (payload: Buffer) => this.send(payload), next: () => this.nextAuthPacket() };
    const proved = account === undefined ? false : await authenticate(account, response, exchange, this.context.sha2);
    if ((this.phase as Phase) === 'closed') return; // timed out meanwhile
    if (account === undefined || !proved) {
      accounts.loginFailed(response.user, address);
      return this.fail(1045, '28000', `Access denied for user '${cut(response.user)}'@'${address}' (using password: ${response.authToken.length > 0 ? 'YES' : 'NO'})`);
    }
    accounts.loginSucceeded(response.user, address);
    if (this.handshakeTimer !== null) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
    this.session = new Session(this.connectionId, account, address, null, this.context.defaultDatabase, this.context.transactions);
    if (response.database !== null && response.database !== '') {
      try {
        await this.useDatabase(response.database);
      } catch (error) {
        const { errno, sqlstate, message } = mysqlErrorFor(error, this.context.log);
        return this.fail(errno, sqlstate, message);
      }
    }
    this.phase = 'command';
    this.send(okPacket({ affectedRows: 0, lastInsertId: 0n, statusFlags: this.statusFlags(), warnings: 0, sessionTrack: this.sessionTrack() }));
  }

  // TLS over the connection's socket, through a stream this connection feeds, so that the TLS
  // bytes already received (`early`) reach the TLS socket before the rest.
  private upgradeToTls(secureContext: SecureContext, early: Buffer): void {
    this.flush();
    const raw = this.socket;
    raw.removeAllListeners('data');
    const transport = new Duplex({
      read: () => {},
      write: (data: Buffer, _encoding, callback) => void raw.write(data, callback),
      final: (callback) => void raw.end(callback),
      destroy: (error, callback) => {
        raw.destroy();
        callback(error);
      },
    });
    if (early.length > 0) transport.push(early);
    raw.on('data', (data: Buffer) => transport.push(data));
    raw.on('end', () => transport.push(null));
    const secured = new TLSSocket(transport as unknown as Socket, { isServer: true, secureContext });
    this.socket = secured;
    this.secure = true;
    this.listen(secured);
    secured.on('error', () => secured.destroy());
    secured.on('close', () => this.closed());
    raw.resume();
  }

  // The next packet of the auth exchange.
  private nextAuthPacket(): Promise<Buffer> {
    return new Promise((resolve) => {
      this.awaitingAuth = resolve;
      this.socket.resume();
    });
  }

  private remoteAddress(): string {
    return this.address;
  }

  private statusFlags(): number {
    const transactions = this.session?.transactions;
    return (transactions?.autocommit !== false ? serverStatusAutocommit : 0) | (transactions?.inTransaction === true ? serverStatusInTransaction : 0);
  }

  // --- commands ---------------------------------------------------------------------------------

  private async command(payload: Buffer): Promise<void> {
    const reader = new PayloadReader(payload);
    const command = payload.length === 0 ? -1 : reader.int1();
    switch (command) {
      case Command.QUIT:
        this.phase = 'closed';
        this.endSocket();
        this.onClose();
        return;
      case Command.PING:
      case Command.STMT_RESET:
        return this.sendOk(0, 0n);
      case Command.INIT_DB:
        return this.answer(async () => {
          await this.useDatabase(reader.rest().toString('utf8'));
          return null;
        }, false);
      case Command.QUERY:
        return this.answer(() => this.query(statementText(reader.rest()), []), false);
      case Command.FIELD_LIST:
        return this.fieldList(reader);
      case Command.STMT_PREPARE:
        return this.prepare(statementText(reader.rest()));
      case Command.STMT_EXECUTE:
        return this.execute(reader);
      case Command.STMT_CLOSE:
        if (reader.remaining >= 4) this.statements.delete(reader.int4());
        return; // COM_STMT_CLOSE has no answer
      case Command.STMT_SEND_LONG_DATA:
        return; // no answer either; TideDB takes parameters only in COM_STMT_EXECUTE
      case Command.RESET_CONNECTION: {
        const session = this.session!;
        // As MySQL: a reset rolls back the open transaction.
        void session.transactions.close();
        this.session = new Session(session.connectionId, session.account, session.remoteAddress, session.database, session.defaultDatabase, this.context.transactions);
        this.statements.clear();
        return this.sendOk(0, 0n);
      }
      default:
        return this.sendError(1047, '08S01', `Unknown command ${command}`);
    }
  }

  private sendOk(affectedRows: number, lastInsertId: bigint, info?: string): void {
    this.send(okPacket({ affectedRows, lastInsertId, statusFlags: this.statusFlags(), warnings: this.session?.warnings.length ?? 0, sessionTrack: this.sessionTrack(), ...(info === undefined ? {} : { info }) }));
  }

  private sessionTrack(): boolean {
    return (this.clientCapabilities & Capability.SESSION_TRACK) !== 0;
  }

  // A write's OK packet, counted as MySQL counts it for this client (okCounts in ok-counts.ts).
  private sendWriteOk(result: StatementResult | null): void {
    const counts = okCounts(result, (this.clientCapabilities & Capability.FOUND_ROWS) !== 0, this.session?.warnings.length ?? 0);
    this.sendOk(counts.affectedRows, counts.insertId, counts.info);
  }

  private sendError(errno: number, sqlstate: string, message: string): void {
    if (this.session !== null) this.session.warnings = [{ level: 'Error', code: errno, message }];
    this.send(errorPacket(errno, sqlstate, message));
  }

  // Runs `work` and answers its result (rows in the text or binary protocol, or OK), or its error.
  private async answer(work: () => Promise<StatementResult | null>, binary: boolean): Promise<void> {
    let result: StatementResult | null;
    try {
      result = await work();
    } catch (error) {
      // The session's transaction is gone (rolled back idle): the connection closes, as MySQL
      // closes an idle one, so that a client cannot go on as if its earlier statements stood (a
      // retried statement would commit on its own, the rest of the transaction lost).
      if (isTideError(error) && error.code === 'TX_NOT_FOUND') return this.fail(4031, 'HY000', `The client was disconnected by the server: ${error.message}`);
      const { errno, sqlstate, message } = mysqlErrorFor(error, this.context.log);
      return this.sendError(errno, sqlstate, message);
    }
    if (result === null || result.columns.length === 0) {
      const lastInsertId = result?.lastInsertId ?? null;
      if (lastInsertId !== null && lastInsertId !== 0n) this.session!.lastInsertId = lastInsertId;
      return this.sendWriteOk(result);
    }
    this.sendRows(result, binary);
  }

  private sendRows(result: StatementResult, binary: boolean): void {
    const rows = result.rows;
    const { columns, classes, declared } = resultSetColumns(result.columns, rows, result.columnOrigins);
    this.send(columnCountPacket(columns.length));
    for (const definition of declared ? keptDefinitionsOf(columns) : columns.map((column) => columnDefinitionPacket(column))) this.send(definition);
    this.send(eofPacket(0, this.statusFlags()));
    // Columns announced as declared (no class) need no conforming: most results have only those.
    const conforming = classes.some((columnClass) => columnClass !== null);
    let values: Row = [];
    const writeRow = binary ? (writer: PayloadWriter): void => writeBinaryRow(writer, values, columns) : (writer: PayloadWriter): void => writeTextRow(writer, values);
    for (const row of rows) {
      values = conforming ? conformRow(row, classes) : row;
      this.sendWritten(writeRow);
    }
    this.send(eofPacket(this.session?.warnings.length ?? 0, this.statusFlags()));
  }

  // One statement: answered by the session when it is about the session, else run by the engine.
  private async query(sql: string, params: readonly Value[], prepared?: PreparedStatement): Promise<StatementResult | null> {
    const session = this.session!;
    if (prepared?.runsInEngine === true) {
      session.warnings = [];
      return this.runInEngine(sql, params);
    }
    const trimmed = trimStatement(sql);
    if (trimmed === '') throw new SessionError(1065, '42000', 'Query was empty');
    // SHOW WARNINGS reads the previous statement's; every other statement starts its own.
    if (!/^show\s+(count\(\*\)\s+)?(warnings|errors)\b/i.test(trimmed)) session.warnings = [];
    const control = transactionStatementOf(trimmed);
    if (control !== null) {
      await session.transactions.control(control, trimmed);
      return null;
    }
    const local = localOutcome(trimmed, session);
    if (session.autocommitChange !== null) {
      const on = session.autocommitChange;
      session.autocommitChange = null;
      try {
        await session.transactions.setAutocommit(on);
      } finally {
        // @@autocommit says what the session does, even when the commit it took failed.
        session.variables.set('autocommit', session.transactions.autocommit ? 1n : 0n);
      }
    }
    if (local !== null) return local.kind === 'ok' ? null : { columns: local.columns, rows: local.rows, rowsAffected: 0, lastInsertId: null };
    const lock = await userLockStatement(trimmed, this.context.namedLocks, this.connectionId, () => this.phase === 'closed');
    if (lock !== null) return lock;
    const use = /^use\s+(?:`((?:[^`]|``)+)`|([^\s`;]+))$/i.exec(trimmed);
    if (use !== null) {
      await this.useDatabase((use[1] ?? use[2]!).replace(/``/g, '`'));
      return null;
    }
    if (prepared !== undefined) prepared.runsInEngine = true;
    return this.runInEngine(sql, params);
  }

  private runInEngine(sql: string, params: readonly Value[]): Promise<StatementResult> {
    const session = this.session!;
    // In a transaction (or with autocommit off) the statement is the transaction's; else its own.
    if (session.transactions.runsStatements) return session.transactions.run({ sql, params });
    return this.context.runner.run(sql, params, session.database, session.principal, session.lastInsertId);
  }

  // USE: the engine checks that the database exists (1049 if not); the session then keeps it.
  private async useDatabase(database: string): Promise<void> {
    const session = this.session!;
    const use = `USE ${quoteIdentifier(database)}`;
    // A transaction keeps its own current database: it moves there too.
    if (session.transactions.runsStatements) await session.transactions.run({ sql: use, params: [] });
    else await this.context.runner.run(use, [], null, session.principal);
    session.database = database;
  }

  private async fieldList(reader: PayloadReader): Promise<void> {
    let table: string;
    try {
      table = reader.nulTerminated().toString('utf8');
    } catch {
      return this.sendError(1064, '42000', 'COM_FIELD_LIST without a table name');
    }
    let result: StatementResult;
    try {
      result = await this.context.runner.run(`SELECT * FROM ${quoteIdentifier(table)} LIMIT 0`, [], this.session!.database, this.session!.principal);
    } catch (error) {
      const { errno, sqlstate, message } = mysqlErrorFor(error, this.context.log);
      return this.sendError(errno, sqlstate, message);
    }
    for (const column of resultColumns(result.columns, result.columnOrigins)) this.send(columnDefinitionPacket(column, this.session!.database ?? '', table));
    this.send(eofPacket(0, this.statusFlags()));
  }

  // The prepare-OK names the statement's parameters and, for a query, its result columns:
  // clients such as libmysqlclient read an executed statement's rows only when its prepare said
  // it has some.
  private async prepare(sql: string): Promise<void> {
    if (this.statements.size >= this.context.preparedStatementsMax) {
      return this.sendError(1461, '42000', `Can't create more than max_prepared_stmt_count statements (${this.context.preparedStatementsMax} per connection); close some`);
    }
    const paramCount = placeholderCount(sql);
    const refusal = placeholdersRefusal(paramCount);
    if (refusal !== null) return this.sendError(refusal.errno, refusal.sqlstate, refusal.message);
    const session = this.session!;
    const shape = await this.context.runner.describe(trimStatement(sql), session.database, session.principal);
    const statementId = this.nextStatementId++;
    this.statements.set(statementId, { sql, paramCount, types: null, runsInEngine: false });
    const columns = shape === null ? [] : resultColumns(shape.columns, shape.columnOrigins);
    this.send(prepareOkPacket(statementId, paramCount, columns.length));
    if (paramCount > 0) {
      const param: ResultColumn = { name: '?', type: 253, charset: 63, length: 0, flags: 128, decimals: 0 };
      for (let index = 0; index < paramCount; index++) this.send(columnDefinitionPacket(param, '', ''));
      this.send(eofPacket(0, this.statusFlags()));
    }
    if (columns.length > 0) {
      for (const column of columns) this.send(columnDefinitionPacket(column));
      this.send(eofPacket(0, this.statusFlags()));
    }
  }

  private async execute(reader: PayloadReader): Promise<void> {
    let statement: PreparedStatement | undefined;
    let params: Value[];
    try {
      const statementId = reader.int4();
      statement = this.statements.get(statementId);
      if (statement === undefined) return this.sendError(1243, 'HY000', `Unknown prepared statement handler (${statementId}) given to mysqld_stmt_execute`);
      reader.skip(5); // flags (no cursors) and iteration count (always 1)
      const read = readExecuteParams(reader, statement.paramCount, statement.types);
      statement.types = read.types;
      params = read.values;
    } catch (error) {
      if (error instanceof MalformedPacket) return this.sendError(1835, 'HY000', `Malformed communication packet: ${error.message}`);
      throw error;
    }
    const prepared = statement;
    return this.answer(() => this.query(prepared.sql, params, prepared), true);
  }
}

// The encoded definitions of a declared set of columns, kept with the set (result-columns.ts):
// a kept plan's result is described in the same bytes every time.
const keptDefinitions = new WeakMap<readonly ResultColumn[], readonly Buffer[]>();

function keptDefinitionsOf(columns: readonly ResultColumn[]): readonly Buffer[] {
  let definitions = keptDefinitions.get(columns);
  if (definitions === undefined) {
    definitions = columns.map((column) => columnDefinitionPacket(column));
    keptDefinitions.set(columns, definitions);
  }
  return definitions;
}

function quoteIdentifier(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

function cut(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}
