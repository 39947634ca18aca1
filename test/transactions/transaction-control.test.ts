// The statements that control a transaction are read from their text as MySQL spells them, any
// other statement is left to the parser, and a malformed one is a syntax error.
import { expect, it } from 'vitest';
import { transactionControlOf } from '../../services/write/transaction-control.js';

it('reads each control statement in its MySQL spellings', () => {
  expect(transactionControlOf('BEGIN')).toEqual({ kind: 'begin' });
  expect(transactionControlOf(' begin work; ')).toEqual({ kind: 'begin' });
  expect(transactionControlOf('START TRANSACTION READ WRITE')).toEqual({ kind: 'begin' });
  expect(transactionControlOf('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY')).toEqual({ kind: 'begin' });
  expect(transactionControlOf('commit work')).toEqual({ kind: 'commit' });
  expect(transactionControlOf('ROLLBACK')).toEqual({ kind: 'rollback' });
  expect(transactionControlOf('SAVEPOINT s1')).toEqual({ kind: 'savepoint', name: 's1' });
  expect(transactionControlOf('ROLLBACK TO SAVEPOINT `my point`')).toEqual({ kind: 'rollback_to', name: 'my point' });
  expect(transactionControlOf('rollback work to s1')).toEqual({ kind: 'rollback_to', name: 's1' });
  expect(transactionControlOf('RELEASE SAVEPOINT s1')).toEqual({ kind: 'release', name: 's1' });
  // What COMMIT and ROLLBACK do without saying so.
  expect(transactionControlOf('COMMIT AND NO CHAIN')).toEqual({ kind: 'commit' });
  expect(transactionControlOf('commit work and no chain no release;')).toEqual({ kind: 'commit' });
  expect(transactionControlOf('ROLLBACK NO RELEASE')).toEqual({ kind: 'rollback' });
});

it('leaves other statements to the parser, and refuses a malformed control statement', () => {
  expect(transactionControlOf('SELECT 1')).toBeNull();
  expect(transactionControlOf('COMMIT_LOG')).toBeNull();
  expect(() => transactionControlOf('SAVEPOINT')).toThrow(expect.objectContaining({ code: 'SQL_SYNTAX' }));
  expect(() => transactionControlOf('ROLLBACK TO')).toThrow(expect.objectContaining({ code: 'SQL_SYNTAX' }));
  expect(() => transactionControlOf('RELEASE SAVEPOINT a b')).toThrow(expect.objectContaining({ code: 'SQL_SYNTAX' }));
  // Chaining or releasing is refused as unsupported, before the transaction is touched.
  for (const sql of ['COMMIT AND CHAIN', 'ROLLBACK RELEASE', 'COMMIT WORK AND NO CHAIN RELEASE', 'rollback and chain no release']) {
    expect(() => transactionControlOf(sql), sql).toThrow(expect.objectContaining({ code: 'SQL_UNSUPPORTED' }));
  }
});
