// Turns for write transactions. A transaction executes and proposes its batch in one turn, and
// turns are taken in arrival order. A transaction that fits in one slice of the event loop
// takes its turn synchronously — begun and done in the caller's own turn of the loop, as
// every write was before slicing — so the order of small writes stays the order of calls.
export class WriteTurn {
  // Settles when the transaction holding the turn, and all queued before it, are done.
  private tail: Promise<void> | null = null;

  take<T>(work: () => T | Promise<T>): Promise<T> {
    if (this.tail === null) {
      let result: T | Promise<T>;
      try {
        result = work();
      } catch (error) {
        return Promise.reject(error);
      }
      return result instanceof Promise ? this.hold(result) : Promise.resolve(result);
    }
    return this.hold(this.tail.then(work));
  }

  private hold<T>(running: Promise<T>): Promise<T> {
    const done = running.then(
      () => undefined,
      () => undefined,
    );
    this.tail = done;
    void done.then(() => {
      if (this.tail === done) this.tail = null;
    });
    return running;
  }
}
