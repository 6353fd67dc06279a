import type { DataSource, Tx } from '@qc/shared/db';
import { findPreferences, lockPreferences, savePreferences, type PreferencesRecord } from '../data/preferences.repository';

export type { PreferencesRecord } from '../data/preferences.repository';

/** Until a user chooses: every channel on, no quiet hours, the service's zone. */
export const DEFAULT_PREFERENCES: PreferencesRecord = {
  channels: { email: true, sms: true, push: true },
  quietHours: null,
  timeZone: null,
};

export async function preferencesOf(db: DataSource | Tx, userId: string): Promise<PreferencesRecord> {
  return (await findPreferences(db, userId)) ?? DEFAULT_PREFERENCES;
}

/** What a user may change; absent fields stay as they are, `quietHours: null` switches them off. */
export interface PreferencesChange {
  channels?: Partial<PreferencesRecord['channels']> | undefined;
  quietHours?: PreferencesRecord['quietHours'] | undefined;
  timeZone?: string | undefined;
}

export async function changePreferences(dataSource: DataSource, userId: string, change: PreferencesChange): Promise<PreferencesRecord> {
  return dataSource.transaction(async (tx) => {
    await lockPreferences(tx, userId);
    const current = await preferencesOf(tx, userId);
    const next: PreferencesRecord = {
      channels: { ...current.channels, ...change.channels },
      quietHours: change.quietHours === undefined ? current.quietHours : change.quietHours,
      timeZone: change.timeZone ?? current.timeZone,
    };
    await savePreferences(tx, userId, next);
    return next;
  });
}
