// The publisher's next round, read and encoded while the current one's Kafka transaction is on
// the wire: a transaction is five requests one after another, and without this the loop sits
// idle for their round trips and only then starts on the next round's work.
//
// A round read ahead is used only by the round that starts exactly where it does. Any other
// start (a failed round sent again, a checkpoint another publisher moved) reads afresh; the
// publisher's transaction order, left wherever the round read ahead ended, recounts itself from
// the head of the entry the next change is in.
export interface StartingRound {
  readonly fromLsn: bigint;
}

export class RoundAhead<Round extends StartingRound> {
  private ahead: Round | null = null;

  // `read` reads and encodes the round from an lsn; null when there are no changes there.
  constructor(private readonly read: (fromLsn: bigint) => Round | null) {}

  // The round that starts at `fromLsn`: the one read ahead if it starts there, else read now
  // (whose errors, assertions included, reach the caller).
  take(fromLsn: bigint): Round | null {
    const ahead = this.ahead;
    this.ahead = null;
    return ahead !== null && ahead.fromLsn === fromLsn ? ahead : this.read(fromLsn);
  }

  // Reads the round at `fromLsn` once the caller's pending I/O has gone out (the next turn of
  // the event loop). Never rejects: whatever goes wrong is left for take() to meet again, and
  // report, when it reads the same changes in its turn.
  prepare(fromLsn: bigint, wanted: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      setImmediate(() => {
        try {
          this.ahead = wanted() ? this.read(fromLsn) : null;
        } catch {
          this.ahead = null;
        }
        resolve();
      });
    });
  }

  drop(): void {
    this.ahead = null;
  }
}
