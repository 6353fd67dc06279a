import { commonColumnsSql, tableOptionsSql, type MigrationInterface, type QueryRunner } from '@qc/shared/db';

/**
 * payment-service's tables: what it knows of orders (from order events), payments, refunds, the
 * wallet ledger, top-ups and the provider's webhook events. Amounts are integers in paise. The
 * counters that must never go below zero or past a ceiling are guarded by the schema as well as
 * by the code: a wallet balance is UNSIGNED, a payment's refunds never exceed what was captured.
 */
export class PaymentTables1764900000000 implements MigrationInterface {
  name = 'PaymentTables1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE orders (
        id CHAR(36) NOT NULL PRIMARY KEY COMMENT 'order-service''s order id',
        user_id CHAR(36) NOT NULL,
        amount BIGINT UNSIGNED NOT NULL COMMENT 'the order total, paise',
        currency CHAR(3) NOT NULL,
        method ENUM('WALLET', 'CARD', 'UPI', 'COD') NOT NULL,
        status VARCHAR(30) NOT NULL COMMENT 'the order''s status as its events last said',
        correlation_id VARCHAR(200) NULL COMMENT 'the order saga''s, for events this service emits on its own',
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
        KEY orders_user (user_id, id)
      ) ${tableOptionsSql}`);
    // One payment per order: the unique order id turns a second attempt (another Idempotency-Key,
    // a redelivered event) into the first one.
    await q.query(`
      CREATE TABLE payments (
        ${commonColumnsSql},
        order_id CHAR(36) NOT NULL,
        user_id CHAR(36) NOT NULL,
        method ENUM('WALLET', 'CARD', 'UPI', 'COD') NOT NULL,
        status ENUM('PENDING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'PENDING_COLLECTION') NOT NULL,
        amount BIGINT UNSIGNED NOT NULL,
        currency CHAR(3) NOT NULL,
        captured_amount BIGINT UNSIGNED NOT NULL DEFAULT 0,
        refunded_amount BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'refunds sent or being sent',
        provider VARCHAR(20) NULL,
        provider_payment_id VARCHAR(100) NULL,
        client_secret VARCHAR(200) NULL,
        failure_reason VARCHAR(100) NULL,
        UNIQUE KEY payments_order (order_id),
        UNIQUE KEY payments_provider (provider, provider_payment_id),
        KEY payments_user (user_id, id),
        CONSTRAINT payments_refunds_within_captured CHECK (refunded_amount <= captured_amount)
      ) ${tableOptionsSql}`);
    await q.query(`
      CREATE TABLE refunds (
        ${commonColumnsSql},
        payment_id CHAR(36) NOT NULL,
        order_id CHAR(36) NOT NULL,
        user_id CHAR(36) NOT NULL,
        amount BIGINT UNSIGNED NOT NULL,
        currency CHAR(3) NOT NULL,
        destination ENUM('original', 'wallet') NOT NULL,
        status ENUM('PENDING', 'SUCCEEDED', 'FAILED') NOT NULL,
        reason VARCHAR(200) NOT NULL,
        requested_by VARCHAR(64) NOT NULL COMMENT 'admin user id, or system:<why>',
        provider_refund_id VARCHAR(100) NULL,
        attempts INT UNSIGNED NOT NULL DEFAULT 0,
        next_attempt_at DATETIME(3) NULL COMMENT 'when a PENDING refund is sent to the provider (again)',
        last_error VARCHAR(500) NULL,
        correlation_id VARCHAR(200) NULL,
        KEY refunds_payment (payment_id, id),
        KEY refunds_due (status, next_attempt_at),
        CONSTRAINT refunds_amount CHECK (amount > 0),
        CONSTRAINT refunds_payment FOREIGN KEY (payment_id) REFERENCES payments (id)
      ) ${tableOptionsSql}`);
    await q.query(`
      CREATE TABLE wallets (
        user_id CHAR(36) NOT NULL PRIMARY KEY,
        balance BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'the sum of the wallet account''s ledger entries',
        currency CHAR(3) NOT NULL,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)
      ) ${tableOptionsSql}`);
    // Double entry: every movement is one ledger transaction of entries that add up to zero. An
    // action is booked at most once per account: (account, kind, reference) is unique.
    await q.query(`
      CREATE TABLE ledger_entries (
        id CHAR(36) NOT NULL PRIMARY KEY,
        transaction_id CHAR(36) NOT NULL,
        account VARCHAR(60) NOT NULL COMMENT 'wallet:<user id>, provider:<name>, orders',
        amount BIGINT NOT NULL COMMENT 'signed paise; a transaction''s entries sum to zero',
        balance_after BIGINT NULL COMMENT 'the wallet''s balance after this entry (wallet accounts)',
        kind ENUM('TOPUP', 'PAYMENT', 'REFUND') NOT NULL,
        reference CHAR(36) NOT NULL COMMENT 'the top-up, payment or refund',
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        UNIQUE KEY ledger_once (account, kind, reference),
        KEY ledger_account (account, id),
        KEY ledger_transaction (transaction_id),
        CONSTRAINT ledger_amount CHECK (amount <> 0)
      ) ${tableOptionsSql}`);
    await q.query(`
      CREATE TABLE topups (
        ${commonColumnsSql},
        user_id CHAR(36) NOT NULL,
        amount BIGINT UNSIGNED NOT NULL,
        currency CHAR(3) NOT NULL,
        status ENUM('PENDING', 'SUCCEEDED', 'FAILED') NOT NULL,
        provider VARCHAR(20) NOT NULL,
        provider_payment_id VARCHAR(100) NULL,
        client_secret VARCHAR(200) NULL,
        failure_reason VARCHAR(100) NULL,
        KEY topups_user (user_id, id)
      ) ${tableOptionsSql}`);
    // Stored as they arrive, processed after the answer: the webhook acks fast, and a redelivered
    // event (same provider event id) is stored once.
    await q.query(`
      CREATE TABLE provider_events (
        ${commonColumnsSql},
        provider VARCHAR(20) NOT NULL,
        event_id VARCHAR(100) NOT NULL,
        event_type VARCHAR(100) NOT NULL,
        payload TEXT NOT NULL COMMENT 'the event as the adapter read it',
        processed_at DATETIME(3) NULL,
        attempts INT UNSIGNED NOT NULL DEFAULT 0,
        last_error VARCHAR(500) NULL,
        UNIQUE KEY provider_events_once (provider, event_id),
        KEY provider_events_pending (processed_at, id)
      ) ${tableOptionsSql}`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['provider_events', 'topups', 'ledger_entries', 'wallets', 'refunds', 'payments', 'orders'])
      await q.query(`DROP TABLE ${table}`);
  }
}
