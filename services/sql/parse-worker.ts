// The parse worker's thread: parses statement texts too long to parse on the event loop and
// answers, in order, each text's syntax trees or the TideDB error it failed with.
import { parentPort } from 'node:worker_threads';
import { assert } from '../base/assert.js';
import { isTideError } from '../base/errors.js';
import { parseChecked } from './syntax.js';
import type { ParseReply, ParseRequest } from './parse-pool.js';

assert(parentPort !== null, 'parse-worker.ts runs as a worker thread');
const port = parentPort;

port.on('message', (request: ParseRequest) => {
  const outcomes = request.texts.map((sql): ParseReply['outcomes'][number] => {
    try {
      return { kind: 'parsed', statements: parseChecked(sql) };
    } catch (error) {
      if (!isTideError(error)) throw error;
      return { kind: 'failed', code: error.code, message: error.message, details: error.details };
    }
  });
  port.postMessage({ id: request.id, outcomes } satisfies ParseReply);
});
