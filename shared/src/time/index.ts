/**
 * Local time of day and opening hours, for every service that answers "is this store open now"
 * (inventory's store views, location's serviceability).
 */

/** A store's daily hours in its city's local time, `HH:MM`; `24:00` is the end of the day. */
export interface OpeningHours {
  opensAt: string;
  closesAt: string;
}

const HH_MM = /^(?:([01]\d|2[0-3]):([0-5]\d)|24:00)$/;

export function isValidTimeOfDay(value: string): boolean {
  return HH_MM.test(value);
}

function minutesOfDay(value: string): number {
  const match = HH_MM.exec(value);
  if (!match) throw new RangeError(`not a time of day: ${value}`);
  return match[1] === undefined ? 24 * 60 : Number(match[1]) * 60 + Number(match[2]);
}

/** Building a formatter costs ~80 µs, using one ~3 µs: serviceability asks on every request. */
const clockFormats = new Map<string, Intl.DateTimeFormat>();

/** Minutes since local midnight of `at` in `timeZone` (an IANA name such as `Asia/Kolkata`). */
export function localMinutes(at: Date, timeZone: string): number {
  let format = clockFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    clockFormats.set(timeZone, format);
  }
  const parts = format.formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return part('hour') * 60 + part('minute');
}

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a store is open at a local time. `closesAt` before `opensAt` means it closes after
 * midnight (06:00–02:00 is open at 01:30); equal times mean it never closes. Closing time itself is closed.
 */
export function isOpenAt({ opensAt, closesAt }: OpeningHours, minutes: number): boolean {
  const opens = minutesOfDay(opensAt);
  const closes = minutesOfDay(closesAt);
  if (opens === closes) return true;
  return opens < closes ? minutes >= opens && minutes < closes : minutes >= opens || minutes < closes;
}
