import { tableOptionsSql, type MigrationInterface, type QueryRunner } from '@qc/shared/db';

/**
 * The projections the rollups are read from, one row per business fact (an order, a payment, a
 * delivery...), each column written by the one event that knows it. Every write is idempotent and
 * order-independent (a late event fills its own columns), so replaying the raw store in any order
 * rebuilds the same rows. Times are the events' own (UTC), so a late event lands in its bucket.
 */
export class Projections1765000000000 implements MigrationInterface {
  name = 'Projections1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE order_facts (
        order_id CHAR(36) NOT NULL PRIMARY KEY,
        user_id CHAR(36) NULL,
        store_id CHAR(36) NULL,
        payment_method VARCHAR(20) NULL,
        total_paise BIGINT NULL,
        created_at DATETIME(3) NULL,
        confirmed_at DATETIME(3) NULL,
        delivered_at DATETIME(3) NULL,
        cancelled_at DATETIME(3) NULL,
        cancellation_reason VARCHAR(100) NULL,
        KEY order_facts_created (created_at),
        KEY order_facts_confirmed (confirmed_at),
        KEY order_facts_delivered (delivered_at),
        KEY order_facts_cancelled (cancelled_at),
        KEY order_facts_user (user_id, created_at)
      ) ${tableOptionsSql}`);
    await q.query(`
      CREATE TABLE order_lines (
        order_id CHAR(36) NOT NULL,
        product_id CHAR(36) NOT NULL,
        quantity INT NOT NULL,
        unit_price_paise BIGINT NOT NULL,
        PRIMARY KEY (order_id, product_id)
      ) ${tableOptionsSql}`);
    await q.query(`
      CREATE TABLE payment_facts (
        payment_id CHAR(36) NOT NULL PRIMARY KEY,
        order_id CHAR(36) NOT NULL,
        method VARCHAR(20) NULL,
        amount_paise BIGINT NULL,
        initiated_at DATETIME(3) NULL,
        completed_at DATETIME(3) NULL,
        failed_at DATETIME(3) NULL,
        failure_reason VARCHAR(100) NULL,
        KEY payment_facts_order (order_id),
        KEY payment_facts_completed (completed_at),
        KEY payment_facts_failed (failed_at)
      ) ${tableOptionsSql}`);
    await q.query(`
      CREATE TABLE refund_facts (
        refund_id CHAR(36) NOT NULL PRIMARY KEY,
        payment_id CHAR(36) NOT NULL,
        order_id CHAR(36) NOT NULL,
        amount_paise BIGINT NOT NULL,
        destination VARCHAR(20) NULL,
        refunded_at DATETIME(3) NOT NULL,
        KEY refund_facts_time (refunded_at)
      ) ${tableOptionsSql}`);
    await q.query(`
      CREATE TABLE delivery_facts (
        delivery_id CHAR(36) NOT NULL PRIMARY KEY,
        order_id CHAR(36) NOT NULL,
        partner_id CHAR(36) NULL,
        eta_minutes INT NULL,
        eta_at DATETIME(3) NULL,
        scheduled_at DATETIME(3) NULL,
        started_at DATETIME(3) NULL,
        completed_at DATETIME(3) NULL,
        failed_at DATETIME(3) NULL,
        failure_reason VARCHAR(100) NULL,
        KEY delivery_facts_order (order_id),
        KEY delivery_facts_scheduled (scheduled_at)
      ) ${tableOptionsSql}`);
    await q.query(`
      CREATE TABLE stock_signals (
        event_id CHAR(36) NOT NULL PRIMARY KEY,
        store_id CHAR(36) NOT NULL,
        product_id CHAR(36) NOT NULL,
        at DATETIME(3) NOT NULL,
        out_of_stock BOOLEAN NOT NULL,
        KEY stock_signals_item (store_id, product_id, out_of_stock, at),
        KEY stock_signals_time (out_of_stock, at)
      ) ${tableOptionsSql}`);
    await q.query(`
      CREATE TABLE cart_activity (
        user_id CHAR(36) NOT NULL,
        hour DATETIME NOT NULL,
        store_id CHAR(36) NOT NULL DEFAULT '',
        PRIMARY KEY (user_id, hour, store_id),
        KEY cart_activity_hour (hour)
      ) ${tableOptionsSql}`);
    await q.query(`
      CREATE TABLE notification_facts (
        notification_id CHAR(36) NOT NULL PRIMARY KEY,
        channel VARCHAR(20) NOT NULL,
        template VARCHAR(100) NOT NULL,
        sent_at DATETIME(3) NOT NULL,
        KEY notification_facts_time (sent_at)
      ) ${tableOptionsSql}`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'notification_facts',
      'cart_activity',
      'stock_signals',
      'delivery_facts',
      'refund_facts',
      'payment_facts',
      'order_lines',
      'order_facts',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
