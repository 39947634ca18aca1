// Amounts of money as whole cents. The node sends DECIMAL values as strings ("12.50") so that
// no digit is lost to binary floating point; summing them as cents keeps the dashboard's
// revenue equal, to the cent, to the SUM() the database computes.

const decimalPattern = /^(-?)(\d+)(?:\.(\d{1,2}))?$/;

// "12.5" and "12.50" are both 1250. A value with more than two decimals is refused rather than
// rounded: the store's money columns are DECIMAL(…,2), so one would mean a schema we don't know.
export function centsOf(value: unknown): number {
  const text = typeof value === 'number' ? value.toFixed(2) : value;
  if (typeof text !== 'string') throw new TypeError(`not an amount of money: ${JSON.stringify(value)}`);
  const match = decimalPattern.exec(text);
  if (match === null) throw new TypeError(`not an amount of money: ${JSON.stringify(value)}`);
  const [, sign, whole, fraction] = match;
  const cents = Number(whole) * 100 + Number((fraction ?? '').padEnd(2, '0'));
  return sign === '-' ? -cents : cents;
}

export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const magnitude = Math.abs(cents);
  return `${sign}${Math.floor(magnitude / 100)}.${String(magnitude % 100).padStart(2, '0')}`;
}
