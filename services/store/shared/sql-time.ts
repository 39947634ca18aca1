// DATETIME values as the services write them: UTC, to the second, from the service's clock
// (a statement's time is the caller's to give: the database's apply is deterministic).
export function sqlNow(at: Date = new Date()): string {
  return at.toISOString().slice(0, 19).replace('T', ' ');
}
