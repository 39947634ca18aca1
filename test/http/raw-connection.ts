// A raw TCP connection to a node, for tests that must control every byte and its timing (a
// body trickling, headers never finished, a malformed request line) and observe the close.
import { connect } from 'node:net';
import type { Socket } from 'node:net';

export interface RawConnection {
  write(text: string): void;
  // Everything the node sent so far.
  received(): string;
  // Settles when the node (or the test) closes the connection: what arrived, and when,
  // counted from the moment the connection opened.
  readonly closed: Promise<{ readonly text: string; readonly afterMs: number }>;
  destroy(): void;
}

export async function openRawConnection(port: number): Promise<RawConnection> {
  const socket: Socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const openedAt = performance.now();
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (text += chunk));
  // A reset by the node counts as a close; the test looks at what arrived before it.
  socket.on('error', () => {});
  const closed = new Promise<{ text: string; afterMs: number }>((resolve) => socket.once('close', () => resolve({ text, afterMs: performance.now() - openedAt })));
  return {
    write: (chunk) => void socket.write(chunk),
    received: () => text,
    closed,
    destroy: () => socket.destroy(),
  };
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

// Parses the first response of a connection's bytes (headers and a Content-Length body).
export function parseResponse(text: string): RawResponse {
  const headerEnd = text.indexOf('\r\n\r\n');
  if (headerEnd < 0) throw new Error(`no complete response in ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine = '', ...headerLines] = text.slice(0, headerEnd).split('\r\n');
  const headers = Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  const length = Number(headers['content-length'] ?? 0);
  return { status: Number(statusLine.split(' ')[1]), headers, body: text.slice(headerEnd + 4, headerEnd + 4 + length) };
}

// Waits until `received()` holds a whole response, or fails after timeoutMs.
export async function nextResponse(connection: RawConnection, from = 0, timeoutMs = 2_000): Promise<RawResponse> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const text = connection.received().slice(from);
    const headerEnd = text.indexOf('\r\n\r\n');
    if (headerEnd >= 0) {
      const response = parseResponse(text);
      if (Buffer.byteLength(response.body) >= Number(response.headers['content-length'] ?? 0)) return response;
    }
    if (performance.now() > deadline) throw new Error(`no response within ${timeoutMs} ms: ${JSON.stringify(text.slice(0, 200))}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
