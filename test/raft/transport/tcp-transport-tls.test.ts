// Proves peer links run over mutual TLS when given certificates: messages flow between nodes
// whose certificates the cluster's CA signed, and a node with a certificate from another CA
// never gets a message through. Certificates are made here with `openssl` (skipped without it).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { PeerTlsOptions } from '../../../services/raft/transport/peer-sockets.js';
import { closeAll, commits, downCodes, heartbeat, startNode, waitFor } from './peer-harness.js';

const dir = mkdtempSync(join(tmpdir(), 'tidedb-peer-tls-'));
const openssl = hasOpenssl();

afterEach(closeAll);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// A self-signed certificate for 127.0.0.1, serving as its own CA: every node of a test
// cluster shares it, as nodes would share a cluster CA.
function selfSigned(name: string): PeerTlsOptions {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '1', '-subj', `/CN=${name}`, '-addext', 'subjectAltName=IP:127.0.0.1',
  ], { stdio: 'ignore' });
  const pem = readFileSync(cert);
  return { cert: pem, key: readFileSync(key), ca: pem };
}

describe.skipIf(!openssl)('tcp transport over TLS (needs openssl on PATH)', () => {
  it('delivers messages in order between nodes of one CA', async () => {
    const tls = selfSigned('cluster');
    const one = await startNode(1, { tls });
    const two = await startNode(2, { tls, peers: new Map([[1, `127.0.0.1:${one.transport.port}`]]) });
    one.transport.setPeers(new Map([[2, `127.0.0.1:${two.transport.port}`]]));
    for (let commit = 0n; commit < 100n; commit++) two.transport.send(heartbeat(2, 1, commit));
    one.transport.send(heartbeat(1, 2, 7n));
    await waitFor(() => one.received.length === 100 && two.received.length === 1, 'the messages');
    expect(commits(one.received)).toEqual(Array.from({ length: 100 }, (_, i) => BigInt(i)));
    expect(commits(two.received)).toEqual([7n]);
  });

  it('refuses unusable PEM or a key that is not the certificate\'s with PEER_CONFIG_INVALID', async () => {
    const tls = selfSigned('cluster');
    const other = selfSigned('other');
    await expect(startNode(1, { tls: { ...tls, cert: 'not a certificate' } })).rejects.toMatchObject({ code: 'PEER_CONFIG_INVALID' });
    await expect(startNode(1, { tls: { ...tls, key: other.key } })).rejects.toMatchObject({ code: 'PEER_CONFIG_INVALID' });
  });

  it('refuses a node whose certificate another CA signed, though it knows the secret', async () => {
    const one = await startNode(1, { tls: selfSigned('cluster') });
    const stranger = await startNode(2, { tls: selfSigned('elsewhere'), peers: new Map([[1, `127.0.0.1:${one.transport.port}`]]) });
    one.transport.setPeers(new Map([[2, `127.0.0.1:${stranger.transport.port}`]]));
    stranger.transport.send(heartbeat(2, 1, 1n));
    one.transport.send(heartbeat(1, 2, 1n));
    await waitFor(() => downCodes(stranger, 'outbound').length > 0 && downCodes(one, 'outbound').length > 0, 'both dials to fail');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(one.received).toEqual([]);
    expect(stranger.received).toEqual([]);
    expect(one.events.some((event) => event.kind === 'linkUp')).toBe(false);
    expect(one.events.some((event) => event.kind === 'linkDown' && event.direction === 'inbound' && event.peerId === null)).toBe(true);
  });
});
