import type { Response } from 'express';

type Cell = string | number | boolean | null | undefined;

/**
 * One CSV cell (RFC 4180). Text that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab,
 * CR first: a product name is anyone's text) is prefixed with a quote mark, as OWASP advises.
 */
function cell(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** Rows as CSV under a header of the columns given (so an empty window still names them). */
export function toCsv(columns: string[], rows: Record<string, Cell>[]): string {
  return [columns.join(','), ...rows.map((row) => columns.map((c) => cell(row[c])).join(','))].join('\r\n') + '\r\n';
}

export function sendCsv(res: Response, filename: string, columns: string[], rows: Record<string, Cell>[]): void {
  res.status(200).type('text/csv; charset=utf-8').attachment(filename).send(toCsv(columns, rows));
}
