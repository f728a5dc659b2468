/**
 * RFC 4180 CSV (CRLF line ends, fields with `"` `,` CR or LF quoted, quotes
 * doubled) that is also safe to open in a spreadsheet: a text cell starting
 * with = + - @ TAB or CR would be run as a formula (CSV injection, OWASP), so
 * it gets a leading single quote. Numbers are written as numbers.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export type CsvCell = string | number | null;

export const csvCell = (value: CsvCell): string => {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export const csvRow = (cells: readonly CsvCell[]): string => cells.map(csvCell).join(',');

export const toCsv = (header: readonly string[], rows: Iterable<readonly CsvCell[]>): string => {
  const lines = [csvRow(header)];
  for (const row of rows) lines.push(csvRow(row));
  return `${lines.join('\r\n')}\r\n`;
};
