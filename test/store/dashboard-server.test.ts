// The dashboard's HTTP server and its throttled pushes, without a database: every asset the
// page names is served (chart.js from node_modules), the embedded script is valid JavaScript,
// /api/state is the state's view; and a burst of changes becomes one push carrying the last
// state, at most one per interval (fake timers, fake page responses).
import type { ServerResponse } from 'node:http';
import { Script } from 'node:vm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dashboardServer } from '../../services/store/dashboard/dashboard-server.js';
import { DashboardState } from '../../services/store/dashboard/dashboard-state.js';
import { pageScript } from '../../services/store/dashboard/page-script.js';
import { StateBroadcast } from '../../services/store/dashboard/state-broadcast.js';

const now = Date.parse('2026-11-26T10:00:30Z');

describe('the dashboard server', () => {
  it('serves the page and every script and stylesheet it names', async () => {
    const state = new DashboardState();
    const app = dashboardServer({ state, broadcast: new StateBroadcast({ intervalMs: 250, render: () => '{}' }), nowMs: () => now });
    try {
      const page = await app.inject('/');
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
      expect(assets.sort()).toEqual(['/assets/chart.js', '/dashboard.css', '/dashboard.js']);
      const types = await Promise.all(assets.map(async (asset) => {
        const response = await app.inject(asset);
        expect(response.statusCode).toBe(200);
        return [asset, response.headers['content-type']];
      }));
      expect(Object.fromEntries(types)).toEqual({ '/assets/chart.js': 'text/javascript; charset=utf-8', '/dashboard.css': 'text/css; charset=utf-8', '/dashboard.js': 'text/javascript; charset=utf-8' });
      expect((await app.inject('/assets/chart.js')).body).toMatch(/^\/\*!\n \* Chart\.js v4/);

      const api = await app.inject('/api/state');
      expect(api.json()).toEqual(JSON.parse(JSON.stringify(state.view(now))));
      expect(api.json()).toMatchObject({ lsn: null, revenue: { total: '0.00', byProduct: [] } });
      expect((await app.inject('/nothing-here')).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });

  it('embeds a page script that is valid JavaScript', () => {
    expect(() => new Script(pageScript)).not.toThrow();
  });
});

describe('the pushes to pages', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  // Just what StateBroadcast uses of a response: what was written, whether it ended.
  function fakePage(): { page: ServerResponse; written: string[]; ended: () => boolean; close: () => void } {
    const written: string[] = [];
    const listeners: (() => void)[] = [];
    let ended = false;
    const page = {
      write: (text: string) => written.push(text),
      end: () => (ended = true),
      on: (event: string, listener: () => void) => (event === 'close' ? listeners.push(listener) : undefined),
    } as unknown as ServerResponse;
    return { page, written, ended: () => ended, close: () => listeners.forEach((listener) => listener()) };
  }

  it('sends the state at once, then a burst as one push of its last state, at most one per interval', () => {
    vi.useFakeTimers({ now });
    let version = 0;
    const broadcast = new StateBroadcast({ intervalMs: 250, render: () => JSON.stringify({ version }) });
    const first = fakePage();
    broadcast.add(first.page);
    expect(first.written).toEqual(['event: state\ndata: {"version":0}\n\n']);

    for (version = 1; version <= 100; version += 1) broadcast.changed();
    version = 100;
    vi.advanceTimersByTime(0);
    expect(first.written.slice(1)).toEqual(['event: state\ndata: {"version":100}\n\n']);

    version = 101;
    broadcast.changed();
    vi.advanceTimersByTime(249);
    expect(first.written).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(first.written.slice(2)).toEqual(['event: state\ndata: {"version":101}\n\n']);

    // A page that went away gets nothing more; closing ends the rest.
    const second = fakePage();
    broadcast.add(second.page);
    first.close();
    version = 102;
    broadcast.changed();
    vi.advanceTimersByTime(250);
    expect(first.written).toHaveLength(3);
    expect(second.written.at(-1)).toBe('event: state\ndata: {"version":102}\n\n');
    broadcast.close();
    expect(second.ended()).toBe(true);
    expect(broadcast.pageCount).toBe(0);
  });
});
