// Proves the strict side of dates and times, which the MariaDB comparison leaves out: invalid and
// zero dates are refused, fractions round as MySQL rounds, ranges of DATETIME, TIMESTAMP and TIME
// hold, and the calendar agrees with JS's Date over the whole range.
import { describe, expect, it } from 'vitest';
import { dateFormat } from '../../services/values/date-format.js';
import { parseCompositeInterval } from '../../services/values/interval.js';
import type { CompositeIntervalUnit } from '../../services/values/interval.js';
import { addInterval, addIntervalValue, dateDiff, extract, timestampDiff } from '../../services/values/temporal-arithmetic.js';
import {
  SqlDate,
  SqlDateTime,
  SqlTime,
  civilFromDays,
  compareTemporal,
  dateDaysMax,
  dateDaysMin,
  dateTimeFromInteger,
  daysFromCivil,
  fitDateTime,
  fitTime,
  parseDate,
  parseDateTime,
  parseTime,
  timeFromInteger,
} from '../../services/values/temporal.js';
import { errorCodeOf } from '../sql/run-on-store.js';

describe('the calendar', () => {
  it('matches JS Date (proleptic Gregorian, UTC) from year 1 to 9999', () => {
    for (let days = dateDaysMin; days <= dateDaysMax; days += 997) {
      const date = new Date(days * 86_400_000);
      expect(civilFromDays(days)).toEqual({ year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() });
      expect(daysFromCivil(civilFromDays(days))).toBe(days);
    }
    expect(daysFromCivil({ year: 1970, month: 1, day: 1 })).toBe(0);
    expect(civilFromDays(daysFromCivil({ year: 2000, month: 2, day: 29 }))).toEqual({ year: 2000, month: 2, day: 29 });
  });
});

describe('parsing is strict', () => {
  it('reads MySQL literal forms', () => {
    expect(String(parseDate('2023-02-28'))).toBe('2023-02-28');
    expect(String(parseDate('23-2-8'))).toBe('2023-02-08');
    expect(String(parseDate('991231'))).toBe('1999-12-31');
    expect(String(parseDate('2023-01-15 10:20:30'))).toBe('2023-01-15');
    expect(String(parseDateTime('2023-01-15T10:20:30.5', 3))).toBe('2023-01-15 10:20:30.500');
    expect(String(parseDateTime('20230115102030', 0))).toBe('2023-01-15 10:20:30');
    expect(String(parseDateTime('2023-01-15', 0))).toBe('2023-01-15 00:00:00');
    expect(String(parseTime('-1 02:03:04.5', 1))).toBe('-26:03:04.5');
    expect(String(parseTime('12:34', 0))).toBe('12:34:00');
    expect(String(parseTime('1234', 0))).toBe('00:12:34');
    expect(String(dateTimeFromInteger(20230115n, 0))).toBe('2023-01-15 00:00:00');
    expect(String(timeFromInteger(103000n, 0))).toBe('10:30:00');
  });

  it('refuses invalid and zero dates with DATETIME_INVALID', () => {
    for (const bad of ['2023-02-29', '2023-02-30', '2023-13-01', '2023-00-10', '2023-01-00', '0000-00-00', '0000-01-01', '2023-1', 'tomorrow', '', '2023-01-01 24:00:00', '2023-01-01 10:60:00', '2023-01-01x']) {
      expect(errorCodeOf(() => parseDateTime(bad, 0)), bad).toBe('DATETIME_INVALID');
    }
    expect(errorCodeOf(() => parseDate('2100-02-29'))).toBe('DATETIME_INVALID');
    expect(String(parseDate('2000-02-29'))).toBe('2000-02-29');
    expect(errorCodeOf(() => parseTime('10:61:00', 0))).toBe('DATETIME_INVALID');
    expect(errorCodeOf(() => parseTime('abc', 0))).toBe('DATETIME_INVALID');
    expect(errorCodeOf(() => dateTimeFromInteger(123n, 0))).toBe('DATETIME_INVALID');
  });

  it('refuses a TIME past ±838:59:59 with DATETIME_INVALID', () => {
    expect(String(parseTime('-838:59:59', 0))).toBe('-838:59:59');
    expect(errorCodeOf(() => parseTime('839:00:00', 0))).toBe('DATETIME_INVALID');
    expect(errorCodeOf(() => parseTime('838:59:59.5', 0))).toBe('DATETIME_INVALID');
    expect(errorCodeOf(() => parseTime('35 00:00:00', 0))).toBe('DATETIME_INVALID');
  });

  it('rounds a longer fraction half up, as MySQL (not MariaDB) does, carrying into the next day', () => {
    expect(String(parseDateTime('2023-01-01 10:00:00.4449', 3))).toBe('2023-01-01 10:00:00.445');
    expect(String(parseDateTime('2023-12-31 23:59:59.5', 0))).toBe('2024-01-01 00:00:00');
    expect(errorCodeOf(() => parseDateTime('9999-12-31 23:59:59.9', 0))).toBe('DATETIME_INVALID');
    expect(String(parseTime('-00:00:01.25', 1))).toBe('-00:00:01.3');
  });
});

