// Read your writes on the node a client talks to: after the leader answered for a write that
// this node served (a transaction it committed, a statement it forwarded), the answer waits
// until this node has applied that write too, so the client's next request here finds it. A
// node lagging too far does not hold the answer longer than `waitMs`: the write has committed
// either way.
export function appliedOrLate(applied: Promise<void>, waitMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
  return Promise.race([applied, late]).finally(() => clearTimeout(timer));
}
