// The nodes a client talks to and how it moves between them: requests go to the current node;
// when it cannot be reached (or says it cannot serve: no leader, shutting down) the next one is
// tried, with a growing pause after a full round, within the caller's deadline.
import { TideClientError, outcomeUnknown, tlsFailed, unreachable } from './errors.js';

export interface NodesOptions {
  // Base URLs, e.g. ['http://127.0.0.1:4001', 'http://127.0.0.1:4002'].
  readonly nodes: readonly string[];
  // How long a call keeps trying other nodes before it gives up; default 10 s.
  readonly retryForMs?: number;
  // The account every request logs in as (HTTP Basic auth); without them, none is sent, which
  // only a node without a root password accepts, from loopback.
  readonly user?: string;
  readonly password?: string;
}

// Failures of fetch that mean the request never reached a node, so sending it again is safe.
const notSentCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

export function neverSent(error: unknown): boolean {
  const code = (error as { cause?: { code?: string } } | null)?.cause?.code;
  return code !== undefined && notSentCodes.has(code);
}

// Failures of fetch's TLS handshake: a certificate not signed by a CA Node trusts (the system's,
// and NODE_EXTRA_CA_CERTS), one for another host, or a node that does not speak TLS.
const tlsCodes = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_UNTRUSTED', 'CERT_REVOKED', 'HOSTNAME_MISMATCH', 'EPROTO']);

export function tlsFailure(url: string, error: unknown): TideClientError | null {
  const code = (error as { cause?: { code?: string } } | null)?.cause?.code;
  if (code === undefined || !(tlsCodes.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_'))) return null;
  return tlsFailed(url, error);
}

export class Nodes {
  private current = 0;
  readonly urls: readonly string[];
  readonly retryForMs: number;
  // The headers every request carries: the Authorization of the account, if one was given.
  readonly headers: Readonly<Record<string, string>>;

  constructor(options: NodesOptions) {
    if (options.nodes.length === 0) throw new TypeError('a client needs at least one node URL');
    this.urls = options.nodes.map((url) => url.replace(/\/+$/, ''));
    this.retryForMs = options.retryForMs ?? 10_000;
    const login = options.user === undefined ? null : `${options.user}:${options.password ?? ''}`;
    this.headers = login === null ? {} : { authorization: `Basic ${btoa(String.fromCharCode(...new TextEncoder().encode(login)))}` };
  }

  get url(): string {
    return this.urls[this.current]!;
  }

  // Moves to the next node; true when a whole round has been tried.
  next(): boolean {
    this.current = (this.current + 1) % this.urls.length;
    return this.current === 0;
  }

  // Calls `attempt` on the current node, and on the next ones while it fails in a way that is
  // safe to retry, until the deadline. Anything else is the caller's answer.
  async withFailover<T>(attempt: (url: string) => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.retryForMs;
    let pauseMs = 50;
    for (;;) {
      const url = this.url;
      try {
        return await attempt(url);
      } catch (error) {
        const tls = tlsFailure(url, error);
        if (tls !== null) throw tls;
        const retry = error instanceof TideClientError ? error.retriable && error.code !== 'TX_CONFLICT' : neverSent(error);
        if (!retry) throw error instanceof TideClientError ? error : outcomeUnknown(error);
        if (Date.now() >= deadline) throw error instanceof TideClientError ? error : unreachable(error);
        if (this.next()) {
          await new Promise((resolve) => setTimeout(resolve, pauseMs));
          pauseMs = Math.min(pauseMs * 2, 1_000);
        }
      }
    }
  }
}

// The node's error body as a client error.
export async function errorOf(response: Response): Promise<TideClientError> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } & Record<string, unknown> };
    const error = body.error;
    if (error !== undefined && typeof error.code === 'string') {
      const { code, message, ...details } = error;
      return new TideClientError(code, typeof message === 'string' ? message : code, response.status, details);
    }
  } catch {
    // not JSON: reported below
  }
  return new TideClientError('UNEXPECTED_RESPONSE', `HTTP ${response.status}: ${text.slice(0, 200)}`, response.status);
}
