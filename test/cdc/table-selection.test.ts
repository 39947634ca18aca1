// Which tables publish: include and exclude patterns over database.table with * wildcards.
import { describe, expect, it } from 'vitest';
import { TableSelection } from '../../services/cdc/table-selection.js';

describe('a table selection', () => {
  it('publishes every table when no pattern is given', () => {
    expect(TableSelection.parse('', ' , ').publishes('app', 'users')).toBe(true);
  });

  it('publishes what an include pattern matches and no exclude pattern does, ignoring case', () => {
    const selection = TableSelection.parse('app.*, crm.accounts', '*.audit_*,app.secret');
    expect(selection.publishes('app', 'users')).toBe(true);
    expect(selection.publishes('APP', 'Orders')).toBe(true);
    expect(selection.publishes('crm', 'accounts')).toBe(true);
    expect(selection.publishes('crm', 'contacts')).toBe(false);
    expect(selection.publishes('app', 'audit_log')).toBe(false);
    expect(selection.publishes('app', 'secret')).toBe(false);
    expect(selection.publishes('app', 'secrets')).toBe(true);
  });

  it('takes regular-expression characters in names literally', () => {
    const selection = TableSelection.parse('a$b.t(1)', '');
    expect(selection.publishes('a$b', 't(1)')).toBe(true);
    expect(selection.publishes('ab', 't1')).toBe(false);
    expect(TableSelection.parse('app.user_', '').publishes('app', 'userx')).toBe(false);
  });

  it.each(['users', 'app.users.x', '.users', 'app.'])('refuses the pattern %j', (pattern) => {
    expect(() => TableSelection.parse(pattern, '')).toThrow(/database\.table pattern/);
    expect(() => TableSelection.parse('', pattern)).toThrow(/database\.table pattern/);
  });
});
