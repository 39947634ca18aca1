// How the dashboard's feed copes with streams that end in errors, against a scripted client:
// each new stream starts from a fresh snapshot (nothing of the failed one's figures stays),
// the pause before it doubles while streams deliver nothing and falls back once one does, and
// stopping ends the feed.
import { describe, expect, it } from 'vitest';
import type { StreamEvent, SubscribeOptions, TideClient } from '@tidedb/client';
import { DashboardState } from '../../services/store/dashboard/dashboard-state.js';
import { dashboardTables, feedState } from '../../services/store/dashboard/state-feed.js';

const product = (id: number, stock: number): StreamEvent => ({ type: 'change', lsn: '5', database: 'app', table: 'products', schema_version: 1, op: 'r', key: { id }, before: null, after: { id, name: `p${id}`, stock }, ts_ms: null, transaction: null });
const refused = Object.assign(new Error('wrong password'), { code: 'LOGIN_FAILED' });

describe('the state feed', () => {
  it('starts each stream again from a snapshot, pausing longer while none delivers', async () => {
    const stop = new AbortController();
    const state = new DashboardState();
    const asked: SubscribeOptions[] = [];
    // Stream 1 delivers a snapshot and then fails; 2 and 3 fail at once; 4 delivers and waits.
    const script: ((options: SubscribeOptions) => AsyncGenerator<StreamEvent>)[] = [
      async function* () { yield product(1, 3); yield { type: 'snapshot_end', lsn: '5' }; throw refused; },
      async function* () { throw refused; },
      async function* () { throw refused; },
      async function* (options) {
        yield product(2, 4);
        yield { type: 'snapshot_end', lsn: '9' };
        await new Promise((resolve) => options.signal?.addEventListener('abort', resolve));
      },
    ];
    const client = { subscribe: (options: SubscribeOptions) => (asked.push(options), script[asked.length - 1]!(options)) } as unknown as TideClient;
    const pauses: number[] = [];
    const lsnsWhenFailing: (string | null)[] = [];
    const feeding = feedState(client, state, {
      signal: stop.signal,
      onChange: () => {},
      onError: (error, retryInMs) => {
        expect(error).toBe(refused);
        pauses.push(retryInMs);
        lsnsWhenFailing.push(state.lsn);
      },
      retryPauseMs: 5,
    });
    await expect.poll(() => state.lsn).toBe('9');
    expect(pauses).toEqual([5, 10, 20]);
    expect(lsnsWhenFailing).toEqual(['5', null, null]);
    // Only the last snapshot's rows: product 1 went with the first stream.
    expect(state.view(0).lowStock.products.map((entry) => entry.productId)).toEqual([2]);
    expect(asked.every((options) => options.snapshot === true && options.tables === dashboardTables)).toBe(true);
    stop.abort();
    await feeding;
    expect(asked).toHaveLength(4);
  });
});
