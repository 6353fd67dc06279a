import { z } from 'zod';
import { csv } from '@qc/shared/config';
import { isTimeZone } from '@qc/shared/time';

/** Where `make run` starts its local SMTP server (MailDev, web inbox on :1080) and its SMS/push sink. */
export const DEV_SMTP_URL = 'smtp://127.0.0.1:1025';
export const DEV_SINK_URL = 'http://127.0.0.1:1081';

const milliseconds = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

/** notification-service's own settings, beside the shared ones every service reads (its definition's `settings`). */
export const NotificationConfig = z.object({
  /** Any SMTP server: `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://host:465`. */
  SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).default(DEV_SMTP_URL),
  /** The From header of every email. */
  MAIL_FROM: z.string().min(3).default('QuickCommerce <no-reply@quickcommerce.local>'),
  /** The SMS provider's send endpoint (JSON `{to, body}`); in development the sink `make run` starts. */
  SMS_PROVIDER_URL: z.url({ protocol: /^https?$/ }).default(`${DEV_SINK_URL}/sms`),
  SMS_PROVIDER_TOKEN: z.string().min(1).optional(),
  /** The push provider's send endpoint (JSON `{userId, title, body}`); in development the sink. */
  PUSH_PROVIDER_URL: z.url({ protocol: /^https?$/ }).default(`${DEV_SINK_URL}/push`),
  PUSH_PROVIDER_TOKEN: z.string().min(1).optional(),
  /** Who gets the operational alerts (low stock): comma-separated email addresses. */
  ADMIN_ALERT_EMAILS: csv.pipe(z.array(z.email())).optional(),
  /** How long one send may take before it counts as a transient failure. */
  CHANNEL_TIMEOUT_MS: milliseconds(100, 120_000, 10_000),
  /** How often the delivery worker looks for due deliveries. */
  DELIVERY_POLL_MS: milliseconds(20, 60_000, 1_000),
  /** Deliveries claimed per channel per round. */
  DELIVERY_BATCH: z.coerce.number().int().min(1).max(500).default(20),
  /** Sends of one delivery before it is dead (FAILED, listed for admins). */
  DELIVERY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  /** The wait after the first failure; it doubles each time, up to DELIVERY_RETRY_MAX_MS. */
  DELIVERY_RETRY_BASE_MS: milliseconds(10, 3_600_000, 5_000),
  DELIVERY_RETRY_MAX_MS: milliseconds(10, 86_400_000, 15 * 60_000),
  /** The zone of quiet hours for users who have not chosen one. */
  DEFAULT_TIME_ZONE: z.string().refine(isTimeZone, 'must be an IANA time zone such as Asia/Kolkata').default('Asia/Kolkata'),
});
export type NotificationConfig = z.output<typeof NotificationConfig>;