describe('fitting to a column', () => {
  it('rounds to the column fsp and keeps TIMESTAMP within 1970..2038 UTC', () => {
    const value = parseDateTime('2038-01-19 03:14:07.999999', 6);
    expect(String(fitDateTime(value, 6, true, 't'))).toBe('2038-01-19 03:14:07.999999');
    expect(errorCodeOf(() => fitDateTime(value, 0, true, 't'))).toBe('DATETIME_INVALID');
    expect(String(fitDateTime(value, 0, false, 'd'))).toBe('2038-01-19 03:14:08');
    expect(errorCodeOf(() => fitDateTime(parseDateTime('1970-01-01 00:00:00', 0), 0, true, 't'))).toBe('DATETIME_INVALID');
    expect(String(fitDateTime(parseDateTime('1970-01-01 00:00:01', 0), 0, true, 't'))).toBe('1970-01-01 00:00:01');
    expect(String(fitDateTime(parseDateTime('1969-12-31 23:59:59.5', 1), 0, false, 'd'))).toBe('1970-01-01 00:00:00');
    expect(String(fitTime(new SqlTime(-1_500_000n, 6), 0, 't'))).toBe('-00:00:02');
    expect(errorCodeOf(() => fitTime(parseTime('838:59:59.9', 1), 0, 't'))).toBe('DATETIME_INVALID');
  });

  it('compares DATE with DATETIME at midnight, and refuses TIME against a date', () => {
    expect(compareTemporal(parseDate('2023-01-01'), parseDateTime('2023-01-01 00:00:00', 0))).toBe(0);
    expect(compareTemporal(parseDate('2023-01-01'), parseDateTime('2023-01-01 00:00:00.000001', 6))).toBe(-1);
    expect(compareTemporal(parseDateTime('1969-12-31 23:59:59', 0), parseDate('1970-01-01'))).toBe(-1);
    expect(compareTemporal(parseTime('-1:00', 0), parseTime('00:30', 0))).toBe(-1);
    expect(errorCodeOf(() => compareTemporal(parseTime('1:00', 0), parseDate('2023-01-01')))).toBe('TYPE_MISMATCH');
  });
});

