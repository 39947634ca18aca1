// Proves date and time values give MariaDB's answers: seeded random dates, datetimes and times go
// through parsing (CAST of text, valid and not), DATE_FORMAT, DATE_ADD (simple and composite units), DATEDIFF, TIMESTAMPDIFF
// and EXTRACT on both sides, and every result's text must match (NULL where MariaDB refuses).
// Known differences, kept out of the generated cases on purpose:
// - zero dates and zero parts ('0000-00-00', '2023-00-10') and year 0000: TideDB is strict and
//   refuses them (temporal.ts says why); MariaDB accepts some. Tested in temporal.test.ts. So
//   arithmetic that lands in year 0000 is NULL here (out of range) where MariaDB gives a date.
// - a TIME past ±838:59:59: MariaDB's CAST clamps it (to 838:59:59.999…, MySQL to 838:59:59),
//   TideDB refuses it as a strict write does (DATETIME_INVALID, "out of range"): the test checks that
//   MariaDB clamped exactly when TideDB refused.
// - a fraction longer than the target's digits: MySQL rounds it (TideDB does too, tested in
//   temporal.test.ts), MariaDB truncates it. Generated texts have at most the target's digits.
import type { Connection } from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { TideError } from '../../services/base/errors.js';
import { dateFormat } from '../../services/values/date-format.js';
import { compositeIntervalUnits, intervalUnits, parseCompositeInterval } from '../../services/values/interval.js';
import { addInterval, addIntervalValue, dateDiff, extract, extractUnits, timestampDiff } from '../../services/values/temporal-arithmetic.js';
import { SqlDate, SqlDateTime, civilFromDays, dateDaysMax, dateDaysMin, formatDate, formatDateTime, microsPerDay, parseDate, parseDateTime, parseTime } from '../../services/values/temporal.js';
import { connectMariadb, differentialMismatches } from '../support/mariadb.js';
import type { DifferentialCase } from '../support/mariadb.js';
import { seededRandom } from '../support/seeded-random.js';

const seed = Number(process.env['SEED'] ?? 2023);
const casesPerKind = 600;
const expressionsPerQuery = 150;

const connection = await connectMariadb();
if (typeof connection === 'string') console.warn(`temporal differential test skipped: MariaDB is unreachable (${connection})`);

function ours(compute: () => { toString(): string } | null): string | null {
  try {
    const value = compute();
    return value === null ? null : value.toString();
  } catch (error) {
    // A refused literal: MariaDB's CAST answers NULL (with a warning) for the same text.
    // A TIME past its range is DATETIME_INVALID as MySQL's strict write says (1292), like any
    // invalid text; its message tells the two apart.
    if (error instanceof TideError && error.code === 'DATETIME_INVALID' && /out of range/.test(error.message)) return 'clamped';
    if (error instanceof TideError && (error.code === 'TYPE_MISMATCH' || error.code === 'DATETIME_INVALID')) return null;
    throw error;
  }
}

class Generator {
  constructor(readonly random: () => number) {}

