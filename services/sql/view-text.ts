// A view's CREATE statement as SHOW CREATE VIEW prints it, in MySQL's shape. TideDB has no
// users or privileges over HTTP: every view is printed as defined by root from any host, with
// SQL SECURITY DEFINER and ALGORITHM=UNDEFINED (the clauses CREATE VIEW accepts and ignores),
// followed by the SELECT exactly as the client wrote it (sql/DESIGN.md, "Views").
import type { ViewDef } from '../storage/types.js';

// information_schema.VIEWS's DEFINER.
export const viewDefiner = 'root@%';

export function createViewText(definition: ViewDef): string {
  const columns = definition.columnsListed ? ` (${definition.columns.map(quoted).join(',')})` : '';
  return `CREATE ALGORITHM=UNDEFINED DEFINER=\`root\`@\`%\` SQL SECURITY DEFINER VIEW ${quoted(definition.name)}${columns} AS ${definition.query}`;
}

// Names are identifiers (base/identifiers.ts), which never hold a backquote.
function quoted(name: string): string {
  return `\`${name}\``;
}
