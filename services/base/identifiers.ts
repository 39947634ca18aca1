// The names TideDB accepts for databases, tables and columns. Narrower than MySQL on purpose:
// every name must also be a valid Avro name and a Kafka topic part, so change events never
// need escaping.
export const identifierPattern = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const identifierLengthMax = 64;

export function isIdentifier(name: string): boolean {
  return identifierPattern.test(name) && name.length <= identifierLengthMax;
}
