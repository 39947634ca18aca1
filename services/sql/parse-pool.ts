// The parse worker, seen from the event loop: texts go to one worker thread and come back as
// syntax trees or errors. Parsing a long statement takes seconds (node-sql-parser does about
// half a megabyte a second), and on the loop that would stall every other request; on the
// worker it costs the loop only the copy of the result. One worker: on two cores the loop
// keeps the other.
import { Worker } from 'node:worker_threads';
import { TideError } from '../base/errors.js';
import type { ErrorCode, ErrorDetails } from '../base/errors.js';
import { parseQueueCharsMax } from '../base/limits.js';
import type { AstNode } from './syntax.js';

export interface ParseRequest {
  readonly id: number;
  readonly texts: readonly string[];
}

export type ParseOutcome =
  | { readonly kind: 'parsed'; readonly statements: readonly AstNode[] }
  | { readonly kind: 'failed'; readonly code: ErrorCode; readonly message: string; readonly details: ErrorDetails };

export interface ParseReply {
  readonly id: number;
  // JSON of the outcomes, in the order of the request's texts.
  readonly outcomesJson: string;
}

interface Waiter {
  readonly chars: number;
  readonly resolve: (outcomes: readonly ParseOutcome[]) => void;
  readonly reject: (error: TideError) => void;
}

// The worker's heap is bounded so that a statement whose tree would not fit fails alone,
// instead of the node running out of memory.
const workerHeapMbMax = 512;

export class ParsePool {
  private worker: Worker | null = null;
  private nextId = 1;
  private charsWaiting = 0;
  private readonly waiters = new Map<number, Waiter>();

  parse(texts: readonly string[]): Promise<readonly ParseOutcome[]> {
    const chars = texts.reduce((sum, text) => sum + text.length, 0);
    if (this.charsWaiting + chars > parseQueueCharsMax) {
      return Promise.reject(new TideError('OVERLOADED', `more than ${parseQueueCharsMax} characters of statements are waiting to be parsed; retry later`));
    }
    const id = this.nextId++;
    this.charsWaiting += chars;
    return new Promise((resolve, reject) => {
      this.waiters.set(id, { chars, resolve, reject });
      this.running().postMessage({ id, texts } satisfies ParseRequest);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }

  private running(): Worker {
    if (this.worker !== null) return this.worker;
    const worker = new Worker(workerScript(), { resourceLimits: { maxOldGenerationSizeMb: workerHeapMbMax } });
    // The worker never keeps the process alive: the servers do, and stopping them stops the node.
    worker.unref();
    worker.on('message', (reply: ParseReply) => this.settle(reply));
    worker.on('error', (error: Error & { code?: string }) => {
      const outOfMemory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.failAll(outOfMemory ? new TideError('OVERLOADED', 'a statement was too large to parse in the memory allowed; send smaller statements') : new TideError('INTERNAL', 'internal error'));
    });
    // A reply that cannot be read is a fault of ours; its waiter cannot be told apart.
    worker.on('messageerror', () => this.failAll(new TideError('INTERNAL', 'internal error')));
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = null;
      this.failAll(new TideError('OVERLOADED', 'the parse worker stopped; retry'));
    });
    this.worker = worker;
    return worker;
  }

  private settle(reply: ParseReply): void {
    const waiter = this.waiters.get(reply.id);
    if (waiter === undefined) return;
    this.waiters.delete(reply.id);
    this.charsWaiting -= waiter.chars;
    waiter.resolve(JSON.parse(reply.outcomesJson) as ParseOutcome[]);
  }

  private failAll(error: TideError): void {
    if (this.worker !== null) {
      void this.worker.terminate();
      this.worker = null;
    }
    for (const waiter of this.waiters.values()) waiter.reject(error);
    this.waiters.clear();
    this.charsWaiting = 0;
  }
}

// The worker runs compiled JavaScript. Under the test runner this module is the TypeScript
// source, and the worker runs the build of the same file (the test script builds first).
function workerScript(): URL {
  if (import.meta.url.endsWith('.ts')) return new URL('../../dist/services/sql/parse-worker.js', import.meta.url);
  return new URL('./parse-worker.js', import.meta.url);
}
