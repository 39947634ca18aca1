// Keeps a DashboardState fed from TideDB: one change stream over the three tables the figures
// come from, starting with a snapshot so that the figures begin consistent at one lsn. The
// client already reconnects and resumes after the last position it delivered, across nodes;
// what it cannot resume (the position fell out of the changelog's retention, the tables do not
// exist yet, a refused login) ends the stream, and the feed starts over with a new snapshot
// after a pause, so a dashboard started before the store's schema waits for it.
import type { TideClient } from '@tidedb/client';
import type { DashboardState } from './dashboard-state.js';

export const dashboardTables = ['products', 'orders', 'order_items'] as const;

export interface StateFeedOptions {
  readonly signal: AbortSignal;
  // After each event that moved the figures or their lsn.
  readonly onChange: () => void;
  // A stream that ended, and how long until the next one starts.
  readonly onError: (error: unknown, retryInMs: number) => void;
  // The pause before starting again, doubled after each stream that delivered nothing (a
  // wrong password is not retried every second forever), up to retryPauseMsMax.
  readonly retryPauseMs?: number;
  readonly retryPauseMsMax?: number;
}

// Progress events let the lsn advance while the tables are idle (writes to other tables move
// the log's position too), so a reader waiting for "lsn ≥ my write" is answered promptly.
const progressMs = 200;

export async function feedState(client: TideClient, state: DashboardState, options: StateFeedOptions): Promise<void> {
  const pauseMsMin = options.retryPauseMs ?? 1_000;
  const pauseMsMax = options.retryPauseMsMax ?? 15_000;
  let failuresInARow = 0;
  for (;;) {
    state.reset();
    options.onChange();
    let delivered = false;
    try {
      for await (const event of client.subscribe({ tables: dashboardTables, snapshot: true, progressMs, signal: options.signal })) {
        delivered = true;
        if (state.apply(event)) options.onChange();
      }
      // The client's stream ends without an error only when it is stopped.
      return;
    } catch (error) {
      if (options.signal.aborted) return;
      failuresInARow = delivered ? 1 : failuresInARow + 1;
      const pauseMs = Math.min(pauseMsMin * 2 ** (failuresInARow - 1), pauseMsMax);
      options.onError(error, pauseMs);
      await pause(pauseMs, options.signal);
      if (options.signal.aborted) return;
    }
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
