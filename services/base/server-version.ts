// The MySQL version TideDB answers as (its @@version, `8.0.11-TideDB-…`), as TiDB does: clients
// and ORMs choose their SQL by it, and `/*!NNNNN … */` comments run when NNNNN is at most it.
export const mysqlVersion = { text: '8.0.11', number: 80011 } as const;
