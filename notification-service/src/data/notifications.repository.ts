import { duplicateKeyOf, type Queryable } from '@qc/shared/db';
import type { ChannelName } from './preferences.repository';

export type NotificationStatus = 'PENDING' | 'SENT' | 'FAILED';
export type DeliveryStatus = 'PENDING' | 'SENDING' | 'SENT' | 'FAILED';

export interface NotificationRecord {
  id: string;
  dedupeKey: string;
  userId: string | null;
  eventId: string;
  eventType: string;
  template: string;
  channel: ChannelName;
  recipient: string;
  subject: string | null;
  /** As sent, with secrets redacted. */
  body: string;
  /** Whether the message carried a secret (a one-time code): it cannot be sent again. */
  secret: boolean;
  expiresAt: Date | null;
  status: NotificationStatus;
  createdAt: Date;
  updatedAt: Date;
}

/** The latest send of a notification, for the history. */
export interface LatestDelivery {
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  sentAt: Date | null;
}

export interface DeliveryToSend {
  deliveryId: string;
  attempts: number;
  notification: NotificationRecord;
  /** The text to send: the unredacted body while the notification holds a secret. */
  text: string;
}

const time = (value: unknown) => (value === null ? null : (value as Date));

function toNotification(row: Record<string, unknown>): NotificationRecord {
  return {
    id: String(row.id),
    dedupeKey: String(row.dedupe_key),
    userId: row.user_id === null ? null : String(row.user_id),
    eventId: String(row.event_id),
    eventType: String(row.event_type),
    template: String(row.template),
    channel: row.channel as ChannelName,
    recipient: String(row.recipient),
    subject: row.subject === null ? null : String(row.subject),
    body: String(row.body),
    secret: Boolean(row.has_secret),
    expiresAt: time(row.expires_at),
    status: row.status as NotificationStatus,
    createdAt: row.created_at as Date,
    updatedAt: row.updated_at as Date,
  };
}

const NOTIFICATION_COLUMNS = `n.id, n.dedupe_key, n.user_id, n.event_id, n.event_type, n.template, n.channel, n.recipient, n.subject, n.body,
  n.has_secret, n.expires_at, n.status, n.created_at, n.updated_at`;

export interface NewNotification {
  id: string;
  dedupeKey: string;
  userId: string | null;
  eventId: string;
  eventType: string;
  template: string;
  channel: ChannelName;
  recipient: string;
  subject: string | null;
  body: string;
  secretBody: string | null;
  expiresAt: Date | null;
}

/**
 * Inserts a notification with its first delivery; false when its dedupe key exists (the message
 * was already recorded for an earlier delivery of the event, or for another event announcing the
 * same fact). Insert first, not look first: the unique key decides even between concurrent consumers.
 */
export async function insertNotification(tx: Queryable, n: NewNotification, delivery: { id: string; dueAt: Date }): Promise<boolean> {
  try {
    await tx.query(
      `INSERT INTO notifications
         (id, dedupe_key, user_id, event_id, event_type, template, channel, recipient, subject, body, has_secret, secret_body, expires_at, status)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'PENDING')`,
      [
        n.id,
        n.dedupeKey,
        n.userId,
        n.eventId,
        n.eventType,
        n.template,
        n.channel,
        n.recipient,
        n.subject,
        n.body,
        n.secretBody !== null,
        n.secretBody,
        n.expiresAt,
      ],
    );
  } catch (err) {
    if (duplicateKeyOf(err) === 'notifications_dedupe') return false;
    throw err;
  }
  await insertDelivery(tx, {
    id: delivery.id,
    notificationId: n.id,
    channel: n.channel,
    kind: 'ORIGINAL',
    requestedBy: null,
    dueAt: delivery.dueAt,
  });
  return true;
}

export async function insertDelivery(
  tx: Queryable,
  d: { id: string; notificationId: string; channel: ChannelName; kind: 'ORIGINAL' | 'RESEND'; requestedBy: string | null; dueAt: Date },
): Promise<void> {
  await tx.query(
    `INSERT INTO deliveries (id, notification_id, channel, kind, requested_by, status, next_attempt_at) VALUES (?, ?, ?, ?, ?, 'PENDING', ?)`,
    [d.id, d.notificationId, d.channel, d.kind, d.requestedBy, d.dueAt],
  );
}

/**
 * Claims up to `limit` deliveries of a channel that are due (or whose earlier claim lapsed: the
 * worker that held it died mid-send), marks them SENDING until `leaseUntil` and counts the attempt.
 * `SKIP LOCKED` lets any number of workers claim side by side without waiting on each other.
 */
export async function claimDueDeliveries(
  tx: Queryable,
  channel: ChannelName,
  now: Date,
  leaseUntil: Date,
  limit: number,
): Promise<string[]> {
  const rows: { id: string }[] = await tx.query(
    `SELECT id FROM deliveries WHERE channel = ? AND status IN ('PENDING', 'SENDING') AND next_attempt_at <= ?
     ORDER BY next_attempt_at LIMIT ? FOR UPDATE SKIP LOCKED`,
    [channel, now, limit],
  );
  const ids = rows.map((r) => String(r.id));
  if (ids.length > 0) {
    await tx.query(`UPDATE deliveries SET status = 'SENDING', attempts = attempts + 1, next_attempt_at = ? WHERE id IN (?)`, [
      leaseUntil,
      ids,
    ]);
  }
  return ids;
}

