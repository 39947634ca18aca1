// Proves the signed identity a follower forwards: it verifies only with the cluster secret, for
// the same forwarder, route and body, within the allowed clock skew; anything else is refused
// with FORWARD_UNAUTHENTICATED.
import { describe, expect, it } from 'vitest';
import { forwardedIdentitySkewMsMax } from '../../services/base/limits.js';
import { forwardedUserHeader, identityHeaders, verifiedPrincipal } from '../../services/write/forwarded-identity.js';

const secret = 'a-cluster-secret-of-16+';
const request = { forwardedBy: '2', method: 'POST', path: '/v1/sql', body: '{"sql":"INSERT INTO t VALUES (1)"}' };
const nowMs = 1_700_000_000_000;

function refusal(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe('forwarded identities', () => {
  it('carries an account, or the node itself, through a valid signature', () => {
    const headers = identityHeaders(secret, request, { user: 'bo@b', host: '10.0.%' }, nowMs);
    expect(verifiedPrincipal(secret, request, headers, nowMs + 1_000)).toEqual({ user: 'bo@b', host: '10.0.%' });
    expect(verifiedPrincipal(secret, request, identityHeaders(secret, request, null, nowMs), nowMs)).toBeNull();
  });

  it('refuses another secret, forwarder, route, body or identity, a missing signature, and a stale time', () => {
    const headers = identityHeaders(secret, request, { user: 'reader', host: '%' }, nowMs);
    const cases: (() => unknown)[] = [
      () => verifiedPrincipal('another-secret-of-16+++', request, headers, nowMs),
      () => verifiedPrincipal(secret, { ...request, forwardedBy: '3' }, headers, nowMs),
      () => verifiedPrincipal(secret, { ...request, path: '/v1/cluster/leader' }, headers, nowMs),
      () => verifiedPrincipal(secret, { ...request, body: '{"sql":"DROP TABLE t"}' }, headers, nowMs),
      () => verifiedPrincipal(secret, request, { ...headers, [forwardedUserHeader]: 'root@%25' }, nowMs),
      () => verifiedPrincipal(secret, request, { [forwardedUserHeader]: 'root@%25' }, nowMs),
      () => verifiedPrincipal(secret, request, headers, nowMs + forwardedIdentitySkewMsMax + 1),
    ];
    expect(cases.map(refusal)).toEqual(cases.map(() => 'FORWARD_UNAUTHENTICATED'));
  });
});
