// DATE_FORMAT(value, format) with MySQL's specifiers, in English (lc_time_names = en_US, MySQL's
// default). A `%` before any other character gives that character, as in MySQL. Weeks: %U and
// %V/%X start on Sunday (modes 0 and 2), %u and %v/%x on Monday with ISO 8601's four-day rule
// (modes 1 and 3); %X and %x are the year the %V or %v week belongs to.
import { SqlDate, civilFromDays, daysFromCivil, microsPerSecond, splitDateTime } from './temporal.js';
import type { SqlDateTime } from './temporal.js';
import { weekOfYear, weekOfYearMondayFirst, weekOfYearSundayFirst, weekday } from './temporal-arithmetic.js';

const monthNames = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const dayNames = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

interface Parts {
  readonly days: number;
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly micros: number;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

// 1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st.
function ordinalSuffix(day: number): string {
  if (day % 100 >= 11 && day % 100 <= 13) return 'th';
  return ['th', 'st', 'nd', 'rd'][day % 10] ?? 'th';
}

function hour12(hour: number): number {
  return hour % 12 === 0 ? 12 : hour % 12;
}

function partsOf(value: SqlDate | SqlDateTime): Parts {
  const { days, timeMicros } = value instanceof SqlDate ? { days: value.days, timeMicros: 0n } : splitDateTime(value);
  const seconds = Number(timeMicros / microsPerSecond);
  return {
    days,
    ...civilFromDays(days),
    hour: Math.floor(seconds / 3600),
    minute: Math.floor(seconds / 60) % 60,
    second: seconds % 60,
    micros: Number(timeMicros % microsPerSecond),
  };
}

const specifiers: Readonly<Record<string, (parts: Parts) => string>> = {
  a: (p) => dayNames[weekday(p.days)]!.slice(0, 3),
  b: (p) => monthNames[p.month - 1]!.slice(0, 3),
  c: (p) => String(p.month),
  D: (p) => `${p.day}${ordinalSuffix(p.day)}`,
  d: (p) => pad(p.day, 2),
  e: (p) => String(p.day),
  f: (p) => pad(p.micros, 6),
  H: (p) => pad(p.hour, 2),
  h: (p) => pad(hour12(p.hour), 2),
  I: (p) => pad(hour12(p.hour), 2),
  i: (p) => pad(p.minute, 2),
  j: (p) => pad(p.days - daysFromCivil({ year: p.year, month: 1, day: 1 }) + 1, 3),
  k: (p) => String(p.hour),
  l: (p) => String(hour12(p.hour)),
  M: (p) => monthNames[p.month - 1]!,
  m: (p) => pad(p.month, 2),
  p: (p) => (p.hour < 12 ? 'AM' : 'PM'),
  r: (p) => `${pad(hour12(p.hour), 2)}:${pad(p.minute, 2)}:${pad(p.second, 2)} ${p.hour < 12 ? 'AM' : 'PM'}`,
  S: (p) => pad(p.second, 2),
  s: (p) => pad(p.second, 2),
  T: (p) => `${pad(p.hour, 2)}:${pad(p.minute, 2)}:${pad(p.second, 2)}`,
  U: (p) => pad(weekOfYearSundayFirst(p.days), 2),
  u: (p) => pad(weekOfYearMondayFirst(p.days), 2),
  V: (p) => pad(weekOfYear(p.days, 0, false, true).week, 2),
  v: (p) => pad(weekOfYear(p.days, 1, true, true).week, 2),
  X: (p) => pad(weekOfYear(p.days, 0, false, true).year, 4),
  x: (p) => pad(weekOfYear(p.days, 1, true, true).year, 4),
  W: (p) => dayNames[weekday(p.days)]!,
  w: (p) => String(weekday(p.days)),
  Y: (p) => pad(p.year, 4),
  y: (p) => pad(p.year % 100, 2),
};

export function dateFormat(value: SqlDate | SqlDateTime, format: string): string {
  const parts = partsOf(value);
  let out = '';
  for (let at = 0; at < format.length; at++) {
    const char = format[at]!;
    if (char !== '%' || at + 1 === format.length) {
      out += char;
      continue;
    }
    const specifier = format[++at]!;
    const render = specifiers[specifier];
    out += render === undefined ? specifier : render(parts);
  }
  return out;
}
