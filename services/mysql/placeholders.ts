// The parameters a prepared statement takes, counted when it is prepared (the prepare-OK reply
// announces them before the engine has parsed anything): its `?` marks outside quoted text,
// quoted names and comments.
export function placeholderCount(sql: string): number {
  let count = 0;
  for (let index = 0; index < sql.length; index++) {
    const char = sql[index]!;
    if (char === "'" || char === '"' || char === '`') {
      for (index++; index < sql.length && sql[index] !== char; index++) if (sql[index] === '\\' && char !== '`') index++;
    } else if (char === '-' && sql.startsWith('-- ', index)) {
      index = sql.indexOf('\n', index) < 0 ? sql.length : sql.indexOf('\n', index);
    } else if (char === '#') {
      index = sql.indexOf('\n', index) < 0 ? sql.length : sql.indexOf('\n', index);
    } else if (char === '/' && sql[index + 1] === '*') {
      const end = sql.indexOf('*/', index + 2);
      index = end < 0 ? sql.length : end + 1;
    } else if (char === '?') {
      count++;
    }
  }
  return count;
}
