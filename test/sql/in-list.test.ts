// Proves a long IN list of constants, tested by one hash lookup a row, answers exactly what
// testing item by item answers: random operands and lists of integers, doubles and strings,
// each compared with the item-by-item rule (three-valued, MySQL's numeric conversions).
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../services/sql/expression.js';
import type { Expr } from '../../services/sql/plan.js';
import { compareValues } from '../../services/sql/values.js';
import type { Value } from '../../services/storage/types.js';
import { seededRandom } from '../support/seeded-random.js';

function itemByItem(operand: Value, list: readonly Value[], negated: boolean): Value {
  if (operand === null) return null;
  let sawNull = false;
  for (const value of list) {
    if (value === null) sawNull = true;
    else if (compareValues(operand, value) === 0) return !negated;
  }
  return sawNull ? null : negated;
}

describe('IN over a list of constants', () => {
  it('agrees with item-by-item comparison on 3,000 random cases', () => {
    const seed = Number(process.env['SEED'] ?? 77);
    const random = seededRandom(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const numbers: Value[] = [0n, 1n, -1n, 2n ** 53n + 1n, 2n ** 63n - 1n, 1, 1.5, -0, 2 ** 53, 3, 7n, 1e20, 100000000000000000000n, 1e21, 10n ** 21n];
    const strings: Value[] = ['', 'a', 'A', 'é', '😀', '1', '01', '1.0', ' 1', 'b'];
    for (let at = 0; at < 3_000; at++) {
      const pool = pick([numbers, strings, [...numbers, ...strings]]);
      const list = Array.from({ length: 16 + Math.floor(random() * 10) }, () => pick(pool));
      if (random() < 0.1) list.push(null);
      const operand = pick([...numbers, ...strings, null]);
      const negated = random() < 0.5;
      const expr: Expr = { kind: 'in_list', operand: { kind: 'param', position: 0 }, list: list.map((value) => ({ kind: 'literal', value })), negated };
      const expected = itemByItem(operand, list, negated);
      expect({ seed, at, operand, list, got: evaluate(expr, [], [operand]) }).toEqual({ seed, at, operand, list, got: expected });
    }
  });
});
