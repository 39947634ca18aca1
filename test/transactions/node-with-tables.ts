// A real in-process node for transaction tests, with a fresh table per test made by `create`,
// and the autocommit statements those tests run beside their transactions.
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { TideError } from '../../services/base/errors.js';
import { startInProcessNode } from '../http/in-process-node.js';
import type { InProcessNode } from '../http/in-process-node.js';

export interface NodeWithTables {
  readonly node: InProcessNode;
  // The table of the test running now.
  readonly name: string;
  write(sql: string): Promise<void>;
  rows(sql: string): Promise<unknown[][]>;
  // Commits a transaction: resolves to the error code it failed with, or null when it committed.
  commit(tx: string): Promise<string | null>;
}

// `prefix`: of the tables' names; `create`: the statements that make and fill the table named.
export function useNodeWithTables(prefix: string, create: (name: string) => readonly string[]): NodeWithTables {
  let node: InProcessNode | undefined;
  let table = 0;
  let name = '';
  const running = (): InProcessNode => {
    if (node === undefined) throw new Error('the node is not started');
    return node;
  };
  const fixture: NodeWithTables = {
    get node() {
      return running();
    },
    get name() {
      return name;
    },
    async write(sql) {
      const answer = await running().sql({ sql });
      if (answer.status !== 200) throw new Error(`${sql}: ${JSON.stringify(answer.body)}`);
    },
    async rows(sql) {
      const answer = await running().sql({ sql });
      return (answer.body['results'] as { rows: unknown[][] }[])[0]!.rows;
    },
    async commit(tx) {
      try {
        await running().transactions.commit(tx);
        return null;
      } catch (error) {
        if (error instanceof TideError) return error.code;
        throw error;
      }
    },
  };
  beforeAll(async () => {
    node = await startInProcessNode();
  });
  afterAll(async () => node?.close());
  beforeEach(async () => {
    name = `${prefix}${++table}`;
    for (const sql of create(name)) await fixture.write(sql);
  });
  return fixture;
}
