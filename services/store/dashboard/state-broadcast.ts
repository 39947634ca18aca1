// Pushes the dashboard's view to every open page as server-sent events. Changes may come
// thousands of times a second; a page needs a few frames a second, so pushes are throttled: at
// most one per `intervalMs`, and the one that follows a burst carries the burst's last state
// (a change is never left unsent, only merged into the next push).
import type { ServerResponse } from 'node:http';

export interface StateBroadcastOptions {
  readonly intervalMs: number;
  // The text of one push: the view as it is now.
  readonly render: () => string;
}

// Proxies and browsers drop a connection that stays silent too long; a comment line keeps it.
const keepAliveMs = 15_000;

export class StateBroadcast {
  private readonly pages = new Set<ServerResponse>();
  private lastPushMs = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly keepAlive: NodeJS.Timeout;

  constructor(private readonly options: StateBroadcastOptions) {
    this.keepAlive = setInterval(() => this.writeAll(': keep-alive\n\n'), keepAliveMs);
    this.keepAlive.unref();
  }

  // Takes an SSE response whose headers are sent; it gets the current state at once.
  add(page: ServerResponse): void {
    this.pages.add(page);
    page.on('close', () => this.pages.delete(page));
    page.write(event(this.options.render()));
  }

  // Something changed: a push is due, now or once the interval since the last one has passed.
  changed(): void {
    if (this.timer !== null) return;
    const waitMs = Math.max(0, this.lastPushMs + this.options.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.lastPushMs = Date.now();
      if (this.pages.size > 0) this.writeAll(event(this.options.render()));
    }, waitMs);
  }

  get pageCount(): number {
    return this.pages.size;
  }

  // Ends every page's stream (a page's EventSource reconnects to whoever serves next).
  close(): void {
    clearInterval(this.keepAlive);
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    for (const page of this.pages) page.end();
    this.pages.clear();
  }

  private writeAll(text: string): void {
    for (const page of this.pages) page.write(text);
  }
}

function event(data: string): string {
  return `event: state\ndata: ${data}\n\n`;
}
