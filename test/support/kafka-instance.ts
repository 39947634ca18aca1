// A Kafka broker of a test's own, on its own port and home (test/broker/kafka.sh keeps each
// port's data apart), for tests that stop and restart the broker without disturbing the
// shared one.
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const script = resolve(import.meta.dirname, '../broker/kafka.sh');
const run = promisify(execFile);

// Secured client listeners beside the plaintext one: SASL (PLAIN, SCRAM-SHA-256/512) with one
// account, without and with TLS (kafka.sh makes a CA at start: caFile).
export interface SecuredListeners {
  readonly saslPort: number;
  readonly saslSslPort: number;
}

export const saslAccount = { username: 'tide', password: 'tide-secret' } as const;

export class KafkaInstance {
  // Both ports free when chosen (the controller's must be given: port + 1 may be taken).
  constructor(
    readonly port: number,
    private readonly controllerPort: number,
    readonly secured: SecuredListeners | null = null,
  ) {}

  get bootstrap(): string {
    return `127.0.0.1:${this.port}`;
  }

  // The CA that signed the SASL_SSL listener's certificate, once started.
  get caFile(): string {
    return resolve(this.home, 'tls/ca.pem');
  }

  private get home(): string {
    return resolve(import.meta.dirname, `../../.kafka/instance-${this.port}`);
  }

  // Starts the broker and waits until it serves; with keepData, on the data its last run left.
  async start(keepData = false): Promise<void> {
    await run('bash', [script, 'start', ...(keepData ? ['--keep-data'] : [])], { env: this.env(), timeout: 180_000 });
  }

  async stop(): Promise<void> {
    await run('bash', [script, 'stop'], { env: this.env(), timeout: 60_000 });
  }

  // Its data and logs (kafka.sh keeps them in .kafka/instance-<port>), once it is stopped.
  removeHome(): void {
    rmSync(this.home, { recursive: true, force: true });
  }

  private env(): NodeJS.ProcessEnv {
    const secured = this.secured === null ? {} : { KAFKA_SASL_PORT: String(this.secured.saslPort), KAFKA_SASL_SSL_PORT: String(this.secured.saslSslPort), KAFKA_SASL_USER: saslAccount.username, KAFKA_SASL_PASSWORD: saslAccount.password };
    return { ...process.env, KAFKA_PORT: String(this.port), KAFKA_CONTROLLER_PORT: String(this.controllerPort), ...secured };
  }
}
