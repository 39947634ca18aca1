// The statements that control a transaction rather than run in it — BEGIN / START
// TRANSACTION, COMMIT, ROLLBACK, SAVEPOINT, ROLLBACK TO [SAVEPOINT], RELEASE SAVEPOINT — read
// from their text (the SQL parser knows only some of them), so a MySQL client's or an HTTP
// client's text is handled alike by transactions.ts.
import { TideError } from '../base/errors.js';

export type TransactionControl =
  | { readonly kind: 'begin' }
  | { readonly kind: 'commit' }
  | { readonly kind: 'rollback' }
  | { readonly kind: 'savepoint'; readonly name: string }
  | { readonly kind: 'rollback_to'; readonly name: string }
  | { readonly kind: 'release'; readonly name: string };

// A savepoint's name: an identifier, bare or quoted in backticks.
const name = '(`[^`]{1,64}`|[A-Za-z0-9_$]{1,64})';
const end = '\\s*;?\\s*$';
// START TRANSACTION's modes (a snapshot is always consistent here; READ ONLY is not enforced).
const mode = '(?:with\\s+consistent\\s+snapshot|read\\s+write|read\\s+only)';
// COMMIT's and ROLLBACK's `AND NO CHAIN` and `NO RELEASE`: what they do without them.
const completion = '(?:\\s+and\\s+no\\s+chain)?(?:\\s+no\\s+release)?';
const patterns: readonly { readonly pattern: RegExp; readonly make: (name: string) => TransactionControl }[] = [
  { pattern: new RegExp(`^\\s*(?:begin(?:\\s+work)?|start\\s+transaction(?:\\s+${mode}(?:\\s*,\\s*${mode})*)?)${end}`, 'i'), make: () => ({ kind: 'begin' }) },
  { pattern: new RegExp(`^\\s*commit(?:\\s+work)?${completion}${end}`, 'i'), make: () => ({ kind: 'commit' }) },
  { pattern: new RegExp(`^\\s*rollback(?:\\s+work)?${completion}${end}`, 'i'), make: () => ({ kind: 'rollback' }) },
  { pattern: new RegExp(`^\\s*savepoint\\s+${name}${end}`, 'i'), make: (savepoint) => ({ kind: 'savepoint', name: savepoint }) },
  { pattern: new RegExp(`^\\s*rollback(?:\\s+work)?\\s+to\\s+(?:savepoint\\s+)?${name}${end}`, 'i'), make: (savepoint) => ({ kind: 'rollback_to', name: savepoint }) },
  { pattern: new RegExp(`^\\s*release\\s+savepoint\\s+${name}${end}`, 'i'), make: (savepoint) => ({ kind: 'release', name: savepoint }) },
];

// The control statement `sql` is, or null for any other statement. Text that starts as one but
// does not read as one (`SAVEPOINT` with no name) is a syntax error.
export function transactionControlOf(sql: string): TransactionControl | null {
  for (const { pattern, make } of patterns) {
    const match = pattern.exec(sql);
    if (match !== null) return make(unquoted(match[1] ?? ''));
  }
  // Chaining a new transaction or closing the connection after: refused before anything is
  // done, so that the transaction stays as it was, for a plain COMMIT or ROLLBACK.
  if (/^\s*(commit|rollback)(\s+work)?(\s+and\s+no\s+chain)?\s+(and\s+chain|release)\b/i.test(sql)) {
    throw new TideError('SQL_UNSUPPORTED', 'COMMIT and ROLLBACK take no AND CHAIN or RELEASE here: end the transaction, then BEGIN again or close the connection');
  }
  if (/^\s*(savepoint|release)\b/i.test(sql) || /^\s*rollback\s+(work\s+)?to\b/i.test(sql)) {
    throw new TideError('SQL_SYNTAX', `cannot read this as a transaction statement: ${sql.slice(0, 100)}`);
  }
  return null;
}

function unquoted(text: string): string {
  return text.startsWith('`') ? text.slice(1, -1) : text;
}
