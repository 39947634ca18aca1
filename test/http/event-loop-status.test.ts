// GET /v1/status reports the event loop's delay, measured from when the node listens: numbers
// in milliseconds that see a deliberate stall, read over a real socket from an in-process node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventLoopDelay } from '../../services/http/event-loop-delay.js';
import { startInProcessNode } from './in-process-node.js';
import type { InProcessNode } from './in-process-node.js';

interface EventLoopStatus {
  readonly delay_max_ms: number;
  readonly delay_p99_ms: number;
  readonly delay_mean_ms: number;
}

function blockFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

describe('the event loop delay in /v1/status', () => {
  let node: InProcessNode;
  let port: number;

  beforeAll(async () => {
    node = await startInProcessNode();
    port = await node.listen();
  });
  afterAll(async () => node.close());

  async function eventLoop(): Promise<EventLoopStatus> {
    const response = await fetch(`http://127.0.0.1:${port}/v1/status`);
    expect(response.status).toBe(200);
    return ((await response.json()) as { event_loop: EventLoopStatus }).event_loop;
  }

  it('reports max, p99 and mean as non-negative numbers', async () => {
    await sleep(100);
    const status = await eventLoop();
    expect(Object.keys(status).sort()).toEqual(['delay_max_ms', 'delay_mean_ms', 'delay_p99_ms']);
    for (const value of Object.values(status)) {
      expect(typeof value).toBe('number');
      expect(value).toBeGreaterThanOrEqual(0);
    }
  });

  it('sees a 200 ms stall in its max, and keeps it', async () => {
    blockFor(200);
    await sleep(50);
    const status = await eventLoop();
    // The timer may have been part-way through its 10 ms period when the stall began.
    expect(status.delay_max_ms).toBeGreaterThanOrEqual(185);
    expect(status.delay_max_ms).toBeLessThan(1_000);
    expect(status.delay_p99_ms).toBeLessThanOrEqual(status.delay_max_ms);
    expect(status.delay_mean_ms).toBeLessThanOrEqual(status.delay_max_ms);
    await sleep(100);
    expect((await eventLoop()).delay_max_ms).toBe(status.delay_max_ms);
  });
});

describe('EventLoopDelay before it starts', () => {
  it('reports zeros, not NaN, and ignores stalls before start', async () => {
    const monitor = new EventLoopDelay();
    blockFor(300);
    expect(monitor.status()).toEqual({ delay_max_ms: 0, delay_p99_ms: 0, delay_mean_ms: 0 });
    monitor.start();
    await sleep(50);
    expect(monitor.status().delay_max_ms).toBeLessThan(250);
    monitor.stop();
  });
});
