import { isValidTimeOfDay, localMinutes } from '@qc/shared/time';

/** A daily local window, `HH:MM`; `end` before `start` means it runs past midnight (22:00–07:00). */
export interface QuietHours {
  start: string;
  end: string;
}

const MINUTES_PER_DAY = 24 * 60;

function minutesOf(time: string): number {
  if (!isValidTimeOfDay(time) || time === '24:00') throw new RangeError(`not a time of day: ${time}`);
  const [hours, minutes] = time.split(':').map(Number);
  return hours! * 60 + minutes!;
}

/**
 * When a non-transactional message created at `at` may go out: undefined if `at` is outside the
 * quiet hours, else the end of the window (its first minute after, local time in `timeZone`).
 * The start is quiet, the end is not. Computed in minutes from `at`, so a DST change inside the
 * window shifts the end by its hour (India, the demo city's zone, has none).
 */
export function quietUntil(at: Date, quiet: QuietHours, timeZone: string): Date | undefined {
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return undefined;
  const now = localMinutes(at, timeZone);
  const inside = start < end ? now >= start && now < end : now >= start || now < end;
  if (!inside) return undefined;
  const wait = (end - now + MINUTES_PER_DAY) % MINUTES_PER_DAY;
  const startOfMinute = at.getTime() - (at.getTime() % 60_000);
  return new Date(startOfMinute + wait * 60_000);
}
