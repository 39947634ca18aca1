// Proves big statements give the event loop back while small ones keep running synchronously:
// the slicing driver and write turns on their own, then a whole node in process, where a
// read-only request and a status request answer while a many-row UPDATE is still executing.
import { describe, expect, it } from 'vitest';
import { runSliced, runToEnd, TimeSlice } from '../../services/base/time-slice.js';
import type { Steps } from '../../services/base/time-slice.js';
import { WriteTurn } from '../../services/write/write-turn.js';
import { startInProcessNode } from '../http/in-process-node.js';

function* count(units: number, spinMs = 0): Steps<number> {
  for (let unit = 0; unit < units; unit++) {
    const until = performance.now() + spinMs;
    while (performance.now() < until);
    yield;
  }
  return units;
}

describe('sliced work', () => {
  it('returns synchronously when the work fits in the slice', () => {
    expect(runSliced(count(1_000), new TimeSlice(1_000))).toBe(1_000);
    expect(runToEnd(count(10))).toBe(10);
  });

  it('gives the loop back once the slice has run out, and still finishes', async () => {
    let loopRan = 0;
    const ticker = setInterval(() => loopRan++, 0);
    const outcome = runSliced(count(400, 0.5), new TimeSlice(5)); // ~200 ms of work in 5 ms slices
    expect(outcome).toBeInstanceOf(Promise);
    expect(await outcome).toBe(400);
    clearInterval(ticker);
    expect(loopRan).toBeGreaterThan(5);
  });
});

describe('write turns', () => {
  it('runs work at once when the turn is free, and queues work behind one that yielded', async () => {
    const turn = new WriteTurn();
    const order: string[] = [];
    const sync = turn.take(() => (order.push('a'), 'a'));
    expect(order).toEqual(['a']); // taken and done synchronously
    let release!: () => void;
    const slow = turn.take(() => new Promise<string>((resolve) => (release = () => (order.push('b'), resolve('b')))));
    const queued = turn.take(() => (order.push('c'), 'c'));
    const failing = turn.take(() => {
      throw new Error('d');
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['a']); // c waits for b's turn
    release();
    expect(await Promise.all([sync, slow, queued])).toEqual(['a', 'b', 'c']);
    await expect(failing).rejects.toThrow('d');
    expect(order).toEqual(['a', 'b', 'c']);
    expect(await turn.take(() => 'e')).toBe('e'); // the turn is free again after a failure
  });
});

describe('a big write on a node', () => {
  it('lets reads and status answer while it executes, and keeps its result and order', async () => {
    const node = await startInProcessNode();
    try {
      expect((await node.sql({ sql: 'CREATE TABLE t (id INT PRIMARY KEY, v BIGINT)' })).status).toBe(200);
      for (let start = 0; start < 30_000; start += 3_000) {
        const values = Array.from({ length: 3_000 }, (_, at) => `(${start + at}, 0)`).join(',');
        expect((await node.sql({ sql: `INSERT INTO t VALUES ${values}` })).status).toBe(200);
      }
      const events: string[] = [];
      const lastIndexBefore = node.raft.status.lastIndex;
      let lastIndexAtRead = -1n;
      const update = node.sql({ sql: 'UPDATE t SET v = v + 1' }).then((answer) => (events.push('update'), answer));
      const read = node.sql({ sql: 'SELECT v FROM t WHERE id = 7' }).then((answer) => {
        events.push('read');
        lastIndexAtRead = node.raft.status.lastIndex;
        return answer;
      });
      const status = node.app.inject({ method: 'GET', url: '/v1/status' }).then((answer) => (events.push('status'), answer));
      const later = node.sql({ sql: 'UPDATE t SET v = v * 10 WHERE id = 7' }).then((answer) => (events.push('later write'), answer));
      const [updated, readBefore, laterWrite, statusAnswer] = await Promise.all([update, read, later, status]);
      // The read and the status answered before the big write was done; the read saw none of it.
      expect(events.indexOf('read')).toBeLessThan(events.indexOf('update'));
      expect(events.indexOf('status')).toBeLessThan(events.indexOf('update'));
      expect(statusAnswer.statusCode).toBe(200);
      // It answered while the UPDATE was still executing: the UPDATE had proposed nothing yet.
      expect(lastIndexAtRead).toBe(lastIndexBefore);
      expect(readBefore.body['results']).toMatchObject([{ rows: [[0]] }]);
      expect(updated.body['results']).toMatchObject([{ rows_affected: 30_000 }]);
      // The write that arrived during the big one ran after it, on top of its result.
      expect(laterWrite.body['results']).toMatchObject([{ rows_affected: 1 }]);
      expect((await node.sql({ sql: 'SELECT v FROM t WHERE id = 7' })).body['results']).toMatchObject([{ rows: [[10]] }]);
      expect((await node.sql({ sql: 'SELECT v FROM t WHERE id = 8' })).body['results']).toMatchObject([{ rows: [[1]] }]);
    } finally {
      await node.close();
    }
  });
});
