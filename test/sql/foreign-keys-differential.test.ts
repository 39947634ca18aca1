// Foreign keys beside MariaDB (InnoDB): seeded random schemas — a parent, a child referencing
// it by primary key and by a UNIQUE column, a grandchild that also references itself — each
// foreign key with a random rule, then random INSERT, UPDATE, DELETE, REPLACE and ON DUPLICATE
// KEY UPDATE over a small domain of keys, so that statements hit parents, children, NULLs and
// cascades often. After each statement the outcome (rows affected, or MySQL's error number) and
// every table must match. A mismatch prints the seed (SEED=… replays it) and the statement.
import { describe, expect, it } from 'vitest';
import { useStoreBesideMariadb } from '../support/store-beside-mariadb.js';
import { mariadbOptions as sharedOptions, mariadbUnreachable } from '../support/mariadb.js';
import { seededRandom } from '../support/seeded-random.js';
import { compareWrites } from './differential-outcomes.js';

const database = 'tidedb_fk_difftest';
// Without FOUND_ROWS, MariaDB counts changed rows for UPDATE, as TideDB does.
const mariadbOptions = { ...sharedOptions, flags: ['-FOUND_ROWS'] };
const unreachable = await mariadbUnreachable(mariadbOptions, 'foreign key differential test');

const seed = Number(process.env['SEED'] ?? 4242);
const rounds = 8;
const statementsPerRound = 70;
const tables = ['p', 'c', 'g'] as const;

type Random = () => number;

const rules = ['RESTRICT', 'NO ACTION', 'CASCADE', 'SET NULL'] as const;

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

// c's main foreign key takes each rule in turn, round after round; the others are random.
function schema(random: Random, round: number): string[] {
  const on = (): string => `ON DELETE ${pick(random, rules)} ON UPDATE ${pick(random, rules)}`;
  return [
    'CREATE TABLE p (id INT PRIMARY KEY, code INT, v INT, UNIQUE KEY code_u (code))',
    `CREATE TABLE c (id INT PRIMARY KEY, pid INT, pcode INT, v INT, CONSTRAINT c_pid FOREIGN KEY (pid) REFERENCES p (id) ON DELETE ${rules[round % rules.length]!} ON UPDATE ${pick(random, rules)}, CONSTRAINT c_pcode FOREIGN KEY (pcode) REFERENCES p (code) ${on()})`,
    `CREATE TABLE g (id INT PRIMARY KEY, cid INT, up INT, v INT, CONSTRAINT g_cid FOREIGN KEY (cid) REFERENCES c (id) ${on()}, CONSTRAINT g_up FOREIGN KEY (up) REFERENCES g (id) ${on()})`,
  ];
}

// Keys from a small domain, and references that are NULL one time in five.
function id(random: Random): number {
  return 1 + Math.floor(random() * 8);
}
function code(random: Random): string {
  return random() < 0.2 ? 'NULL' : String(10 * id(random));
}
function ref(random: Random): string {
  return random() < 0.2 ? 'NULL' : String(id(random));
}

function rowsOf(random: Random, row: () => string): string {
  return Array.from({ length: 1 + Math.floor(random() * 3) }, row).join(', ');
}

function statement(random: Random): string {
  const v = (): number => Math.floor(random() * 100);
  const insertP = (): string => `INSERT INTO p VALUES ${rowsOf(random, () => `(${id(random)}, ${code(random)}, ${v()})`)}`;
  const insertC = (): string => `INSERT INTO c VALUES ${rowsOf(random, () => `(${id(random)}, ${ref(random)}, ${code(random)}, ${v()})`)}`;
  const insertG = (): string => `INSERT INTO g VALUES ${rowsOf(random, () => `(${id(random)}, ${ref(random)}, ${ref(random)}, ${v()})`)}`;
  // Inserts weigh more, so that the tables fill up and parents have children to protect.
  const makers: (() => string)[] = [
    insertP, insertP, insertP, insertC, insertC, insertC, insertG, insertG,
    () => `UPDATE p SET id = ${id(random)} WHERE id = ${id(random)}`,
    () => `UPDATE p SET code = ${code(random)} WHERE id = ${id(random)}`,
    () => `UPDATE p SET v = v + 1 WHERE id > ${id(random)}`,
    () => `UPDATE c SET ${pick(random, ['id', 'pid'])} = ${ref(random)} WHERE id = ${id(random)}`,
    () => `UPDATE c SET pcode = ${code(random)} WHERE id = ${id(random)}`,
    () => `UPDATE g SET ${pick(random, ['id', 'cid', 'up'])} = ${ref(random)} WHERE id = ${id(random)}`,
    () => `DELETE FROM ${pick(random, tables)} WHERE id ${pick(random, ['=', '>', '<'])} ${id(random)}`,
    () => `DELETE FROM p WHERE code = ${10 * id(random)}`,
    () => `REPLACE INTO p VALUES (${id(random)}, ${code(random)}, ${v()})`,
    () => `INSERT INTO p VALUES (${id(random)}, ${code(random)}, ${v()}) ON DUPLICATE KEY UPDATE ${pick(random, ['id', 'code'])} = ${id(random) * (random() < 0.5 ? 1 : 10)}`,
  ];
  return pick(random, makers)();
}

describe.skipIf(unreachable !== null)('foreign keys beside MariaDB', () => {
  const sides = useStoreBesideMariadb(database, mariadbOptions);

  it('agrees on every statement’s outcome and on every table after it', async () => {
    const { store, connection } = sides();
    const random = seededRandom(seed);
    const outcomes = await compareWrites(store, connection, {
      seed, rounds, statementsPerRound, tables,
      setup: (round) => ['DROP TABLE IF EXISTS g, c, p', ...schema(random, round)],
      statement: () => statement(random),
    });
    // The script must reach the rules it is about: each error, and statements that succeed.
    for (const outcome of ['error 1451', 'error 1452', 'error 1062']) expect(outcomes.get(outcome) ?? 0, outcome).toBeGreaterThan(0);
    expect([...outcomes.keys()].filter((outcome) => outcome.startsWith('affected')).length).toBeGreaterThan(2);
  }, 300_000);
});
