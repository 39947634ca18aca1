// The parser's trees of index declarations → IndexSpec: CREATE [UNIQUE] INDEX, DROP INDEX,
// ALTER TABLE … ADD/DROP INDEX|KEY|UNIQUE, and the UNIQUE/INDEX/KEY clauses of CREATE TABLE.
// Only the syntax is read here; ddl/index-ddl.ts checks specs against their table.
import { identifier, nodes, unsupported } from '../ast-reading.js';
import type { AstNode } from '../parser.js';
import type { IndexSpec } from '../plan.js';

// CREATE [UNIQUE] INDEX name [USING BTREE] ON t (col [ASC|DESC], …) [USING BTREE]
export function createIndexSpec(ast: AstNode): IndexSpec {
  const kind = ast['index_type'];
  if (kind !== null && kind !== undefined && kind !== 'unique') throw unsupported(`${String(kind).toUpperCase()} indexes`);
  checkIndexOptions(ast['index_using'] === null || ast['index_using'] === undefined ? [] : [ast['index_using']]);
  checkIndexOptions(nodes(ast['index_options']));
  return { name: identifier(ast['index'], 'index'), unique: kind === 'unique', columns: indexColumns(ast['index_columns']) };
}

// DROP INDEX name ON t
export function dropIndexName(ast: AstNode): string {
  return identifier((ast['name'] as AstNode | undefined)?.['column'] ?? ast['name'], 'index');
}

// An INDEX, KEY or UNIQUE clause of CREATE TABLE (or of ALTER TABLE … ADD), or null for any
// other definition.
export function tableIndexSpec(definition: AstNode): IndexSpec | null {
  if (definition['resource'] === 'index') {
    const keyword = String(definition['keyword']).toLowerCase();
    if (keyword !== 'index' && keyword !== 'key') throw unsupported(`${keyword.toUpperCase()} indexes`);
    return { name: optionalName(definition['index']), unique: false, columns: indexOptions(definition) };
  }
  if (definition['resource'] === 'constraint' && /^unique( key| index)?$/.test(String(definition['constraint_type']))) {
    // MySQL names the index by its own name, else by the constraint's, else by its first column.
    const name = optionalName(definition['index']) ?? optionalName(definition['constraint']);
    return { name, unique: true, columns: indexOptions(definition) };
  }
  return null;
}

// A column declared UNIQUE gets an index of its own, named after it.
export function columnUniqueSpec(column: string): IndexSpec {
  return { name: null, unique: true, columns: [{ name: column, direction: 'asc' }] };
}

function indexOptions(definition: AstNode): IndexSpec['columns'] {
  const using = definition['index_type'];
  checkIndexOptions(using === null || using === undefined ? [] : [using]);
  checkIndexOptions(nodes(definition['index_options']));
  return indexColumns(definition['definition']);
}

function indexColumns(raw: unknown): IndexSpec['columns'] {
  return nodes(raw).map((part) => {
    // `col(10)` arrives as a function call: a prefix of a string column.
    if (part['type'] !== 'column_ref') throw unsupported('index prefixes and expressions (index whole columns)');
    const order = String(part['order_by'] ?? 'asc').toLowerCase();
    return { name: identifier(part['column'], 'column'), direction: order === 'desc' ? 'desc' : 'asc' };
  });
}

// USING BTREE (all TideDB indexes are ordered) and USING HASH (MySQL's InnoDB also builds a
// B-tree for it) are accepted; anything else would be accepted and not honoured.
function checkIndexOptions(options: readonly unknown[]): void {
  for (const option of options as AstNode[]) {
    const keyword = String(option['keyword'] ?? option['type']).toLowerCase();
    if (keyword === 'using' && ['btree', 'hash'].includes(String(option['type']).toLowerCase())) continue;
    throw unsupported(`index option ${keyword.toUpperCase()}`);
  }
}

function optionalName(raw: unknown): string | null {
  return raw === null || raw === undefined ? null : identifier(raw, 'index');
}
