// Read your writes on the node a client talks to: after the leader answered for a write that
// this node served (a transaction it committed, a statement it forwarded), the answer waits
// until this node has applied that write too, so the client's next request here finds it. The
// write has committed either way, so nothing here may fail the answer: a node lagging too far
// does not hold it longer than `waitMs`, and a wait that fails (Raft fails its apply waiters
// with OUTCOME_UNKNOWN when this node's term or role changes) lets it go at once.
export function appliedOrLate(applied: Promise<void>, waitMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
  const appliedOrGaveUp = applied.catch(() => undefined);
  return Promise.race([appliedOrGaveUp, late]).finally(() => clearTimeout(timer));
}
