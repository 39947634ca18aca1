// What a statement would answer, without running it: the result columns of a query, as the
// MySQL protocol's prepare-OK announces them (a client such as libmysqlclient reads a prepared
// statement's result only when its prepare said it has one). Planned over the node's applied
// state, under the privileges of whoever asks; a statement that answers no rows, or whose
// columns are known only by running it, describes as null.
import { runToEnd } from '../base/time-slice.js';
import type { ColumnOrigin } from '../sql/select/logical-plan.js';
import type { OverlayView } from '../sql/overlay-view.js';
import { parseTexts } from '../sql/parser.js';
import { planSteps } from '../sql/planner.js';
import { checkPrivileges, RecordingView } from '../users/privilege-check.js';
import type { Principal } from '../users/privilege-check.js';
import { oneStatement } from './execute-statements.js';

export interface StatementShape {
  readonly columns: readonly string[];
  readonly columnOrigins?: readonly (ColumnOrigin | null)[];
}

export async function describeStatement(sql: string, view: OverlayView, database: string, principal: Principal | undefined): Promise<StatementShape | null> {
  const texts = parseTexts([sql]);
  const parsed = oneStatement((texts instanceof Promise ? await texts : texts)[0]!);
  const recording = principal === undefined ? null : new RecordingView();
  const { plan } = runToEnd(planSteps(parsed, recording === null ? view : recording.wrap(view), database));
  checkPrivileges(plan, recording?.tables() ?? [], principal, view);
  if (plan.kind !== 'select') return null;
  return { columns: plan.query.columns, ...(plan.query.origins === undefined ? {} : { columnOrigins: plan.query.origins }) };
}