describe('arithmetic', () => {
  it('adds months clamping the day, gives NULL outside years 1..9999', () => {
    expect(String(addInterval(parseDate('2023-01-31'), 1n, 'MONTH'))).toBe('2023-02-28');
    expect(String(addInterval(parseDate('2024-02-29'), 1n, 'YEAR'))).toBe('2025-02-28');
    expect(String(addInterval(parseDate('2023-01-31'), 1n, 'HOUR'))).toBe('2023-01-31 01:00:00');
    expect(String(addInterval(parseDate('2023-01-31'), 1n, 'MICROSECOND'))).toBe('2023-01-31 00:00:00.000001');
    expect(addInterval(parseDate('9999-12-31'), 1n, 'DAY')).toBeNull();
    expect(addInterval(parseDateTime('0001-01-01 00:00:00', 0), -1n, 'SECOND')).toBeNull();
    expect(addInterval(new SqlDate(0), 10n ** 15n, 'YEAR')).toBeNull();
  });

  it('reads composite intervals as MySQL: groups from the right, the microseconds a fraction', () => {
    const add = (text: string, unit: CompositeIntervalUnit, start: SqlDate | SqlDateTime = parseDateTime('2023-01-01 00:00:00', 0)) => {
      const interval = parseCompositeInterval(text, unit);
      return interval === null ? null : String(addIntervalValue(start, interval));
    };
    expect(add('1 2', 'DAY_HOUR')).toBe('2023-01-02 02:00:00');
    expect(add('5', 'DAY_MINUTE')).toBe('2023-01-01 00:05:00');
    expect(add('1.5', 'SECOND_MICROSECOND')).toBe('2023-01-01 00:00:01.500000');
    expect(add('-1 1:1:1', 'DAY_SECOND')).toBe('2022-12-30 22:58:59');
    expect(add('1-2', 'YEAR_MONTH', parseDate('2023-01-31'))).toBe('2024-03-31');
    expect(add('1:2:3:4:5', 'DAY_SECOND')).toBeNull();
    expect(add('', 'DAY_HOUR')).toBe('2023-01-01 00:00:00');
    expect(add(`${'9'.repeat(100_000)} 1`, 'DAY_HOUR')).toBeNull();
  });

  it('counts DATEDIFF in dates and TIMESTAMPDIFF months only once reached', () => {
    expect(dateDiff(parseDateTime('2023-03-01 00:00:01', 0), parseDateTime('2023-02-28 23:59:59', 0))).toBe(1n);
    expect(timestampDiff('MONTH', parseDate('2023-01-31'), parseDate('2023-02-28'))).toBe(0n);
    expect(timestampDiff('MONTH', parseDate('2023-01-31'), parseDate('2023-03-31'))).toBe(2n);
    expect(timestampDiff('MONTH', parseDate('2023-03-31'), parseDate('2023-01-31'))).toBe(-2n);
    expect(timestampDiff('MONTH', parseDate('2023-03-31'), parseDate('2023-02-28'))).toBe(-1n);
    expect(timestampDiff('MONTH', parseDate('2023-03-27'), parseDate('2023-02-28'))).toBe(0n);
    expect(timestampDiff('YEAR', parseDate('2020-02-29'), parseDate('2021-02-28'))).toBe(0n);
    expect(timestampDiff('SECOND', parseDateTime('2023-01-01 00:00:00', 0), parseDateTime('2022-12-31 23:59:58.5', 1))).toBe(-1n);
  });

  it('extracts parts, TIME hours beyond a day and signed', () => {
    expect(extract('HOUR', parseTime('-100:30:00', 0))).toBe(-100n);
    expect(extract('MINUTE', parseTime('-100:30:00', 0))).toBe(-30n);
    expect(extract('YEAR_MONTH', parseDate('2023-07-04'))).toBe(202307n);
    expect(extract('QUARTER', parseDate('2023-07-04'))).toBe(3n);
    expect(errorCodeOf(() => extract('DAY', parseTime('10:00', 0)))).toBe('TYPE_MISMATCH');
  });

  it('formats with MySQL specifiers, unknown ones as the character', () => {
    const value = parseDateTime('2023-07-04 15:05:09.012345', 6);
    expect(dateFormat(value, '%W %D %M %Y, %l:%i %p (%j) %f %Q %%')).toBe('Tuesday 4th July 2023, 3:05 PM (185) 012345 Q %');
    expect(dateFormat(parseDate('2023-01-01'), '%U %u %a')).toBe('01 00 Sun');
    // ISO 8601 weeks wrap across the year: 2021-01-01 is in 2020's week 53, 2024-12-30 in 2025's week 1.
    expect(dateFormat(parseDate('2021-01-01'), '%x-%v %X-%V')).toBe('2020-53 2020-52');
    expect(dateFormat(parseDate('2024-12-30'), '%x-%v %u')).toBe('2025-01 53');
  });
});
