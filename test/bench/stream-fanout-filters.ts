// The subscriptions of stream-fanout.ts: what each subscriber asks for and how many events it
// should get. The table is fanout(id BIGINT PRIMARY KEY, grp INT, payload VARCHAR(64)), each
// write one row with grp = id % 16.
//   none       no filter: every subscriber gets every row (and they share one event object)
//   selective  subscriber k: `grp = k % 16 AND id <> -(k+1)`, its own filter (no two alike), a
//              sixteenth of the rows
//   all        subscriber k: `id <> -(k+1)`, its own filter, every row
export type FilterMode = 'none' | 'selective' | 'all';

export const filterModes: readonly FilterMode[] = ['none', 'selective', 'all'];

export const groups = 16;

export function subscriptionQuery(subscriber: number, filter: FilterMode): string {
  const base = 'table=fanout&progress_ms=1000';
  if (filter === 'none') return base;
  const where = filter === 'selective' ? 'grp = ? AND id <> ?' : 'id <> ?';
  const params = filter === 'selective' ? [subscriber % groups, -(subscriber + 1)] : [-(subscriber + 1)];
  return `${base}&where=${encodeURIComponent(where)}&params=${encodeURIComponent(JSON.stringify(params))}`;
}

// Of the rows firstId … firstId+writes-1.
export function expectedDeliveries(subscriber: number, filter: FilterMode, firstId: number, writes: number): number {
  if (filter !== 'selective') return writes;
  let count = 0;
  for (let id = firstId; id < firstId + writes; id++) if (id % groups === subscriber % groups) count++;
  return count;
}
