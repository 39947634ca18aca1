// Visits every object (not array) of a parser tree, iteratively: trees reach the depth the
// shape checks allow (syntax-tree-shape.ts), past what recursion would survive. Locations are
// skipped. The visit returns true to stop the walk.
export function someTreeNode(root: unknown, visit: (node: Record<string, unknown>) => boolean): boolean {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const next = pending.pop();
    if (next === null || typeof next !== 'object') continue;
    if (Array.isArray(next)) {
      pending.push(...(next as unknown[]));
      continue;
    }
    const node = next as Record<string, unknown>;
    if (visit(node)) return true;
    for (const key in node) if (key !== 'loc') pending.push(node[key]);
  }
  return false;
}
