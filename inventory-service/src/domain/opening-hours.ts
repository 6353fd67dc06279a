/** Opening hours of a dark store: local `HH:MM`, possibly closing after midnight (pure rules). */
export interface OpeningHours {
  opensAt: string;
  closesAt: string;
}

function minutesOf(hhmm: string): number {
  const [hours, minutes] = hhmm.split(':').map(Number);
  return hours! * 60 + minutes!;
}

/**
 * Whether a store is open at a local time (minutes after local midnight). Equal opening and
 * closing times mean open around the clock; a closing time before the opening time means the
 * store closes after midnight (06:00–02:00 is open at 01:00).
 */
export function isOpenAt({ opensAt, closesAt }: OpeningHours, localMinutes: number): boolean {
  const opens = minutesOf(opensAt);
  const closes = minutesOf(closesAt);
  if (opens === closes) return true;
  if (opens < closes) return localMinutes >= opens && localMinutes < closes;
  return localMinutes >= opens || localMinutes < closes;
}

/** Minutes after local midnight of an instant in an IANA time zone. */
export function localMinutes(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return part('hour') * 60 + part('minute');
}
