// Records what clients of a real cluster did, for checkHistory: each operation's invocation and
// return on one clock, with writes whose outcome is unknown kept as such and reads that failed
// left out. A client whose write's outcome is unknown goes on under a new id, because its open
// write never closes (the checker refuses a client with two operations open).
import type { KvOperation } from './history.js';

// What became of a write that threw: 'failed' only when it certainly did not take effect (for
// example refused before it was proposed); anything that may have committed is 'unknown'.
export type FailureClass = 'failed' | 'unknown';

export class HistoryRecorder {
  private readonly operations: KvOperation[] = [];
  private nextClientId = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  client(): RecordingClient {
    return new RecordingClient(this, () => this.nextClientId++, this.now);
  }

  get history(): readonly KvOperation[] {
    return this.operations;
  }

  add(op: KvOperation): void {
    this.operations.push(op);
  }
}

export class RecordingClient {
  private clientId: number;
  private busy = false;

  constructor(
    private readonly recorder: HistoryRecorder,
    private readonly newClientId: () => number,
    private readonly now: () => number,
  ) {
    this.clientId = newClientId();
  }

  // Runs `write` as put(key, value) and records it; returns what became of it. Errors are
  // classified by `classify`, never rethrown: a workload goes on through faults.
  async put(key: string, value: string, write: () => Promise<void>, classify: (error: unknown) => FailureClass): Promise<'ok' | FailureClass> {
    const invokedAt = this.begin();
    try {
      await write();
      this.recorder.add({ kind: 'put', clientId: this.clientId, key, value, invokedAt, returnedAt: this.now() });
      return 'ok';
    } catch (error) {
      const outcome = classify(error);
      if (outcome === 'unknown') {
        this.recorder.add({ kind: 'put', clientId: this.clientId, key, value, invokedAt, returnedAt: null });
        this.clientId = this.newClientId();
      }
      return outcome;
    } finally {
      this.busy = false;
    }
  }

  // Runs `read` as get(key) and records what it returned; a read that threw says nothing
  // about the register and is left out. Returns the value read, or undefined if it threw.
  async get(key: string, read: () => Promise<string | null>): Promise<string | null | undefined> {
    const invokedAt = this.begin();
    try {
      const value = await read();
      this.recorder.add({ kind: 'get', clientId: this.clientId, key, value, invokedAt, returnedAt: this.now() });
      return value;
    } catch {
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  private begin(): number {
    // Two operations open at once would make this client's history meaningless.
    if (this.busy) throw new Error(`client ${this.clientId} already has an operation open`);
    this.busy = true;
    return this.now();
  }
}
