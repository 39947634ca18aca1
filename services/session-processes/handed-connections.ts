// The HTTP connections a process serves that its HTTP server did not accept itself (dealt to
// it by the node's port, session-processes/http-dealer.ts): Node's server.close() waits only
// for connections its own listener accepted, so a stopping process lets these finish here.
import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';

const drainPollMs = 25;

export class HandedConnections {
  private readonly open = new Set<Socket>();

  get size(): number {
    return this.open.size;
  }

  add(socket: Socket): void {
    this.open.add(socket);
    socket.once('close', () => this.open.delete(socket));
  }

  // Closes each connection once no request is in flight on it (a request being answered is
  // answered first), and any still open after `graceMs`. Call once the server has closed, so
  // that no new request begins meanwhile.
  async drain(server: HttpServer, graceMs: number): Promise<void> {
    const deadline = Date.now() + graceMs;
    while (this.open.size > 0 && Date.now() < deadline) {
      server.closeIdleConnections();
      await new Promise((resolve) => setTimeout(resolve, drainPollMs));
    }
    for (const socket of this.open) socket.destroy();
  }
}
