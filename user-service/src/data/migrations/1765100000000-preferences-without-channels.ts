import type { MigrationInterface, QueryRunner } from '@qc/shared/db';

/**
 * Channel choices (email, SMS, push) leave the stored preferences: notification-service keeps them
 * and is the one that reads them. `down` puts back the default every account had.
 */
export class PreferencesWithoutChannels1765100000000 implements MigrationInterface {
  name = 'PreferencesWithoutChannels1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      "UPDATE users SET preferences = JSON_REMOVE(preferences, '$.notifications') WHERE JSON_CONTAINS_PATH(preferences, 'one', '$.notifications')",
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      "UPDATE users SET preferences = JSON_SET(preferences, '$.notifications', JSON_EXTRACT('{\"email\":true,\"sms\":true,\"push\":true}', '$')) WHERE NOT JSON_CONTAINS_PATH(preferences, 'one', '$.notifications')",
    );
  }
}
