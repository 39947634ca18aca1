// The node's HTTP port when session processes serve HTTP too: it accepts each connection,
// holds the node to its one connection bound (the main process's connections and its session
// processes' together), and deals the connection round robin, to a session process or to the
// main process's own HTTP server, which then serves it as one it accepted itself. The main
// process's server listens on a loopback port of its own besides, where its session processes
// send what they pass on (transactions, change streams, status): those must reach it, never
// be dealt.
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import type { ConnectionHandOff } from '../mysql/server.js';
import { HandedConnections } from './handed-connections.js';

export interface HttpDealerOptions {
  readonly host: string;
  readonly port: number;
  // The main process's HTTP server, fed the connections it keeps.
  readonly http: HttpServer;
  readonly handOff: ConnectionHandOff;
  readonly connectionsMax: number;
}

export class HttpDealer {
  // The connections the main process serves itself.
  private readonly own = new HandedConnections();
  private lastId = 0;

  private constructor(
    private readonly server: Server,
    private readonly options: HttpDealerOptions,
  ) {}

  static async listen(options: HttpDealerOptions): Promise<HttpDealer> {
    // Paused until it is dealt: no byte may be read before the process that serves it has it.
    // No Nagle delay, as Node's HTTP server sets for the connections it accepts (the option
    // stays with the socket wherever it is dealt).
    const server = createServer({ pauseOnConnect: true, noDelay: true });
    const dealer = new HttpDealer(server, options);
    server.on('connection', (socket) => dealer.deal(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return dealer;
  }

  address(): ReturnType<Server['address']> {
    return this.server.address();
  }

  // Stops accepting; the connections dealt to session processes close as they stop.
  stopAccepting(): void {
    this.server.close();
  }

  // Once the main process's HTTP server has closed: its connections finish their requests
  // and close (handed-connections.ts).
  drain(graceMs: number): Promise<void> {
    return this.own.drain(this.options.http, graceMs);
  }

  private deal(socket: Socket): void {
    // As Node's own bound does: closed at once, before a byte is read.
    if (this.own.size + this.options.handOff.openCount() >= this.options.connectionsMax) {
      socket.destroy();
      return;
    }
    this.lastId += 1;
    if (this.options.handOff.take(socket, this.lastId)) return;
    this.own.add(socket);
    this.options.http.emit('connection', socket);
    socket.resume();
  }
}
