// The isolation levels of interactive transactions. Both are optimistic (validated at commit on
// the leader, conflict-window.ts); they differ in which of a transaction's reads are validated.
//
// - serializable (the node's default): every read. Nothing the transaction read or wrote
//   changed since its snapshot, so it is as if it ran alone at its commit (write skew and
//   phantoms are conflicts).
// - repeatable-read: the reads of its writing statements (UPDATE, DELETE, INSERT, REPLACE, with
//   their constraint checks) and of SELECT … FOR UPDATE / FOR SHARE, as MySQL's InnoDB takes
//   locks for exactly those reads; its plain SELECTs read the snapshot and are not validated.
//   Duplicate keys and broken foreign keys are still conflicts; write skew between plain reads
//   is allowed, as in MySQL at REPEATABLE READ (its default) and in TiDB's optimistic
//   transactions. Those validated reads are current reads, as InnoDB's: they read the newest
//   applied state, not the snapshot, and are validated from its index on (transaction.ts), so a
//   transaction that updates a row someone committed since it began builds on their row instead
//   of conflicting with it. An update computed in the statement (`SET n = n + 1`) or from rows
//   read FOR UPDATE loses no other commit's write; one computed by the client from a plain
//   SELECT may, as in MySQL. On a single node the rows those statements write or read FOR
//   UPDATE are also locked until the transaction ends (row-locks.ts), so that a second
//   transaction waits for them instead of conflicting at commit.
//
// MySQL's READ COMMITTED and READ UNCOMMITTED run as repeatable-read: the SQL standard lets a
// database run a transaction at a stronger level than asked, never a weaker one.
export const isolations = ['serializable', 'repeatable-read'] as const;
export type Isolation = (typeof isolations)[number];

// MySQL's names for the levels, as `transaction_isolation` holds them.
export const mysqlIsolationNames = ['READ-UNCOMMITTED', 'READ-COMMITTED', 'REPEATABLE-READ', 'SERIALIZABLE'] as const;
export type MysqlIsolationName = (typeof mysqlIsolationNames)[number];

// `REPEATABLE READ` or `repeatable-read`, in any case; null for anything else.
export function mysqlIsolationName(text: string): MysqlIsolationName | null {
  const name = text.trim().toUpperCase().replace(/\s+/g, '-');
  return (mysqlIsolationNames as readonly string[]).includes(name) ? (name as MysqlIsolationName) : null;
}

export function isolationOfMysqlName(name: MysqlIsolationName): Isolation {
  return name === 'SERIALIZABLE' ? 'serializable' : 'repeatable-read';
}

export function mysqlNameOfIsolation(isolation: Isolation): MysqlIsolationName {
  return isolation === 'serializable' ? 'SERIALIZABLE' : 'REPEATABLE-READ';
}
