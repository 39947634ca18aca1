// The client package against a real node serving HTTPS with a test CA's certificate: in a
// process that trusts the CA through NODE_EXTRA_CA_CERTS (as the client's README says), SQL and
// a change stream work over https://; in this test's process, which does not trust it, a query
// and a subscription reject at once with TLS_FAILED instead of retrying or reconnecting.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TideClient } from '../../packages/client/src/index.js';
import { hasOpenssl } from '../support/test-certificates.js';
import { startHttpsNode } from '../system/https-node-process.js';
import type { HttpsNode } from '../system/https-node-process.js';

// This worktree's built client (the workspace link may resolve @tidedb/client elsewhere).
const clientEntry = resolve(import.meta.dirname, '../../packages/client/dist/index.js');

// A script that writes a row, reads it back and takes it from a stream (its snapshot, so the
// stream need not be open before the write), printing both.
const script = `
import { TideClient } from ${JSON.stringify(clientEntry)};
const db = new TideClient({ nodes: [process.env.NODE_URL] });
await db.query('INSERT INTO notes VALUES (1, ?)', ['over https']);
const { rows } = await db.query('SELECT body FROM notes WHERE id = 1');
const events = db.subscribe({ tables: ['notes'], snapshot: true })[Symbol.asyncIterator]();
let change;
while (change === undefined) {
  const { value } = await events.next();
  if (value.type === 'change') change = value;
}
await events.return();
console.log(JSON.stringify({ rows, change: { op: change.op, after: change.after } }));
`;

describe.skipIf(!hasOpenssl())('the client against an HTTPS node (needs openssl on PATH)', () => {
  let https: HttpsNode;

  beforeAll(async () => {
    https = await startHttpsNode('https-client');
    expect((await https.node.sql('CREATE TABLE notes (id INT PRIMARY KEY, body TEXT)')).status).toBe(200);
  }, 30_000);

  afterAll(async () => https?.close());

  it('queries and streams over https:// in a process given the CA by NODE_EXTRA_CA_CERTS', async () => {
    const run = promisify(execFile)(process.execPath, ['--input-type=module', '--eval', script], {
      env: { ...process.env, NODE_URL: https.node.url, NODE_EXTRA_CA_CERTS: https.certificates.caFile },
      timeout: 15_000,
    });
    const { stdout } = await run;
    expect(JSON.parse(stdout)).toEqual({ rows: [{ body: 'over https' }], change: { op: 'r', after: { id: 1, body: 'over https' } } });
  }, 20_000);

  it('rejects with TLS_FAILED at once where the CA is not trusted, for a query and a stream', async () => {
    const db = new TideClient({ nodes: [https.node.url] });
    await expect(db.query('SELECT 1')).rejects.toMatchObject({ code: 'TLS_FAILED', retriable: false, message: expect.stringContaining('NODE_EXTRA_CA_CERTS') });
    await expect(db.subscribe({ tables: ['notes'] })[Symbol.asyncIterator]().next()).rejects.toMatchObject({ code: 'TLS_FAILED' });
  }, 5_000);
});
