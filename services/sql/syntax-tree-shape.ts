// The limits on a parsed statement, checked by one walk over its tree before anything recurses
// over it: the planner, the evaluator and the printer of column names each recurse once per
// level, and a tree deeper than the stack allows would crash them — on one request a stack
// overflow, on another (once the code is optimized) an answer, which is worse.
// The walk is iterative, so the check itself cannot overflow.
import { TideError } from '../base/errors.js';
import { expressionTermsMax, syntaxTreeDepthMax } from '../base/limits.js';

interface Chain {
  readonly operator: unknown;
  terms: number;
}

interface Visit {
  readonly node: unknown;
  readonly depth: number;
  // The chain of binary operators this node continues, if it is an operand of one.
  readonly chain: Chain | null;
}

export function checkSyntaxTree(root: unknown): void {
  const stack: Visit[] = [{ node: root, depth: 0, chain: null }];
  for (let visit = stack.pop(); visit !== undefined; visit = stack.pop()) {
    const { node, depth, chain } = visit;
    if (node === null || typeof node !== 'object') continue;
    if (depth > syntaxTreeDepthMax) {
      throw new TideError('EXPRESSION_TOO_DEEP', `a statement nests at most ${syntaxTreeDepthMax} levels deep once parsed`);
    }
    if (Array.isArray(node)) {
      for (const item of node) stack.push({ node: item, depth: depth + 1, chain: null });
      continue;
    }
    const record = node as Record<string, unknown>;
    // Operands joined by one operator form one chain, parentheses or not: `a + (b + c)` has
    // three terms, as `a OR b OR c` has. An operand that is itself another operator's
    // expression (`a = 1` inside an OR) starts its own chain; the tree's depth bounds the rest.
    let own: Chain | null = null;
    if (record['type'] === 'binary_expr') {
      own = chain !== null && chain.operator === record['operator'] ? chain : { operator: record['operator'], terms: 1 };
      own.terms++;
      if (own.terms > expressionTermsMax) {
        throw new TideError('EXPRESSION_TOO_MANY_TERMS', `an expression joins at most ${expressionTermsMax} terms by operators`);
      }
    }
    for (const key in record) {
      const child = record[key];
      if (child !== null && typeof child === 'object') {
        stack.push({ node: child, depth: depth + 1, chain: own !== null && (key === 'left' || key === 'right') ? own : null });
      }
    }
  }
}
