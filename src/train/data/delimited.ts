/**
 * Delimiter, header and column detection for text datasets: MovieLens
 * `u.data` (tabs, no header), `ratings.dat` (`::`), `ratings.csv` (commas,
 * header), and the session-rec layout (`SessionId\tItemId\tTime`).
 * @module
 */

export type Delimiter = '\t' | ',' | ';' | '::' | 'space';

export function detectDelimiter(line: string): Delimiter {
  if (line.includes('::')) return '::';
  if (line.includes('\t')) return '\t';
  if (line.includes(',')) return ',';
  if (line.includes(';')) return ';';
  return 'space';
}

export function splitFields(line: string, d: Delimiter): string[] {
  const parts = d === 'space' ? line.trim().split(/\s+/) : line.split(d);
  for (let i = 0; i < parts.length; i++) parts[i] = unquote(parts[i]!.trim());
  return parts;
}

function unquote(s: string): string {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s;
}

/** Column roles and the header names that say them (lower case, `_`, `-` and spaces removed). */
const NAMES = {
  user: ['user', 'userid', 'visitor', 'visitorid', 'customer', 'customerid', 'uid'],
  session: ['session', 'sessionid'],
  item: ['item', 'itemid', 'movie', 'movieid', 'product', 'productid', 'aid', 'iid', 'sku'],
  rating: ['rating', 'value', 'weight', 'score', 'count'],
  time: ['timestamp', 'time', 'ts', 'date', 'datetime', 'eventtime'],
} as const;
export type ColumnRole = keyof typeof NAMES;

const normalize = (s: string): string => s.toLowerCase().replace(/[\s_-]/g, '');

export function roleOf(name: string): ColumnRole | undefined {
  const n = normalize(name);
  for (const [role, names] of Object.entries(NAMES) as Array<[ColumnRole, readonly string[]]>)
    if (names.includes(n)) return role;
  return undefined;
}

const isNumber = (s: string): boolean => s !== '' && Number.isFinite(Number(s));

/**
 * A first line is a header when every field is a known column name, or when a
 * field where data has numbers (rating, time: third and later columns) is not
 * a number.
 */
export function looksLikeHeader(fields: string[]): boolean {
  if (fields.every((f) => roleOf(f) !== undefined)) return true;
  return fields.slice(2).some((f) => !isNumber(f));
}

/** Column index per role from a header; roles not named fall back to nothing. */
export function columnsFromHeader(fields: string[]): Partial<Record<ColumnRole, number>> {
  const cols: Partial<Record<ColumnRole, number>> = {};
  fields.forEach((f, i) => {
    const role = roleOf(f);
    if (role !== undefined && cols[role] === undefined) cols[role] = i;
  });
  return cols;
}

/** Epoch ms from a number in seconds or milliseconds (values below 1e11 are seconds: before 1973 in ms). */
export function toEpochMs(t: number): number {
  return Math.abs(t) < 1e11 ? t * 1000 : t;
}

/**
 * A time field: a number (seconds or ms) or an ISO date. Returns NaN for an
 * empty field and undefined for one that is not a time.
 */
export function parseTime(s: string): number | undefined {
  if (s === '') return Number.NaN;
  if (isNumber(s)) return toEpochMs(Number(s));
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}
