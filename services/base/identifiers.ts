// The names TideDB accepts for databases, tables and columns. Narrower than MySQL on purpose:
// every name must also be a valid Avro name and a Kafka topic part, so change events never
// need escaping.
export const identifierPattern = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const identifierLengthMax = 64;

// Two tables whose `<database>.<table>` differ only in '.' versus '_' would share a Kafka topic:
// Kafka treats the two characters as one in topic names, and refuses the second topic.
export function topicNamesCollide(a: { database: string; name: string }, b: { database: string; name: string }): boolean {
  if (a.database === b.database && a.name === b.name) return false;
  return `${a.database}.${a.name}`.replaceAll('.', '_') === `${b.database}.${b.name}`.replaceAll('.', '_');
}

export function isIdentifier(name: string): boolean {
  return identifierPattern.test(name) && name.length <= identifierLengthMax;
}
