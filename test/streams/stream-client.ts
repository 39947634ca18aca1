// A change-stream subscriber for tests: opens GET /v1/changes on a real socket, parses NDJSON
// or SSE as it arrives, and lets a test wait for the events it expects.
import { request } from 'node:http';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { startInProcessNode } from '../http/in-process-node.js';
import type { InProcessNode } from '../http/in-process-node.js';

export interface StreamedEvent {
  readonly type: string;
  readonly lsn?: string;
  readonly op?: string;
  readonly table?: string;
  readonly key?: Record<string, unknown>;
  readonly before?: Record<string, unknown> | null;
  readonly after?: Record<string, unknown> | null;
  readonly transaction?: { readonly id: string; readonly order: number; readonly total: number } | null;
  readonly code?: string;
  readonly schema_version?: number;
  // SSE only: the frame's id, when it had one.
  readonly sseId?: string | undefined;
}

export interface StreamSubscriber {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly events: StreamedEvent[];
  // The body of a response that is not a stream (an error).
  readonly errorBody: () => Promise<Record<string, unknown>>;
  // Resolves with the first event (from the start) that matches, waiting up to timeoutMs.
  waitFor(match: (event: StreamedEvent) => boolean, timeoutMs?: number): Promise<StreamedEvent>;
  readonly ended: Promise<void>;
  pause(): void;
  resume(): void;
  close(): void;
}

export function subscribe(port: number, query: string, headers: Record<string, string> = {}): Promise<StreamSubscriber> {
  return new Promise((resolve, reject) => {
    const req: ClientRequest = request({ host: '127.0.0.1', port, path: `/v1/changes?${query}`, headers }, (response) => {
      const events: StreamedEvent[] = [];
      const listeners: (() => void)[] = [];
      const sse = (response.headers['content-type'] ?? '').startsWith('text/event-stream');
      let buffer = '';
      let raw = '';
      response.setEncoding('utf8');
      const ended = new Promise<void>((done) => response.once('close', () => done()));
      response.on('data', (chunk: string) => {
        if (response.statusCode !== 200) {
          raw += chunk;
          return;
        }
        buffer += chunk;
        const separator = sse ? '\n\n' : '\n';
        let at: number;
        while ((at = buffer.indexOf(separator)) >= 0) {
          const frame = buffer.slice(0, at);
          buffer = buffer.slice(at + separator.length);
          events.push(sse ? parseSseFrame(frame) : JSON.parse(frame));
        }
        for (const listener of [...listeners]) listener();
      });
      resolve({
        status: response.statusCode ?? 0,
        headers: response.headers,
        events,
        errorBody: async () => {
          await ended;
          return JSON.parse(raw) as Record<string, unknown>;
        },
        waitFor(match, timeoutMs = 10_000) {
          return new Promise((found, fail) => {
            const check = (): boolean => {
              const event = events.find(match);
              if (event === undefined) return false;
              clearTimeout(timer);
              listeners.splice(listeners.indexOf(check), 1);
              found(event);
              return true;
            };
            const timer = setTimeout(() => {
              listeners.splice(listeners.indexOf(check), 1);
              fail(new Error(`no matching event within ${timeoutMs} ms; got ${events.length}: ${JSON.stringify(events.slice(-3))}`));
            }, timeoutMs);
            listeners.push(check);
            check();
          });
        },
        ended,
        pause: () => response.pause(),
        resume: () => response.resume(),
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function parseSseFrame(frame: string): StreamedEvent {
  let id: string | undefined;
  let type = '';
  let data = '';
  for (const line of frame.split('\n')) {
    if (line.startsWith('id: ')) id = line.slice(4);
    else if (line.startsWith('event: ')) type = line.slice(7);
    else if (line.startsWith('data: ')) data += line.slice(6);
  }
  const event = JSON.parse(data) as StreamedEvent;
  if (event.type !== type) throw new Error(`SSE event name ${type} differs from its data's type ${event.type}`);
  return { ...event, sseId: id };
}

// One in-process node for a test file, with `sql` that expects 200, `request` that answers
// whatever the node answered, and `stream` that opens a subscription closed after each test.
export function useStreamNode(setup: (sql: (statement: string) => Promise<Record<string, unknown>>) => Promise<void> = async () => undefined): {
  sql(statement: string): Promise<Record<string, unknown>>;
  request(body: Parameters<InProcessNode['sql']>[0]): ReturnType<InProcessNode['sql']>;
  stream(query: string): Promise<StreamSubscriber>;
} {
  let node: InProcessNode;
  let port: number;
  const open: StreamSubscriber[] = [];
  const sql = async (statement: string): Promise<Record<string, unknown>> => {
    const response = await node.sql({ sql: statement });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body;
  };
  beforeAll(async () => {
    node = await startInProcessNode();
    port = await node.listen();
    await setup(sql);
  });
  afterEach(() => {
    for (const subscriber of open.splice(0)) subscriber.close();
  });
  afterAll(async () => node.close());
  return {
    sql,
    request: (body) => node.sql(body),
    async stream(query) {
      const subscriber = await subscribe(port, query);
      expect(subscriber.status).toBe(200);
      open.push(subscriber);
      return subscriber;
    },
  };
}
