// One running dashboard: the state fed from TideDB's change stream, the throttled pushes to the
// pages, and the HTTP server, started and stopped together.
import type { AddressInfo } from 'node:net';
import { TideClient, TideClientError } from '@tidedb/client';
import { dashboardServer } from './dashboard-server.js';
import { DashboardState, dashboardDefaults } from './dashboard-state.js';
import type { DashboardOptions } from './dashboard-state.js';
import { StateBroadcast } from './state-broadcast.js';
import { feedState } from './state-feed.js';

export interface DashboardConfig {
  readonly nodes: readonly string[];
  readonly user?: string;
  readonly password?: string;
  readonly host: string;
  readonly port: number;
  readonly figures?: DashboardOptions;
  // At most one push to the pages per this many milliseconds.
  readonly pushIntervalMs?: number;
  readonly onFeedError?: (error: unknown, retryInMs: number) => void;
}

export interface RunningDashboard {
  readonly url: string;
  readonly state: DashboardState;
  stop(): Promise<void>;
}

export async function startDashboard(config: DashboardConfig): Promise<RunningDashboard> {
  const client = new TideClient({ nodes: config.nodes, ...(config.user === undefined ? {} : { user: config.user }), ...(config.password === undefined ? {} : { password: config.password }) });
  const state = new DashboardState(config.figures ?? dashboardDefaults);
  const broadcast = new StateBroadcast({ intervalMs: config.pushIntervalMs ?? 250, render: () => JSON.stringify(state.view(Date.now())) });
  const app = dashboardServer({ state, broadcast });
  await app.listen({ host: config.host, port: config.port });
  const url = `http://${browsableHost(config.host)}:${(app.server.address() as AddressInfo).port}/`;

  const stopping = new AbortController();
  const feeding = feedState(client, state, {
    signal: stopping.signal,
    onChange: () => broadcast.changed(),
    onError: config.onFeedError ?? ((error, retryInMs) => console.error(`dashboard: the change stream ended (${describe(error)}); starting again with a new snapshot in ${retryInMs} ms`)),
  });
  return {
    url,
    state,
    async stop() {
      stopping.abort();
      await feeding;
      await app.close();
    },
  };
}

// A server listening on every interface is reached locally through loopback.
function browsableHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === 'localhost') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

// A client error by its stable code; anything else (a bug) with its stack.
function describe(error: unknown): string {
  if (error instanceof TideClientError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
