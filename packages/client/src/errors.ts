// The error every client call rejects with: the node's stable code and message (or the
// client's own, for failures the node never answered), whether a retry can succeed, and for
// SQL errors MySQL's number and SQLSTATE.
export class TideClientError extends Error {
  override readonly name = 'TideClientError';

  constructor(
    readonly code: string,
    message: string,
    readonly status: number | null,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }

  // The node refused before doing anything, or was unreachable before the request left: the
  // same request may be sent again (the client does so itself, to another node).
  get retriable(): boolean {
    return retriableCodes.has(this.code);
  }
}

// OUTCOME_UNKNOWN is deliberately absent: the write may have committed.
const retriableCodes = new Set(['NOT_LEADER', 'SHUTTING_DOWN', 'OVERLOADED', 'STREAMS_TOO_MANY', 'STREAM_STALLED', 'REQUEST_TIMEOUT', 'UNREACHABLE', 'TX_CONFLICT']);

// Raised when a request was sent and no answer came: whether it took effect is unknown.
export function outcomeUnknown(cause: unknown): TideClientError {
  return new TideClientError('OUTCOME_UNKNOWN', `no answer after the request was sent (${describe(cause)}); it may or may not have taken effect`, null);
}

// The TLS handshake with an https:// node failed, so nothing was sent; but another node or a
// later attempt would fail the same way, so the caller hears it at once (not retriable).
export function tlsFailed(url: string, cause: unknown): TideClientError {
  return new TideClientError('TLS_FAILED', `the TLS handshake with ${url} failed (${describe(cause)}): trust the CA that signed the nodes' certificates (NODE_EXTRA_CA_CERTS=ca.pem), and check the URL's host is named in them`, null);
}

export function unreachable(cause: unknown): TideClientError {
  return new TideClientError('UNREACHABLE', `no node could be reached (${describe(cause)})`, null);
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as { cause?: { code?: string } }).cause?.code;
    return code ?? cause.message;
  }
  return String(cause);
}
