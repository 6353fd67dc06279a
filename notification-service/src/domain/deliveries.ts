import { newId, type DataSource } from '@qc/shared/db';
import { newEvent, type Outbox } from '@qc/shared/events';
import type { Logger } from '@qc/shared/logging';
import { ChannelFailure, type Channel } from '../channels/channel';
import {
  claimDueDeliveries,
  deliveriesToSend,
  finishDelivery,
  findNotification,
  hasOpenDelivery,
  insertDelivery,
  listNotifications,
  markNotificationPending,
  rescheduleDelivery,
  type DeliveryToSend,
  type LatestDelivery,
  type NotificationQuery,
  type NotificationRecord,
} from '../data/notifications.repository';
import { alreadyQueued, notificationNotFound, notResendable } from './notification.errors';
import { retryDelay } from './retry-delay';

export type { LatestDelivery, NotificationRecord } from '../data/notifications.repository';
export type ListedNotification = NotificationRecord & { latest: LatestDelivery };

/** What sending needs: the queue, the channels' providers, and how patiently to retry. */
export interface Dispatch {
  dataSource: DataSource;
  outbox: Outbox;
  logger: Logger;
  batchSize: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** How long a claimed delivery stays with its worker before another may take it over. */
  leaseMs: number;
}

export interface RoundResult {
  sent: number;
  retrying: number;
  failed: number;
}

/**
 * One round of a channel: claims its due deliveries (committed at once, so the send happens
 * outside any transaction), sends them side by side, then records each outcome in its own
 * transaction. A sent message emits `notification.sent`; a transient failure is due again after a
 * growing wait; the last allowed attempt, a permanent failure or an expired code ends as FAILED,
 * listed for admins. Channels run their rounds independently: one provider down delays no other.
 */
export async function sendDueDeliveries(dispatch: Dispatch, channel: Channel, now: Date = new Date()): Promise<RoundResult> {
  const leaseUntil = new Date(now.getTime() + dispatch.leaseMs);
  const ids = await dispatch.outbox.transaction((tx) => claimDueDeliveries(tx, channel.name, now, leaseUntil, dispatch.batchSize));
  const result: RoundResult = { sent: 0, retrying: 0, failed: 0 };
  const batch = await deliveriesToSend(dispatch.dataSource, ids);
  await Promise.all(batch.map(async (delivery) => void result[await sendOne(dispatch, channel, delivery)]++));
  return result;
}

async function sendOne(dispatch: Dispatch, channel: Channel, delivery: DeliveryToSend): Promise<keyof RoundResult> {
  const { notification, deliveryId, attempts } = delivery;
  const where = { notificationId: notification.id, deliveryId, channel: channel.name, template: notification.template, attempt: attempts };
  if (notification.expiresAt && notification.expiresAt.getTime() <= Date.now()) {
    await dispatch.outbox.transaction((tx) =>
      finishDelivery(tx, deliveryId, { status: 'FAILED', error: 'EXPIRED: not sent before it expired' }),
    );
    dispatch.logger.warn(where, 'notification expired before it could be sent');
    return 'failed';
  }
  try {
    const { providerMessageId } = await channel.send({
      notificationId: notification.id,
      deliveryId,
      userId: notification.userId,
      to: notification.recipient,
      subject: notification.subject,
      body: delivery.text,
    });
    await dispatch.outbox.transaction(async (tx, emit) => {
      if (!(await finishDelivery(tx, deliveryId, { status: 'SENT', at: new Date(), providerMessageId }))) return;
      emit(
        newEvent(
          'notification-service',
          'notification.sent',
          {
            notificationId: notification.id,
            ...(notification.userId ? { userId: notification.userId } : {}),
            channel: notification.channel,
            template: notification.template,
          },
          { subject: notification.id },
        ),
      );
    });
    dispatch.logger.info(where, 'notification sent');
    return 'sent';
  } catch (err) {
    const failure = err instanceof ChannelFailure ? err : new ChannelFailure(true, `unexpected: ${(err as Error).message}`);
    if (!(err instanceof ChannelFailure)) dispatch.logger.error({ ...where, err }, 'channel threw an unexpected error');
    if (failure.transient && attempts < dispatch.maxAttempts) {
      const dueAt = new Date(Date.now() + retryDelay(attempts, dispatch.retryBaseMs, dispatch.retryMaxMs));
      await dispatch.outbox.transaction((tx) => rescheduleDelivery(tx, deliveryId, dueAt, failure.message));
      dispatch.logger.warn({ ...where, error: failure.message, retryAt: dueAt.toISOString() }, 'send failed; will retry');
      return 'retrying';
    }
    await dispatch.outbox.transaction((tx) => finishDelivery(tx, deliveryId, { status: 'FAILED', error: failure.message }));
    dispatch.logger.error({ ...where, error: failure.message }, 'send failed for good: dead-lettered');
    return 'failed';
  }
}

/**
 * An admin sends a notification again (after fixing an address, or a provider): a new delivery of
 * the same message, queued now. Not for a one-time code (its text was never kept), nor while a
 * send of it is still queued.
 */
export async function resendNotification(
  dispatch: Pick<Dispatch, 'outbox' | 'dataSource'>,
  id: string,
  adminId: string,
): Promise<ListedNotification> {
  await dispatch.outbox.transaction(async (tx) => {
    const notification = await findNotification(tx, id, { lock: true });
    if (!notification) throw notificationNotFound(id);
    if (notification.secret) throw notResendable(id);
    if (await hasOpenDelivery(tx, id)) throw alreadyQueued(id);
    await insertDelivery(tx, {
      id: newId(),
      notificationId: id,
      channel: notification.channel,
      kind: 'RESEND',
      requestedBy: adminId,
      dueAt: new Date(),
    });
    await markNotificationPending(tx, id);
  });
  const [listed] = await listNotifications(dispatch.dataSource, { id, limit: 1 });
  return listed!;
}

/** A user's own notifications, newest first. */
export function historyOf(
  dataSource: DataSource,
  userId: string,
  query: Omit<NotificationQuery, 'userId' | 'status' | 'id'>,
): Promise<ListedNotification[]> {
  return listNotifications(dataSource, { ...query, userId });
}

/** Notifications whose last send failed for good, newest first (admins). */
export function deadLetters(
  dataSource: DataSource,
  query: Omit<NotificationQuery, 'userId' | 'status' | 'id'>,
): Promise<ListedNotification[]> {
  return listNotifications(dataSource, { ...query, status: 'FAILED' });
}
