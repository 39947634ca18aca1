// DECIMAL(p,s), DATE, TIME(fsp), DATETIME(fsp), TIMESTAMP(fsp), UNSIGNED and VARBINARY/BINARY columns end to end against
// MariaDB: the same CREATE TABLE, seeded random INSERTs (text, numbers) and UPDATEs, then queries
// that read them back — ORDER BY each column, WHERE against literals, arithmetic, aggregates —
// must give the same rows as text, and a value MariaDB refuses must be refused here with the
// same MySQL error number. A mismatch prints the seed (SEED=… replays it) and the SQL.
//
// Known differences, left out of the generated statements rather than accepted:
// - A date or time compared with a number, and a TIME with a date (MySQL reads the TIME on the
//   current date): value-classes.ts says how TideDB compares them.
// - A number literal with a point and more than 15 significant digits: node-sql-parser reads
//   it as a double before TideDB sees its text (814778852536287.53 arrives as …287.50), where
//   MySQL's decimal literal is exact. Such values are sent as text ('…'), which is exact.
// - A fraction of seconds longer than the column's digits: MySQL rounds it (TideDB does too,
//   services/values/DESIGN.md), MariaDB truncates it. Generated fractions fit.
// - AVG and / of integer columns: a double rounded to MySQL's scale (sql/DESIGN.md, "Division
//   and DECIMAL"), so 115.7 where MySQL shows 115.7000. AVG of a DECIMAL is exact and compared.
// - A TIMESTAMP column is nullable unless declared NOT NULL (MySQL 8's explicit defaults);
//   MariaDB makes it NOT NULL, so the generated DDL says NULL.
// - Years before 1000: MariaDB's DATETIME goes down to 1000-01-01 only.
import { describe, expect, it } from 'vitest';
import { mariadbOptions, mariadbUnreachable } from '../support/mariadb.js';
import { seededRandom } from '../support/seeded-random.js';
import { useTempStores } from '../support/temp-stores.js';
import { outcomeOnMaria, outcomeOnTide, outcomeText, useMariadbDatabase } from './differential-outcomes.js';
import type { Outcome } from './differential-outcomes.js';

const database = 'tidedb_value_types';
const unreachable = await mariadbUnreachable(mariadbOptions, 'value types differential test');
const seeds = process.env['SEED'] !== undefined ? [Number(process.env['SEED'])] : [1, 2, 3, 4, 5];



// --- the generator ------------------------------------------------------------------------------

class Generator {
  private readonly random: () => number;
  readonly precision: number;
  readonly scale: number;
  readonly fsp: number;

  constructor(seed: number) {
    this.random = seededRandom(seed);
    this.precision = this.int(1, 20);
    this.scale = this.int(0, Math.min(this.precision, 6));
    this.fsp = this.int(0, 6);
  }

