// The parse worker's thread: parses statement texts too long to parse on the event loop and
// answers, in order, each text's syntax trees or the TideDB error it failed with.
import { parentPort } from 'node:worker_threads';
import { assert } from '../base/assert.js';
import { isTideError } from '../base/errors.js';
import { parseChecked } from './syntax.js';
import type { ParseOutcome, ParseReply, ParseRequest } from './parse-pool.js';

assert(parentPort !== null, 'parse-worker.ts runs as a worker thread');
const port = parentPort;

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
