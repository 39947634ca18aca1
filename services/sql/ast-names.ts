// Reading names and lists out of node-sql-parser's syntax trees, shared by the planner and the
// statements planned in their own files (ddl/, show.ts).
import { TideError } from '../base/errors.js';
import { identifierLengthMax, identifierPattern, isIdentifier } from '../base/identifiers.js';
import type { AstNode } from './parser.js';

export function identifier(raw: unknown, what: string): string {
  // Some parser versions wrap names as { expr: { value } }.
  const name = typeof raw === 'string' ? raw : String(((raw as AstNode | null)?.['expr'] as AstNode | undefined)?.['value'] ?? raw);
  if (!isIdentifier(name)) {
    throw new TideError('SQL_UNSUPPORTED', `${what} name '${name}' must match ${identifierPattern.source} and be at most ${identifierLengthMax} characters`);
  }
  return name;
}

export function nodes(value: unknown): AstNode[] {
  return Array.isArray(value) ? (value as AstNode[]) : [];
}

export function unsupported(what: string): TideError {
  return new TideError('SQL_UNSUPPORTED', `${what} is not supported yet`);
}