export async function deliveriesToSend(db: Queryable, ids: string[]): Promise<DeliveryToSend[]> {
  if (ids.length === 0) return [];
  const rows: Record<string, unknown>[] = await db.query(
    `SELECT d.id AS delivery_id, d.attempts, n.secret_body, ${NOTIFICATION_COLUMNS}
     FROM deliveries d JOIN notifications n ON n.id = d.notification_id WHERE d.id IN (?) ORDER BY d.next_attempt_at`,
    [ids],
  );
  return rows.map((row) => {
    const notification = toNotification(row);
    return {
      deliveryId: String(row.delivery_id),
      attempts: Number(row.attempts),
      notification,
      text: row.secret_body === null ? notification.body : String(row.secret_body),
    };
  });
}

/**
 * Ends a delivery (SENT or FAILED) if this worker's claim still holds; false when it does not (a
 * lapsed claim another worker took over). The secret goes with it: nothing sends it again.
 */
export async function finishDelivery(
  tx: Queryable,
  deliveryId: string,
  outcome: { status: 'SENT'; at: Date; providerMessageId: string | null } | { status: 'FAILED'; error: string },
): Promise<boolean> {
  const result: { affectedRows: number } = await tx.query(
    `UPDATE deliveries SET status = ?, sent_at = ?, provider_message_id = ?, last_error = ? WHERE id = ? AND status = 'SENDING'`,
    outcome.status === 'SENT'
      ? ['SENT', outcome.at, outcome.providerMessageId, null, deliveryId]
      : ['FAILED', null, null, outcome.error.slice(0, 500), deliveryId],
  );
  if (result.affectedRows === 0) return false;
  await tx.query(
    `UPDATE notifications n JOIN deliveries d ON d.notification_id = n.id SET n.status = ?, n.secret_body = NULL WHERE d.id = ?`,
    [outcome.status, deliveryId],
  );
  return true;
}

/** Puts a delivery back in the queue after a transient failure, due again at `dueAt`. */
export async function rescheduleDelivery(tx: Queryable, deliveryId: string, dueAt: Date, error: string): Promise<void> {
  await tx.query(`UPDATE deliveries SET status = 'PENDING', next_attempt_at = ?, last_error = ? WHERE id = ? AND status = 'SENDING'`, [
    dueAt,
    error.slice(0, 500),
    deliveryId,
  ]);
}

export async function findNotification(
  db: Queryable,
  id: string,
  options: { lock?: boolean } = {},
): Promise<NotificationRecord | undefined> {
  const [row] = await db.query(`SELECT ${NOTIFICATION_COLUMNS} FROM notifications n WHERE n.id = ?${options.lock ? ' FOR UPDATE' : ''}`, [
    id,
  ]);
  return row ? toNotification(row) : undefined;
}

/** Whether a send of the notification is queued or under way. */
export async function hasOpenDelivery(db: Queryable, notificationId: string): Promise<boolean> {
  const rows: unknown[] = await db.query(
    `SELECT 1 FROM deliveries WHERE notification_id = ? AND status IN ('PENDING', 'SENDING') LIMIT 1`,
    [notificationId],
  );
  return rows.length > 0;
}

export async function markNotificationPending(db: Queryable, id: string): Promise<void> {
  await db.query(`UPDATE notifications SET status = 'PENDING' WHERE id = ?`, [id]);
}

export interface NotificationQuery {
  id?: string;
  userId?: string;
  status?: NotificationStatus;
  channel?: ChannelName;
  /** Newest first: only ids below this one. */
  before?: string | undefined;
  limit: number;
}

export async function listNotifications(
  db: Queryable,
  query: NotificationQuery,
): Promise<(NotificationRecord & { latest: LatestDelivery })[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const filter = (condition: string, value: unknown) => {
    where.push(condition);
    params.push(value);
  };
  if (query.id !== undefined) filter('n.id = ?', query.id);
  if (query.userId !== undefined) filter('n.user_id = ?', query.userId);
  if (query.status !== undefined) filter('n.status = ?', query.status);
  if (query.channel !== undefined) filter('n.channel = ?', query.channel);
  if (query.before !== undefined) filter('n.id < ?', query.before);
  const rows: Record<string, unknown>[] = await db.query(
    `SELECT ${NOTIFICATION_COLUMNS}, d.status AS delivery_status, d.attempts, d.last_error, d.sent_at
     FROM notifications n
     JOIN deliveries d ON d.id = (SELECT MAX(l.id) FROM deliveries l WHERE l.notification_id = n.id)
     ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY n.id DESC LIMIT ?`,
    [...params, query.limit],
  );
  return rows.map((row) => ({
    ...toNotification(row),
    latest: {
      status: row.delivery_status as DeliveryStatus,
      attempts: Number(row.attempts),
      lastError: row.last_error === null ? null : String(row.last_error),
      sentAt: time(row.sent_at),
    },
  }));
}
