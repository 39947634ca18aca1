// A real node process given a test CA's certificate (--tls-cert, --tls-key), for the tests of
// HTTPS: its HTTP port serves HTTPS (or, with `httpTls` false, stays plain: --http-tls false),
// and its own requests trust the CA. `close` stops it and removes its files and certificates.
import { makeCertificates } from '../support/test-certificates.js';
import type { TestCertificates } from '../support/test-certificates.js';
import { NodeProcess, freePort, temporaryDir } from './node-process.js';

export interface HttpsNode {
  readonly node: NodeProcess;
  readonly certificates: TestCertificates;
  close(): Promise<void>;
}

export async function startHttpsNode(name: string, extraArgs: readonly string[] = [], httpTls = true): Promise<HttpsNode> {
  const certificates = makeCertificates(name);
  const dir = temporaryDir(name);
  const flags = ['--tls-cert', certificates.certFile, '--tls-key', certificates.keyFile, '--http-tls', String(httpTls), ...extraArgs];
  const node = new NodeProcess(dir.path, await freePort(), flags, httpTls ? { ca: certificates.ca } : undefined);
  const close = async (): Promise<void> => {
    await node.stop();
    dir.remove();
    certificates.remove();
  };
  try {
    await node.start();
  } catch (error) {
    await close();
    throw error;
  }
  return { node, certificates, close };
}
