// Proves, with a real node process listening on every address (port 26021), that a node started
// without a root password says so in its log, answers a client that reaches it through a
// non-loopback address of this machine 403 LOOPBACK_ONLY (logged), and serves loopback clients
// as root. Skipped where the machine has no non-loopback IPv4 address.
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeProcess, sleep, temporaryDir } from '../system/node-process.js';

const outside = Object.values(networkInterfaces())
  .flat()
  .find((address) => address !== undefined && address.family === 'IPv4' && !address.internal)?.address;

describe.skipIf(outside === undefined)('a node without a root password', () => {
  const dir = temporaryDir('users-loopback');
  const node = new NodeProcess(dir.path, 26021, ['--host', '0.0.0.0']);
  beforeAll(async () => node.start(), 30_000);
  afterAll(async () => {
    await node.stop();
    dir.remove();
  });

  it('logs that it serves loopback only, refuses a client from another address, and serves loopback as root', async () => {
    expect(node.output).toContain('serving loopback clients only');
    const refused = await fetch(`http://${outside}:26021/v1/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"sql":"SELECT 1"}' });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('LOOPBACK_ONLY');
    const loopback = await node.sql('SHOW GRANTS');
    expect(loopback.body.results?.[0]?.rows).toEqual([['GRANT ALL PRIVILEGES ON *.* TO `root`@`%`']]);
    for (let attempt = 0; attempt < 40 && !node.output.includes(`"remote_address":"${outside}"`); attempt++) await sleep(50);
    expect(node.output).toContain(`"remote_address":"${outside}"`);
  });
});
