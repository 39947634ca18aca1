// Proves each event's place in its transaction is the same however the changelog is read: in
// one pass, or resumed at any change inside an entry (a round boundary, a restart, a retry).
import { describe, expect, it } from 'vitest';
import { TransactionOrder } from '../../services/cdc/transaction-order.js';
import { lsnOf } from '../../services/storage/lsn.js';
import type { ChangeRecord, ChangelogRecord } from '../../services/storage/types.js';

// Three entries: tables 1 and 2 interleaved, then a single change, then table 2 alone.
const tablesByEntry: readonly (readonly number[])[] = [[1, 2, 1, 1, 2], [1], [2, 2]];
const changelog: ChangeRecord[] = tablesByEntry.flatMap((tables, entry) =>
  tables.map((tableId, offset) => ({ lsn: lsnOf(BigInt(entry + 10), offset), tableId, schemaVersion: 1, op: 'c' as const, before: null, after: [1n], tsMs: 0 })),
);
const expected = [
  { totalOrder: 1, dataCollectionOrder: 1 },
  { totalOrder: 2, dataCollectionOrder: 1 },
  { totalOrder: 3, dataCollectionOrder: 2 },
  { totalOrder: 4, dataCollectionOrder: 3 },
  { totalOrder: 5, dataCollectionOrder: 2 },
  { totalOrder: 1, dataCollectionOrder: 1 },
  { totalOrder: 1, dataCollectionOrder: 1 },
  { totalOrder: 2, dataCollectionOrder: 2 },
];

function reader(reads: bigint[]): (fromLsn: bigint, limit: number) => ChangeRecord[] {
  return (fromLsn, limit) => {
    reads.push(fromLsn);
    return changelog.filter((change) => change.lsn >= fromLsn).slice(0, limit);
  };
}

describe('TransactionOrder', () => {
  it('numbers events within their transaction, overall and per table, reading nothing in one pass', () => {
    const reads: bigint[] = [];
    const order = new TransactionOrder(reader(reads));
    expect(changelog.map((change) => order.place(change))).toEqual(expected);
    expect(reads).toEqual([]);
  });

  it('gives the same places when resumed at any change, reading the head of that entry once', () => {
    for (let start = 0; start < changelog.length; start++) {
      const reads: bigint[] = [];
      const order = new TransactionOrder(reader(reads));
      expect(changelog.slice(start).map((change) => order.place(change))).toEqual(expected.slice(start));
      const startsEntry = expected[start]!.totalOrder === 1;
      expect(reads).toEqual(startsEntry ? [] : [lsnOf(changelog[start]!.lsn >> 20n, 0)]);
    }
  });

  it('recounts when the same changes are placed again, as after a failed round', () => {
    const order = new TransactionOrder(reader([]));
    expect(changelog.slice(0, 4).map((change) => order.place(change))).toEqual(expected.slice(0, 4));
    expect(changelog.slice(2, 5).map((change) => order.place(change))).toEqual(expected.slice(2, 5));
  });

  it('places only the published changes, from wherever it resumes, and says where a transaction opens', () => {
    // Table 1 does not publish: entry 10 has two published changes, entry 11 none.
    const published = (change: ChangelogRecord): boolean => change.tableId === 2;
    const walk = (from: number): (string | null)[] => {
      const order = new TransactionOrder(reader([]), published);
      return changelog.slice(from).map((change) => {
        if (!published(change)) {
          order.skip(change);
          return `skip${order.entryHasPlaces() ? ' (entry has places)' : ''}`;
        }
        const opens = order.opensEntry(change);
        const place = order.place(change);
        return `${opens ? 'open ' : ''}${place.totalOrder}/${place.dataCollectionOrder}`;
      });
    };
    const whole = ['skip', 'open 1/1', 'skip (entry has places)', 'skip (entry has places)', '2/2', 'skip', 'open 1/1', '2/2'];
    expect(walk(0)).toEqual(whole);
    for (let from = 1; from < changelog.length; from++) expect(walk(from), `resumed at ${from}`).toEqual(whole.slice(from));
    expect(() => new TransactionOrder(reader([]), published).place(changelog[0]!)).toThrow(/not published/);
  });

  it('refuses an entry whose head is gone (assert)', () => {
    const order = new TransactionOrder(() => []);
    expect(() => order.place(changelog[2]!)).toThrow(/lost 2 of its first 2 changes/);
  });
});
