// The parse worker's thread: parses statement texts too long to parse on the event loop and
// answers, in order, each text's syntax trees or the TideDB error it failed with.
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { assert } from '../base/assert.js';
import { isTideError } from '../base/errors.js';
import { parseChecked } from './syntax.js';
import type { ParseOutcome, ParseReply, ParseRequest } from './parse-pool.js';

assert(parentPort !== null, 'parse-worker.ts runs as a worker thread');
const port = parentPort;

// The worker parses texts the event loop must not wait on, so it must not take the loop's core
// either: on a machine with few cores, a thread parsing a long text at the same priority gets
// the CPU as often as the loop that answers every request, Raft tick and fsync. A higher nice
// value for this thread alone (on Linux a priority is a thread's, and 0 names the calling one)
// keeps the loop first. Raising one's own nice value needs no privilege; where the platform
// refuses anyway, parsing runs at the normal priority.
const parseWorkerNice = 10;
try {
  setPriority(0, parseWorkerNice);
} catch {
  // Keep the default priority.
}

port.on('message', (request: ParseRequest) => {
  const outcomes = request.texts.map((sql): ParseOutcome => {
    try {
      return { kind: 'parsed', statements: parseChecked(sql) };
    } catch (error) {
      if (!isTideError(error)) throw error;
      return { kind: 'failed', code: error.code, message: error.message, details: error.details };
    }
  });
  // As JSON text: the structured clone of a deep tree overflows the receiving thread's stack
  // as it rebuilds it, while JSON.parse rebuilds without recursion (and faster).
  port.postMessage({ id: request.id, outcomesJson: JSON.stringify(outcomes) } satisfies ParseReply);
});