  int(low: number, high: number): number {
    return low + Math.floor(this.random() * (high - low + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  days(): number {
    // Mostly recent years, some near the ends of the range and around leap days.
    const roll = this.random();
    if (roll < 0.1) return this.pick([dateDaysMin, dateDaysMin + 1, dateDaysMax, dateDaysMax - 1, -1, 0, 11_016, 11_017, 10_956]);
    if (roll < 0.2) return this.int(dateDaysMin, dateDaysMax);
    return this.int(-25_000, 40_000);
  }

  dateTime(): SqlDateTime {
    const fsp = this.int(0, 6);
    const micros = BigInt(this.days()) * microsPerDay + BigInt(this.int(0, 86_399)) * 1_000_000n + BigInt(this.int(0, 999_999));
    const unit = 10n ** BigInt(6 - fsp);
    return new SqlDateTime(micros - (micros % unit), fsp);
  }

  // Text MariaDB and TideDB should both read, or both refuse.
  dateText(): string {
    const { year, month, day } = civilFromDays(this.days());
    const invalidDay = this.random() < 0.15 ? this.int(29, 32) : day;
    const invalidMonth = this.random() < 0.05 ? 13 : month;
    const y = String(year).padStart(4, '0');
    const [m, d] = [String(invalidMonth).padStart(2, '0'), String(invalidDay).padStart(2, '0')];
    return this.pick([`${y}-${m}-${d}`, `${y}/${m}/${d}`, `${y}${m}${d}`, `${y}-${invalidMonth}-${invalidDay}`, `${y}.${m}.${d}`]);
  }

  clockText(fractionDigitsMax: number): string {
    const [h, mi, s] = [this.int(0, this.random() < 0.05 ? 25 : 23), this.int(0, this.random() < 0.05 ? 61 : 59), this.int(0, 59)];
    const fraction = fractionDigitsMax > 0 && this.random() < 0.5 ? `.${String(this.int(0, 999_999)).padStart(6, '0').slice(0, this.int(1, fractionDigitsMax))}` : '';
    return `${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}:${String(s).padStart(2, '0')}${fraction}`;
  }

  timeText(fsp: number): string {
    const sign = this.random() < 0.3 ? '-' : '';
    const hours = this.random() < 0.2 ? this.int(24, 840) : this.int(0, 23);
    const clock = this.clockText(fsp).slice(2);
    return this.pick([`${sign}${hours}${clock}`, `${sign}${this.int(0, 34)} ${String(this.int(0, 23)).padStart(2, '0')}${clock}`, `${sign}${hours}${clock.slice(0, 3)}`, `${sign}${this.int(0, 999999)}`]);
  }
}

const dateFormatAll = '%Y-%m-%d %H:%i:%s.%f %a %b %c %D %e %h %I %j %k %l %M %p %r %S %T %U %u %V %v %X %x %W %w %y %% %Q';

function dateTimeSql(value: SqlDateTime): string {
  return `CAST('${formatDateTime(value)}' AS DATETIME(${value.fsp}))`;
}

function generateCases(): DifferentialCase[] {
  const g = new Generator(seededRandom(seed));
  const cases: DifferentialCase[] = [];
  for (let index = 0; index < casesPerKind; index++) {
    const dateText = g.dateText();
    cases.push({ sql: `CAST('${dateText}' AS DATE)`, expected: () => ours(() => parseDate(dateText)) });
    const fsp = g.int(0, 6);
    const dateTimeText = `${g.dateText()}${g.pick([' ', 'T'])}${g.clockText(fsp)}`;
    cases.push({ sql: `CAST('${dateTimeText}' AS DATETIME(${fsp}))`, expected: () => ours(() => parseDateTime(dateTimeText, fsp)) });
    const timeText = g.timeText(fsp);
    cases.push({ sql: `CAST('${timeText}' AS TIME(${fsp}))`, expected: () => ours(() => parseTime(timeText, fsp)) });

    const a = g.dateTime();
    const b = g.dateTime();
    const date = new SqlDate(g.days());
    cases.push({ sql: `DATE_FORMAT(${dateTimeSql(a)}, '${dateFormatAll}')`, expected: () => dateFormat(a, dateFormatAll) });
    cases.push({ sql: `DATE_FORMAT(DATE'${formatDate(date)}', '${dateFormatAll}')`, expected: () => dateFormat(date, dateFormatAll) });

    const unit = g.pick(intervalUnits);
    const amount = BigInt(g.int(-40, 40) * (g.random() < 0.2 ? 1000 : 1));
    cases.push({ sql: `DATE_ADD(${dateTimeSql(a)}, INTERVAL ${amount} ${unit})`, expected: () => ours(() => addInterval(a, amount, unit)) });
    cases.push({ sql: `DATE_ADD(DATE'${formatDate(date)}', INTERVAL ${amount} ${unit})`, expected: () => ours(() => addInterval(date, amount, unit)) });
    const composite = g.pick(compositeIntervalUnits);
    const groups = Array.from({ length: g.int(0, 6) }, () => String(g.int(0, g.random() < 0.2 ? 99_999 : 70)));
    const intervalText = `${g.random() < 0.3 ? '-' : ''}${groups.join(g.pick([':', ' ', '.', '-', ' x ']))}`;
    const compositeOf = (start: SqlDate | SqlDateTime) => () => ours(() => {
      const interval = parseCompositeInterval(intervalText, composite);
      return interval === null ? null : addIntervalValue(start, interval);
    });
    cases.push({ sql: `DATE_ADD(${dateTimeSql(a)}, INTERVAL '${intervalText}' ${composite})`, expected: compositeOf(a) });
    cases.push({ sql: `DATE_ADD(DATE'${formatDate(date)}', INTERVAL '${intervalText}' ${composite})`, expected: compositeOf(date) });
    cases.push({ sql: `DATEDIFF(${dateTimeSql(a)}, ${dateTimeSql(b)})`, expected: () => String(dateDiff(a, b)) });
    const near = g.random() < 0.5 ? addInterval(a, BigInt(g.int(-30, 30)), g.pick(intervalUnits)) ?? b : b;
    const diffUnit = g.pick(intervalUnits);
    cases.push({ sql: `TIMESTAMPDIFF(${diffUnit}, ${dateTimeSql(a)}, ${sqlOf(near)})`, expected: () => String(timestampDiff(diffUnit, a, near)) });
    const extractUnit = g.pick(extractUnits);
    cases.push({ sql: `EXTRACT(${extractUnit} FROM ${dateTimeSql(a)})`, expected: () => String(extract(extractUnit, a)) });
  }
  return cases;
}

function sqlOf(value: SqlDate | SqlDateTime): string {
  return value instanceof SqlDate ? `DATE'${formatDate(value)}'` : dateTimeSql(value);
}

describe.skipIf(typeof connection === 'string')('dates and times against MariaDB', () => {
  const mariadb = connection as Connection;
  afterAll(async () => {
    await mariadb.end();
  });

  it(`agrees on ${casesPerKind} random cases of each kind (seed ${seed})`, async () => {
    const cases = generateCases();
    const mismatches = await differentialMismatches(mariadb, cases, (ours, theirs) => {
      const yearZero = ours === null && theirs !== null && theirs.startsWith('0000-');
      const clamped = ours === 'clamped' && theirs !== null && /^-?838:59:59(\.9+)?$/.test(theirs);
      return yearZero || clamped;
    }, expressionsPerQuery);
    expect(mismatches.slice(0, 25), `seed ${seed}`).toEqual([]);
    expect(cases.length).toBeGreaterThanOrEqual(12 * casesPerKind);
  }, 120_000);
});
