// node-sql-parser's MySQL grammar gives AND, XOR and OR one precedence, left to right:
// `a OR b AND c` arrives as `(a OR b) AND c`, where MySQL reads `a OR (b AND c)`. This regroups
// a chain of them as MySQL does (AND binds tightest, then XOR, then OR). Parenthesized groups
// (`parentheses: true`) are operands and keep their own grouping. Iterative, as chains may be
// a thousand terms long.
import type { AstNode } from '../parser.js';

export type LogicalOperator = 'AND' | 'XOR' | 'OR';

export interface LogicalGroup {
  readonly operator: LogicalOperator;
  readonly parts: readonly (LogicalGroup | AstNode)[];
}

const logicalOperators: Readonly<Record<string, LogicalOperator>> = { AND: 'AND', '&&': 'AND', XOR: 'XOR', OR: 'OR', '||': 'OR' };
const loosestFirst: readonly LogicalOperator[] = ['OR', 'XOR', 'AND'];

export function logicalOperatorOf(ast: AstNode): LogicalOperator | null {
  return ast['type'] === 'binary_expr' ? logicalOperators[String(ast['operator']).toUpperCase()] ?? null : null;
}

// The chain under `ast` (a logical binary node) as MySQL groups it.
export function regroupLogical(ast: AstNode): LogicalGroup | AstNode {
  const operands: AstNode[] = [];
  const operators: LogicalOperator[] = [];
  const pending: (AstNode | LogicalOperator)[] = [ast];
  while (pending.length > 0) {
    const item = pending.pop()!;
    if (typeof item === 'string') {
      operators.push(item);
      continue;
    }
    const operator = logicalOperatorOf(item);
    if (operator !== null && (item === ast || item['parentheses'] !== true)) pending.push(item['right'] as AstNode, operator, item['left'] as AstNode);
    else operands.push(item);
  }
  return group(operands, operators, 0);
}

function group(operands: readonly AstNode[], operators: readonly LogicalOperator[], level: number): LogicalGroup | AstNode {
  if (operands.length === 1) return operands[0]!;
  const operator = loosestFirst[level]!;
  const parts: (LogicalGroup | AstNode)[] = [];
  let runOperands: AstNode[] = [operands[0]!];
  let runOperators: LogicalOperator[] = [];
  operators.forEach((next, at) => {
    if (next === operator) {
      parts.push(group(runOperands, runOperators, level + 1));
      runOperands = [operands[at + 1]!];
      runOperators = [];
    } else {
      runOperators.push(next);
      runOperands.push(operands[at + 1]!);
    }
  });
  parts.push(group(runOperands, runOperators, level + 1));
  return parts.length === 1 ? parts[0]! : { operator, parts };
}

export function isLogicalGroup(node: LogicalGroup | AstNode): node is LogicalGroup {
  return Array.isArray((node as LogicalGroup).parts) && typeof (node as LogicalGroup).operator === 'string' && !('type' in node);
}

// The parser reads `NOT (x)` as a call of a function NOT, which then binds tighter than any
// operator after it: `NOT (a) NOT IN (70)` arrives as `(NOT a) NOT IN (70)`, where MySQL's NOT
// binds looser than comparisons and arithmetic and means `NOT (a NOT IN (70))`. For an
// operator node whose leftmost operand (through unparenthesized operators) is such a call,
// this returns the node with the call replaced by its argument, for the caller to negate;
// otherwise null.
export function withoutLeadingNot(ast: AstNode): AstNode | null {
  const path: AstNode[] = [];
  let node = ast;
  while (node['type'] === 'binary_expr' && logicalOperatorOf(node) === null && (node === ast || node['parentheses'] !== true)) {
    path.push(node);
    node = node['left'] as AstNode;
  }
  if (path.length === 0 || !isNotCall(node)) return null;
  let rebuilt = notArgument(node);
  for (let at = path.length - 1; at >= 0; at--) rebuilt = { ...path[at]!, left: rebuilt };
  return rebuilt;
}

function isNotCall(node: AstNode): boolean {
  if (node['type'] !== 'function' || node['parentheses'] === true) return false;
  const parts = (node['name'] as AstNode | undefined)?.['name'];
  const args = (node['args'] as AstNode | undefined)?.['value'];
  return Array.isArray(parts) && parts.length === 1 && String((parts[0] as AstNode)['value']).toUpperCase() === 'NOT' && Array.isArray(args) && args.length === 1;
}

function notArgument(node: AstNode): AstNode {
  const [argument] = (node['args'] as AstNode)['value'] as AstNode[];
  return argument!;
}
