// Certificates for tests of TLS, made by `openssl` in a temporary directory: a CA, and a
// certificate it signs for 127.0.0.1 and localhost, as an operator would give every node of a
// cluster. A second call makes an unrelated CA (a node given the wrong CA).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  readonly dir: string;
  // Files, for a node's flags (--tls-cert, --tls-key, --tls-ca).
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  // Their contents, for clients in the test.
  readonly ca: Buffer;
  readonly cert: Buffer;
  readonly key: Buffer;
  remove(): void;
}

export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function makeCertificates(name: string): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), `tidedb-${name}-`));
  const file = (base: string): string => join(dir, base);
  const openssl = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '1', '-subj', `/CN=${name} test CA`);
  openssl('req', ...ec, '-keyout', file('node.key'), '-out', file('node.csr'), '-subj', '/CN=127.0.0.1');
  // The node's names go in subjectAltName: clients match the URL's host against it, not the CN.
  writeFileSync(file('node.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  openssl('x509', '-req', '-in', file('node.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('node.pem'), '-days', '1', '-extfile', file('node.ext'));
  return {
    dir,
    caFile: file('ca.pem'),
    certFile: file('node.pem'),
    keyFile: file('node.key'),
    ca: readFileSync(file('ca.pem')),
    cert: readFileSync(file('node.pem')),
    key: readFileSync(file('node.key')),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
