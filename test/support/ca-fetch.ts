// fetch for tests of HTTPS nodes whose certificates a test CA signed: Node 20's fetch trusts
// only the system's CAs (and NODE_EXTRA_CA_CERTS, read at start), so this sends with
// node:https and the given CA, and answers a standard Response (its body streamed, so a change
// stream can be read as it arrives). Strings as bodies only, which is all the tests send.
import { request } from 'node:https';
import { Readable } from 'node:stream';

export type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

export function caFetch(ca: Buffer): Fetch {
  return (url, init = {}) =>
    new Promise((resolve, reject) => {
      const headers = Object.fromEntries(new Headers(init.headers).entries());
      const body = init.body ?? undefined;
      if (body !== undefined && body !== null && typeof body !== 'string') throw new TypeError('caFetch sends string bodies only');
      const outgoing = request(url, { method: init.method ?? 'GET', headers, ca, agent: false, ...(init.signal ? { signal: init.signal } : {}) }, (response) => {
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(response.headers)) if (typeof value === 'string') responseHeaders.set(name, value);
        const status = response.statusCode ?? 0;
        // A Response of these statuses may not have a body.
        const empty = status === 204 || status === 304;
        resolve(new Response(empty ? null : (Readable.toWeb(response) as ReadableStream<Uint8Array>), { status, headers: responseHeaders }));
      });
      outgoing.once('error', reject);
      outgoing.end(body ?? undefined);
    });
}
