// The dashboard's HTTP server: the page and its script, styles and chart library; the state
// pushed as server-sent events (/events); and the same state as JSON (/api/state), which is
// what a test or a script compares with SQL.
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { readChartScript } from './chart-asset.js';
import type { DashboardState } from './dashboard-state.js';
import { pageHtml } from './page-html.js';
import { pageScript } from './page-script.js';
import { pageStyle } from './page-style.js';
import type { StateBroadcast } from './state-broadcast.js';

export interface DashboardServerOptions {
  readonly state: DashboardState;
  readonly broadcast: StateBroadcast;
  // The clock the orders-per-minute window ends at.
  readonly nowMs?: () => number;
}

export function dashboardServer(options: DashboardServerOptions): FastifyInstance {
  const nowMs = options.nowMs ?? Date.now;
  // Read once: a missing chart.js fails the start, not the first page view.
  const chartScript = readChartScript();
  const app = Fastify({ logger: false });

  app.get('/', (_request, reply) => reply.type('text/html; charset=utf-8').send(pageHtml));
  app.get('/dashboard.js', (_request, reply) => reply.type('text/javascript; charset=utf-8').send(pageScript));
  app.get('/dashboard.css', (_request, reply) => reply.type('text/css; charset=utf-8').send(pageStyle));
  app.get('/assets/chart.js', (_request, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(chartScript));
  // Browsers ask for it unprompted; an empty answer keeps a 404 out of the page's console.
  app.get('/favicon.ico', (_request, reply) => reply.code(204).send());
  app.get('/api/state', (_request, reply) => reply.header('cache-control', 'no-store').send(options.state.view(nowMs())));

  app.get('/events', (request, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      // Proxies that buffer responses (nginx) would hold the pushes back.
      'x-accel-buffering': 'no',
    });
    options.broadcast.add(reply.raw);
    request.raw.on('close', () => reply.raw.end());
  });

  // Open event streams never end by themselves; closing the server ends them first, or
  // close() would wait for the pages to go away.
  app.addHook('preClose', (done) => {
    options.broadcast.close();
    done();
  });
  return app;
}
