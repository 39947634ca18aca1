// One MySQL connection's session: the account it logged in as, its current database (the
// handshake's, then USE and COM_INIT_DB), its variables, the warnings of its last statement
// (SHOW WARNINGS) and its transaction state. A session lives exactly as long as its
// connection, on the node the client connected to.
import type { Principal } from '../users/privilege-check.js';
import { isolationOfMysqlName, mysqlIsolationName, mysqlNameOfIsolation } from '../write/isolation.js';
import type { Isolation, MysqlIsolationName } from '../write/isolation.js';
import type { AccountCredentials } from './accounts.js';
import { SessionTransactions } from './session-transactions.js';
import type { TransactionEngine } from './session-transactions.js';
import { SessionVariables } from './session-variables.js';

export interface Warning {
  readonly level: 'Note' | 'Warning' | 'Error';
  readonly code: number;
  readonly message: string;
}

export class Session {
  readonly variables = new SessionVariables();
  readonly transactions: SessionTransactions;
  // Whose privileges the session's statements need: the account it logged in as, or, on a node
  // without accounts that trusts loopback clients, the node's own (undefined).
  readonly principal: Principal | undefined;
  // A SET autocommit the connection applies once the SET statement is read (turning it on
  // commits an open transaction, which takes a turn of the engine); null: none pending.
  autocommitChange: boolean | null = null;
  // User variables (`SET @x = …`): kept so a client's SET succeeds; the engine does not read them.
  readonly userVariables = new Map<string, string | bigint | null>();
  // The last statement's warnings, or its error, which SHOW WARNINGS lists as MySQL does.
  warnings: readonly Warning[] = [];
  // LAST_INSERT_ID(): the first id the session's last INSERT generated.
  lastInsertId = 0n;
  // SET TRANSACTION ISOLATION LEVEL without SESSION: the level of the next transaction only.
  nextIsolation: MysqlIsolationName | null = null;

  constructor(
    readonly connectionId: number,
    readonly account: AccountCredentials,
    readonly remoteAddress: string,
    // USE's database; null: none chosen, and unqualified names resolve in the node's default.
    public database: string | null,
    readonly defaultDatabase: string,
    engine: TransactionEngine,
  ) {
    this.principal = account.trustedWithoutPassword ? undefined : { user: account.user, host: account.host };
    const level = mysqlNameOfIsolation(engine.defaultIsolation);
    this.variables.set('transaction_isolation', level);
    this.variables.set('tx_isolation', level);
    this.transactions = new SessionTransactions(engine, this.principal, () => this.database, () => this.takeIsolation(), () => Number(this.variables.get('innodb_lock_wait_timeout')) * 1000);
  }

  // The level a transaction beginning now runs at: a pending SET TRANSACTION's, else the
  // session's transaction_isolation.
  private takeIsolation(): Isolation {
    const name = this.nextIsolation ?? mysqlIsolationName(String(this.variables.get('transaction_isolation')));
    this.nextIsolation = null;
    return name === null ? 'serializable' : isolationOfMysqlName(name);
  }
}
