import { domainEventTopics } from '@qc/shared/fleet';
import { defineService, type ServiceDeps } from '@qc/shared/service';
import type { Channel } from './channels/channel';
import { EmailChannel } from './channels/email.channel';
import { HttpProviderChannel } from './channels/http-provider.channel';
import { NotificationConfig } from './config';
import { domainEventSubscriptions } from './consumers/domain-events.consumer';
import { NotificationTables1765200000000 } from './data/migrations/1765200000000-notifications';
import type { Dispatch } from './domain/deliveries';
import { Templates } from './domain/templates';
import { DeliveryWorker } from './jobs/delivery-worker';
import { notificationsRoutes } from './routes/notifications.routes';
import { preferencesRoutes } from './routes/preferences.routes';

/**
 * notification-service: turns every topic's events into emails, SMS and push messages by a rule
 * table (DESIGN §4), once per fact, channel and recipient; sends them from a worker with retries;
 * keeps users' preferences (channels, quiet hours) and their message history.
 */
export const definition = defineService({
  name: 'notification-service',
  settings: NotificationConfig,
  migrations: [NotificationTables1765200000000],
  routes: (deps) => [preferencesRoutes(deps), notificationsRoutes(deps, dispatchOf(deps))],
  consumes: {
    topics: domainEventTopics(),
    subscriptions: (deps) =>
      domainEventSubscriptions({
        templates: new Templates(),
        adminEmails: deps.settings.ADMIN_ALERT_EMAILS ?? [],
        defaultTimeZone: deps.settings.DEFAULT_TIME_ZONE,
        logger: deps.logger,
      }),
  },
  background: (deps) => [deliveryWorker(deps)],
});

export function dispatchOf({ dataSource, outbox, logger, settings }: ServiceDeps<NotificationConfig>): Dispatch {
  return {
    dataSource,
    outbox,
    logger,
    batchSize: settings.DELIVERY_BATCH,
    maxAttempts: settings.DELIVERY_MAX_ATTEMPTS,
    retryBaseMs: settings.DELIVERY_RETRY_BASE_MS,
    retryMaxMs: settings.DELIVERY_RETRY_MAX_MS,
    // A send ends within its timeout; past three of them its worker is taken to be gone.
    leaseMs: settings.CHANNEL_TIMEOUT_MS * 3,
  };
}

/** The providers behind the three channels, as the settings configure them. */
export function channelsOf({ settings }: ServiceDeps<NotificationConfig>): Channel[] {
  const timeoutMs = settings.CHANNEL_TIMEOUT_MS;
  return [
    new EmailChannel({ url: settings.SMTP_URL, from: settings.MAIL_FROM, timeoutMs }),
    new HttpProviderChannel({ name: 'sms', url: settings.SMS_PROVIDER_URL, token: settings.SMS_PROVIDER_TOKEN, timeoutMs }),
    new HttpProviderChannel({ name: 'push', url: settings.PUSH_PROVIDER_URL, token: settings.PUSH_PROVIDER_TOKEN, timeoutMs }),
  ];
}

export function deliveryWorker(deps: ServiceDeps<NotificationConfig>): DeliveryWorker {
  return new DeliveryWorker(dispatchOf(deps), channelsOf(deps), deps.settings.DELIVERY_POLL_MS);
}
