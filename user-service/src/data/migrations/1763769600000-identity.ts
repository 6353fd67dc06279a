import { commonColumnsSql, tableOptionsSql, type MigrationInterface, type QueryRunner } from '@qc/shared/db';

/** Accounts, login sessions with their refresh tokens, addresses, and the keys and secrets user-service keeps. */
export class Identity1763769600000 implements MigrationInterface {
  name = 'Identity1763769600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        ${commonColumnsSql},
        email VARCHAR(254) NULL,
        phone VARCHAR(16) NULL,
        name VARCHAR(100) NULL,
        password_hash VARCHAR(255) NULL,
        role VARCHAR(20) NOT NULL,
        status VARCHAR(16) NOT NULL DEFAULT 'active',
        preferences LONGTEXT NOT NULL,
        version INT NOT NULL DEFAULT 1,
        UNIQUE KEY users_email (email),
        UNIQUE KEY users_phone (phone),
        CONSTRAINT users_has_login CHECK (email IS NOT NULL OR phone IS NOT NULL),
        CONSTRAINT users_role CHECK (role IN ('customer', 'admin', 'delivery_partner')),
        CONSTRAINT users_status CHECK (status IN ('active', 'disabled'))
      ) ${tableOptionsSql}`);
    // A session is one login and the family of refresh tokens rotated from it.
    await q.query(`
      CREATE TABLE sessions (
        ${commonColumnsSql},
        user_id CHAR(36) NOT NULL,
        method VARCHAR(16) NOT NULL,
        expires_at DATETIME(3) NOT NULL,
        ended_at DATETIME(3) NULL,
        end_reason VARCHAR(32) NULL,
        KEY sessions_user (user_id, ended_at),
        CONSTRAINT sessions_user FOREIGN KEY (user_id) REFERENCES users (id)
      ) ${tableOptionsSql}`);
    await q.query(`
      CREATE TABLE refresh_tokens (
        token_hash BINARY(32) NOT NULL PRIMARY KEY,
        session_id CHAR(36) NOT NULL,
        expires_at DATETIME(3) NOT NULL,
        spent_at DATETIME(3) NULL,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        KEY refresh_tokens_session (session_id),
        CONSTRAINT refresh_tokens_session FOREIGN KEY (session_id) REFERENCES sessions (id)
      ) ${tableOptionsSql}`);
    await q.query(`
      CREATE TABLE addresses (
        ${commonColumnsSql},
        user_id CHAR(36) NOT NULL,
        label VARCHAR(32) NOT NULL,
        line1 VARCHAR(200) NOT NULL,
        line2 VARCHAR(200) NULL,
        city VARCHAR(100) NOT NULL,
        pincode CHAR(6) NOT NULL,
        lat DECIMAL(9, 6) NOT NULL,
        lng DECIMAL(9, 6) NOT NULL,
        is_default TINYINT(1) NOT NULL DEFAULT 0,
        KEY addresses_user (user_id, id),
        CONSTRAINT addresses_user FOREIGN KEY (user_id) REFERENCES users (id)
      ) ${tableOptionsSql}`);
    // Private keys never leave this schema, which only user-service's database user can read.
    await q.query(`
      CREATE TABLE signing_keys (
        kid VARCHAR(64) NOT NULL PRIMARY KEY,
        private_key TEXT NOT NULL,
        public_jwk TEXT NOT NULL,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        retires_at DATETIME(3) NULL
      ) ${tableOptionsSql}`);
    // Generated on first start and shared by every replica, e.g. the key OTP codes are hashed with.
    await q.query(`
      CREATE TABLE service_secrets (
        name VARCHAR(64) NOT NULL PRIMARY KEY,
        value VARBINARY(64) NOT NULL,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
      ) ${tableOptionsSql}`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['service_secrets', 'signing_keys', 'addresses', 'refresh_tokens', 'sessions', 'users'])
      await q.query(`DROP TABLE ${table}`);
  }
}
