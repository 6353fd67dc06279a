import type { Queryable } from '@qc/shared/db';

export type ChannelName = 'email' | 'sms' | 'push';

/** How a user wants to be reached. */
export interface PreferencesRecord {
  channels: Record<ChannelName, boolean>;
  /** Local `HH:MM` window in which non-transactional messages wait; null when the user set none. */
  quietHours: { start: string; end: string } | null;
  /** The zone of the quiet hours; null means the service's default. */
  timeZone: string | null;
}

export async function findPreferences(db: Queryable, userId: string): Promise<PreferencesRecord | undefined> {
  const [row] = await db.query('SELECT * FROM preferences WHERE user_id = ?', [userId]);
  if (!row) return undefined;
  return {
    channels: { email: Boolean(row.email_enabled), sms: Boolean(row.sms_enabled), push: Boolean(row.push_enabled) },
    quietHours: row.quiet_start === null ? null : { start: String(row.quiet_start), end: String(row.quiet_end) },
    timeZone: row.time_zone === null ? null : String(row.time_zone),
  };
}

/** Locks the user's row (if there is one) so two concurrent updates merge rather than overwrite. */
export async function lockPreferences(db: Queryable, userId: string): Promise<void> {
  await db.query('SELECT user_id FROM preferences WHERE user_id = ? FOR UPDATE', [userId]);
}

export async function savePreferences(db: Queryable, userId: string, preferences: PreferencesRecord): Promise<void> {
  const { channels, quietHours, timeZone } = preferences;
  await db.query(
    `INSERT INTO preferences (user_id, email_enabled, sms_enabled, push_enabled, quiet_start, quiet_end, time_zone)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON DUPLICATE KEY UPDATE email_enabled = VALUES(email_enabled), sms_enabled = VALUES(sms_enabled), push_enabled = VALUES(push_enabled),
       quiet_start = VALUES(quiet_start), quiet_end = VALUES(quiet_end), time_zone = VALUES(time_zone)`,
    [userId, channels.email, channels.sms, channels.push, quietHours?.start ?? null, quietHours?.end ?? null, timeZone],
  );
}
