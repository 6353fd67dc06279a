import { z } from 'zod';
import { pageQuery } from '@qc/shared/http';
import type { ListedNotification } from '../domain/deliveries';

const CHANNELS = ['email', 'sms', 'push'] as const;

export const HistoryQuery = z.strictObject({ ...pageQuery, channel: z.enum(CHANNELS).optional() });
export const NotificationParams = z.strictObject({ id: z.uuid() });

export const NotificationView = z
  .object({
    id: z.uuid(),
    template: z.string().describe('name.version of the template it was rendered from'),
    channel: z.enum(CHANNELS),
    recipient: z.string().describe('email address, phone number, or (push) the user id'),
    subject: z.string().nullable(),
    body: z.string().describe('as sent; one-time codes redacted'),
    status: z.enum(['PENDING', 'SENT', 'FAILED']),
    attempts: z.number().int().describe('sends tried by its latest delivery'),
    createdAt: z.iso.datetime(),
    sentAt: z.iso.datetime().nullable(),
  })
  .openapi('Notification');

export const AdminNotificationView = NotificationView.extend({
  userId: z.uuid().nullable(),
  eventType: z.string(),
  eventId: z.uuid(),
  lastError: z.string().nullable(),
}).openapi('AdminNotification');

export function toNotificationView(n: ListedNotification): z.infer<typeof NotificationView> {
  return {
    id: n.id,
    template: n.template,
    channel: n.channel,
    recipient: n.recipient,
    subject: n.subject,
    body: n.body,
    status: n.status,
    attempts: n.latest.attempts,
    createdAt: n.createdAt.toISOString(),
    sentAt: n.latest.sentAt?.toISOString() ?? null,
  };
}

export function toAdminNotificationView(n: ListedNotification): z.infer<typeof AdminNotificationView> {
  return { ...toNotificationView(n), userId: n.userId, eventType: n.eventType, eventId: n.eventId, lastError: n.latest.lastError };
}
