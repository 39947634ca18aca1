// The leader's row locks of repeatable-read transactions (write/row-locks.ts), alone: free rows
// are granted at once, a held row goes to its waiters first come first served, a wait past the
// bound fails with LOCK_WAIT_TIMEOUT, a wait that would close a cycle is a deadlock (refused at
// once), an ended owner's pending wait is refused, a lapsed lease lets a waiter take the row,
// and a leadership change lets every waiter through.
import { describe, expect, it } from 'vitest';
import { RowLocks } from '../../services/write/row-locks.js';

function locks(waitMs = 5_000, leaseMs = 60_000, nowMs: () => number = Date.now): RowLocks {
  return new RowLocks({ waitMs, leaseMs, nowMs });
}

// Whether a promise is still pending after the turns its settling would take.
async function pending(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((resolve) => setTimeout(resolve, 20));
  return !settled;
}

describe('row locks', () => {
  it('grants free rows and an owner\'s own at once, without waiting', async () => {
    const table = locks();
    expect(await table.acquire('a', ['k1', 'k2'])).toBe(false);
    expect(await table.acquire('a', ['k2', 'k3'])).toBe(false);
    expect(table.status().held).toBe(3);
    table.release('a');
    expect(table.status().held).toBe(0);
  });

  it('hands a released row to its waiters in the order they came', async () => {
    const table = locks();
    await table.acquire('a', ['k']);
    const [b, c, d] = ['b', 'c', 'd'].map((owner) => table.acquire(owner, ['k']));
    expect(await pending(b!)).toBe(true);
    table.release('a');
    expect(await b).toBe(true);
    expect(await pending(c!)).toBe(true);
    expect(await pending(d!)).toBe(true);
    table.release('b');
    expect(await c).toBe(true);
    expect(await pending(d!)).toBe(true);
    table.release('c');
    expect(await d).toBe(true);
  });

  it('gives nothing more to an owner released while it waited, though it was granted a row first', async () => {
    const table = locks();
    await table.acquire('101/a', ['k1']);
    const waiting = table.acquire('101/w', ['k1', 'k2']);
    expect(await pending(waiting)).toBe(true);
    // Its process exits: a's release hands k1 to w, whose release then frees it again.
    table.releaseProcess(101);
    await expect(waiting).rejects.toMatchObject({ code: 'TX_NOT_FOUND' });
    expect(table.status().held).toBe(0);
    expect(await table.acquire('c', ['k1', 'k2'])).toBe(false);
  });

  it('fails a wait past the bound with LOCK_WAIT_TIMEOUT, and the row stays its holder\'s', async () => {
    const table = locks(50);
    await table.acquire('a', ['k']);
    const timedOut = table.acquire('b', ['k']);
    expect(await pending(timedOut)).toBe(true);
    expect(table.status()).toEqual({ held: 1, waiting: 1, deadlocks: 0, lock_wait_timeouts: 0 });
    await expect(timedOut).rejects.toMatchObject({ code: 'LOCK_WAIT_TIMEOUT' });
    expect(table.status()).toEqual({ held: 1, waiting: 0, deadlocks: 0, lock_wait_timeouts: 1 });
    // The timed-out waiter is gone: the next release goes to a later one.
    const c = table.acquire('c', ['k']);
    table.release('a');
    expect(await c).toBe(true);
  });

  it('waits as long as asked, past what a Node timer holds (MySQL allows 2^30 s)', async () => {
    const table = locks();
    await table.acquire('a', ['k']);
    const waiting = table.acquire('b', ['k'], 1_073_741_824 * 1000);
    expect(await pending(waiting)).toBe(true);
    table.release('a');
    expect(await waiting).toBe(true);
  });

  it('refuses a wait that closes a cycle, of two owners or of three, as a deadlock', async () => {
    const table = locks();
    await table.acquire('a', ['k1']);
    await table.acquire('b', ['k2']);
    const aWaits = table.acquire('a', ['k2']);
    expect(await pending(aWaits)).toBe(true);
    await expect(table.acquire('b', ['k1'])).rejects.toMatchObject({ code: 'TX_CONFLICT', message: expect.stringMatching(/deadlock/) });
    expect(table.status().deadlocks).toBe(1);
    table.release('b');
    expect(await aWaits).toBe(true);

    table.release('a');

    // a waits for b, b for c: c asking for a's row closes a cycle of three.
    const three = locks();
    await three.acquire('a', ['k1']);
    await three.acquire('b', ['k2']);
    await three.acquire('c', ['k3']);
    const aWaitsForB = three.acquire('a', ['k2']);
    const bWaitsForC = three.acquire('b', ['k3']);
    expect(await pending(aWaitsForB)).toBe(true);
    expect(await pending(bWaitsForC)).toBe(true);
    await expect(three.acquire('c', ['k1'])).rejects.toMatchObject({ code: 'TX_CONFLICT' });
    three.release('c');
    expect(await bWaitsForC).toBe(true);
    three.release('b');
    expect(await aWaitsForB).toBe(true);
  });

  it('refuses the pending wait of an owner that ends', async () => {
    const table = locks();
    await table.acquire('a', ['k']);
    const waiting = table.acquire('b', ['k']);
    table.release('b');
    await expect(waiting).rejects.toMatchObject({ code: 'TX_NOT_FOUND' });
    table.release('a');
    expect(await table.acquire('c', ['k'])).toBe(false);
  });

  it('lets a waiter take a row whose holder\'s lease lapsed', async () => {
    let now = 0;
    const table = locks(5_000, 1_000, () => now);
    await table.acquire('gone', ['k']);
    now = 2_000;
    expect(await table.acquire('b', ['k'])).toBe(false);
    expect(table.status().held).toBe(1);
  });

  it('releases the owners of an exited process, and lets every waiter through on a leadership change', async () => {
    const table = locks();
    await table.acquire('101/x', ['k1']);
    await table.acquire('101/y', ['k2']);
    await table.acquire('202/z', ['k3']);
    table.releaseProcess(101);
    expect(table.status().held).toBe(1);
    const waiting = table.acquire('303/w', ['k3']);
    expect(await pending(waiting)).toBe(true);
    table.clear();
    await waiting;
    expect(table.status().held).toBe(0);
  });
});
