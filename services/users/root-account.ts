// Root's account from --root-password (TIDE_ROOT_PASSWORD): the leader proposes it, with ALL
// PRIVILEGES ON *.*, when its applied catalog has no root account — on a new cluster's first
// leadership, and again should root ever be dropped while nodes still carry the password. It
// runs as any account statement does: hashed on the leader, never stored in clear.
import type { Statement, TransactionResult } from '../write/sequencer.js';
import type { AccountCatalog, LoginLog } from './account-directory.js';

export interface RootAccountOptions {
  readonly password: string;
  readonly accounts: AccountCatalog;
  readonly sql: { run(statements: readonly Statement[]): Promise<TransactionResult> };
  readonly isLeader: () => boolean;
  readonly leaderReady: () => Promise<void>;
  readonly log: LoginLog & { info(fields: Record<string, unknown>, message: string): void };
}

export class RootAccount {
  private proposing = false;

  constructor(private readonly options: RootAccountOptions) {}

  // Called at start and on every leadership change; acts only on a leader without root.
  async maybePropose(): Promise<boolean> {
    const { accounts, isLeader, leaderReady, sql, log } = this.options;
    if (this.proposing || !isLeader()) return false;
    this.proposing = true;
    try {
      await leaderReady();
      if (accounts.allAccounts().some((account) => account.user === 'root')) return false;
      // The password is bound as a string literal here, in memory; the statement's text is
      // never stored or logged (account statements carry no text into the batch).
      await sql.run([
        { sql: `CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY '${sqlString(this.options.password)}'`, params: [] },
        { sql: "GRANT ALL PRIVILEGES ON *.* TO 'root'@'%'", params: [] },
      ]);
      log.info({}, "created the root account from the root password ('root'@'%', ALL PRIVILEGES ON *.*)");
      return true;
    } catch (error) {
      // A lost leadership (the next leader proposes it) or none confirmed yet: while this node
      // still leads, it tries again a little later.
      log.warn({ err: error instanceof Error ? error.message : String(error) }, 'proposing the root account failed; trying again while this node leads');
      setTimeout(() => void this.maybePropose(), retryDelayMs).unref();
      return false;
    } finally {
      this.proposing = false;
    }
  }
}

const retryDelayMs = 1_000;

function sqlString(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll("'", "''");
}
