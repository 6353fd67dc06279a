/**
 * The window every metric is read for: `[from, to)`, cut into UTC hours or days. Series are dense
 * (every bucket, zeros included) and bounded, so a chart or an export never grows without limit.
 */
import { AppError } from '@qc/shared/http';

export type Granularity = 'hour' | 'day';

export const GRANULARITY_MS: Record<Granularity, number> = { hour: 3_600_000, day: 86_400_000 };
/** At most this many buckets in one series: a month by the hour, or a year and a bit by the day. */
export const MAX_BUCKETS = 744;
const DEFAULT_SPAN_MS = 7 * GRANULARITY_MS.day;

export interface TimeRange {
  from: Date;
  to: Date;
  granularity: Granularity;
  storeId?: string | undefined;
  /** The location-service zone of the order's drop-off; only metrics over orders take it. */
  zoneId?: string | undefined;
}

export interface RangeInput {
  from?: string | undefined;
  to?: string | undefined;
  granularity?: Granularity | undefined;
  storeId?: string | undefined;
  zoneId?: string | undefined;
}

/** The window asked for, defaulting to the 7 days up to now by the day; 400 when it is empty or too long. */
export function timeRangeOf(input: RangeInput, now = new Date()): TimeRange {
  const to = input.to ? new Date(input.to) : now;
  const from = input.from ? new Date(input.from) : new Date(to.getTime() - DEFAULT_SPAN_MS);
  const granularity = input.granularity ?? 'day';
  if (from.getTime() >= to.getTime()) throw new AppError('invalid_input', 'RANGE_EMPTY', '`from` must be before `to`');
  const buckets = bucketsOf({ from, to, granularity });
  if (buckets.length > MAX_BUCKETS) {
    throw new AppError(
      'invalid_input',
      'RANGE_TOO_LONG',
      `At most ${MAX_BUCKETS} ${granularity}s per series: narrow the range or use a coarser granularity`,
    );
  }
  return { from, to, granularity, storeId: input.storeId, zoneId: input.zoneId };
}

/** The start of the bucket `at` falls in (UTC). */
export function bucketStart(at: Date, granularity: Granularity): Date {
  const size = GRANULARITY_MS[granularity];
  return new Date(Math.floor(at.getTime() / size) * size);
}

/** Every bucket the range touches, oldest first, as ISO strings. */
export function bucketsOf({ from, to, granularity }: Pick<TimeRange, 'from' | 'to' | 'granularity'>): string[] {
  const size = GRANULARITY_MS[granularity];
  const buckets: string[] = [];
  for (let at = bucketStart(from, granularity).getTime(); at < to.getTime() && buckets.length <= MAX_BUCKETS; at += size) {
    buckets.push(new Date(at).toISOString());
  }
  return buckets;
}

/** Rows keyed by bucket, one per bucket of the range, with `empty` where a bucket had none. */
export function denseSeries<T extends object>(range: TimeRange, rows: Map<string, T>, empty: () => T): ({ bucket: string } & T)[] {
  return bucketsOf(range).map((bucket) => ({ bucket, ...(rows.get(bucket) ?? empty()) }));
}

/** The q-th quantile (0..1) of values, nearest rank; null for none. */
export function quantile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** a / b, or null when b is 0; rounded to 4 decimals. */
export function ratio(a: number, b: number): number | null {
  return b === 0 ? null : Math.round((a / b) * 10_000) / 10_000;
}