  int(low: number, high: number): number {
    return low + Math.floor(this.random() * (high - low + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  digits(count: number): string {
    let out = '';
    for (let at = 0; at < count; at++) out += String(this.int(0, 9));
    return out;
  }

  // Sometimes past the column's precision or scale (rounded, or out of range).
  decimal(): string {
    const whole = this.digits(this.int(0, this.precision - this.scale + (this.random() < 0.1 ? 2 : 0))).replace(/^0+(?=\d)/, '');
    const fraction = this.digits(this.int(0, this.scale + 2));
    const sign = this.random() < 0.3 ? '-' : '';
    const body = `${whole === '' ? '0' : whole}${fraction === '' ? '' : `.${fraction}`}`;
    // Unquoted only within a double's 15 digits: see the known differences above.
    return this.random() < 0.5 || body.replace(/\D/g, '').length > 15 ? `'${sign}${body}'` : `${sign}${body}`;
  }

  date(): string {
    // An invalid day now and then (Feb 30, Apr 31), which both must refuse.
    return `${this.int(1000, 9999)}-${String(this.int(1, 12)).padStart(2, '0')}-${String(this.int(1, this.random() < 0.05 ? 31 : 28)).padStart(2, '0')}`;
  }

  clock(): string {
    // At most the column's digits: see the known differences above.
    const fraction = this.fsp > 0 && this.random() < 0.6 ? `.${this.digits(this.int(1, this.fsp))}` : '';
    return `${String(this.int(0, 23)).padStart(2, '0')}:${String(this.int(0, 59)).padStart(2, '0')}:${String(this.int(0, 59)).padStart(2, '0')}${fraction}`;
  }

  time(): string {
    const sign = this.random() < 0.2 ? '-' : '';
    return `'${sign}${String(this.int(0, 838)).padStart(2, '0')}:${String(this.int(0, 59)).padStart(2, '0')}:${String(this.int(0, 59)).padStart(2, '0')}'`;
  }

  dateTime(): string {
    return `'${this.date()} ${this.clock()}'`;
  }

  // TIMESTAMP's range is 1970-01-01 00:00:01 to 2038-01-19 03:14:07 UTC; sometimes past it.
  timestamp(): string {
    const year = this.random() < 0.1 ? this.pick([1969, 2039]) : this.int(1971, 2037);
    return `'${year}-${String(this.int(1, 12)).padStart(2, '0')}-${String(this.int(1, 28)).padStart(2, '0')} ${this.clock()}'`;
  }

  // An UNSIGNED value of `bits`, sometimes one past either end; as text past 2^53.
  unsigned(bits: number): string {
    const max = 2n ** BigInt(bits) - 1n;
    const roll = this.random();
    const value = roll < 0.05 ? -1n : roll < 0.1 ? max + 1n : roll < 0.2 ? max : (max * BigInt(Math.floor(this.random() * 1_000_000))) / 1_000_000n;
    return value > 2n ** 53n ? `'${value}'` : String(value);
  }

  // Bytes (zero and 0xFF among them) or ASCII text, sometimes past the column's length.
  bytes(): string {
    const length = this.int(0, 7);
    if (this.random() < 0.3) return `'${'abcxyz'.slice(0, Math.min(length, 6))}'`;
    let hex = '';
    for (let at = 0; at < length; at++) hex += this.pick(['00', 'ff', '61', '7f', '80', String(this.int(10, 99))]);
    return `X'${hex}'`;
  }

  row(id: number): string {
    const nullable = (value: string) => (this.random() < 0.1 ? 'NULL' : value);
    const values = [this.decimal(), `'${this.date()}'`, this.time(), this.dateTime(), this.timestamp(), this.unsigned(64), this.unsigned(32), this.unsigned(8), this.bytes(), this.bytes()];
    return `(${id}, ${values.map(nullable).join(', ')})`;
  }

  literalFor(column: string): string {
    switch (column) {
      case 'd': return this.decimal();
      case 'day': return `'${this.date()}'`;
      case 'tm': return this.time();
      case 'dt': return this.dateTime();
      case 'u': return this.unsigned(64);
      case 'ui': return this.unsigned(32);
      case 'ut': return this.unsigned(8);
      case 'vb':
      case 'fb': return this.bytes();
      default: return this.timestamp();
    }
  }
}

function statementsOf(seed: number): string[] {
  const g = new Generator(seed);
  const statements = [
    `CREATE TABLE t (id INT PRIMARY KEY, d DECIMAL(${g.precision},${g.scale}), day DATE, tm TIME(${g.fsp}), dt DATETIME(${g.fsp}), ts TIMESTAMP(${g.fsp}) NULL, u BIGINT UNSIGNED, ui INT UNSIGNED, ut TINYINT UNSIGNED, vb VARBINARY(6), fb BINARY(4), KEY (d), KEY (dt, day), KEY (u), KEY (vb))`,
  ];
  for (let id = 1; id <= 40; id++) statements.push(`INSERT INTO t VALUES ${g.row(id)}`);
  const columns = ['d', 'day', 'tm', 'dt', 'ts', 'u', 'ui', 'ut', 'vb', 'fb'];
  for (let at = 0; at < 5; at++) {
    const column = g.pick(columns);
    statements.push(`UPDATE t SET ${column} = ${g.literalFor(column)} WHERE id % 7 = ${at}`);
  }
  statements.push('UPDATE t SET d = d * 2 WHERE id % 5 = 1', 'UPDATE t SET d = -d WHERE id % 3 = 2');
  for (const column of columns) {
    statements.push(`SELECT id, ${column} FROM t ORDER BY ${column}, id`, `SELECT id, ${column} FROM t ORDER BY ${column} DESC, id LIMIT 7`);
    const operator = g.pick(['=', '<', '>=', '<>']);
    statements.push(`SELECT id FROM t WHERE ${column} ${operator} ${g.literalFor(column)} ORDER BY id`);
    statements.push(`SELECT MIN(${column}), MAX(${column}), COUNT(${column}) FROM t`);
  }
  statements.push(
    'SELECT SUM(d), AVG(d), COUNT(*) FROM t',
    'SELECT id, d + 1, d - 0.5, d * 3, d / 7, -d, ROUND(d, 1), ABS(d), FLOOR(d), CEIL(d) FROM t ORDER BY id',
    'SELECT day, COUNT(*) FROM t GROUP BY day ORDER BY day',
    `SELECT id FROM t WHERE dt BETWEEN ${g.dateTime()} AND ${g.dateTime()} ORDER BY id`,
    `SELECT id, day FROM t WHERE day IN ('${g.date()}', '${g.date()}', ${g.literalFor('day')}) ORDER BY id`,
    'SELECT SUM(u), SUM(ui), MAX(u) - MIN(u), AVG(d) FROM t',
    'SELECT vb, COUNT(*), LENGTH(vb), LENGTH(fb) FROM t GROUP BY vb ORDER BY vb',
    'UPDATE t SET ut = ut + 1 WHERE ut IS NOT NULL AND id % 4 = 0',
    'SELECT * FROM t ORDER BY id',
    'SHOW CREATE TABLE t',
    'DESCRIBE t',
  );
  return statements;
}

// --- running ------------------------------------------------------------------------------------

describe.skipIf(unreachable !== null)('DECIMAL and date/time columns against MariaDB', () => {
  const maria = useMariadbDatabase(database);
  const stores = useTempStores('tidedb-value-types-');
  const onMaria = (sql: string): Promise<Outcome> => outcomeOnMaria(maria(), sql);
  const onTide = outcomeOnTide;


  it.each(seeds)('seed %i: same rows, same refusals', async (seed) => {
    await maria().query('DROP TABLE IF EXISTS t');
    const store = stores.open();
    let refused = 0;
    for (const sql of statementsOf(seed)) {
      const expected = await onMaria(sql);
      const ours = await onTide(store, sql);
      if ('errno' in expected) refused++;
      expect(ours, `seed ${seed} (SEED=${seed} replays it): ${sql}`).toEqual(expected);
    }
    // The generator aims some values past their column; make sure some were.
    expect(refused, `seed ${seed}`).toBeGreaterThan(0);
  });
});
