import { IdempotencyKeysTable1764806400000 } from '@qc/shared/idempotency';
import { eventsTopic } from '@qc/shared/fleet';
import { PeriodicJob, defineService, type ServiceDeps } from '@qc/shared/service';
import { OrdersClient } from './clients/orders.client';
import { SandboxProvider } from './clients/sandbox-provider';
import { paymentSettings, type PaymentSettings } from './config';
import { deliveryEventSubscriptions } from './consumers/delivery-events.consumer';
import { orderEventSubscriptions } from './consumers/order-events.consumer';
import { PaymentTables1764900000000 } from './data/migrations/1764900000000-payments';
import type { PaymentContext } from './domain/context';
import { applyPendingProviderEvents } from './domain/provider-events';
import { sendDueRefunds } from './domain/refunds';
import { paymentsRoutes } from './routes/payments.routes';
import { walletRoutes } from './routes/wallet.routes';
import { webhooksRoutes } from './routes/webhooks.routes';

interface PaymentRuntime {
  ctx: PaymentContext;
  providerEvents: PeriodicJob;
  refunds: PeriodicJob;
}

/** Routes, consumers and workers share one context (one provider client, one order-service client, one pair of workers), built on first use. */
const runtimes = new WeakMap<ServiceDeps<PaymentSettings>, PaymentRuntime>();

export function runtimeOf(deps: ServiceDeps<PaymentSettings>): PaymentRuntime {
  let runtime = runtimes.get(deps);
  if (!runtime) {
    const { settings } = deps;
    const provider = new SandboxProvider({
      baseUrl: settings.PAYMENT_PROVIDER_URL,
      publicUrl: settings.PAYMENT_PROVIDER_PUBLIC_URL,
      apiKey: settings.PAYMENT_PROVIDER_API_KEY,
      webhookSecret: settings.PAYMENT_WEBHOOK_SECRET,
      webhookToleranceSeconds: settings.PAYMENT_WEBHOOK_TOLERANCE_SECONDS,
      timeoutMs: settings.PAYMENT_PROVIDER_TIMEOUT_MS,
    });
    const wake = { providerEvents: () => providerEvents.wake(), refunds: () => refunds.wake() };
    const orders = new OrdersClient(settings.ORDER_SERVICE_URL, settings.DEPENDENCY_TIMEOUT_MS);
    const ctx: PaymentContext = { db: deps.dataSource, outbox: deps.outbox, provider, orders, logger: deps.logger, wake };
    // Both run a round at start: provider events and refunds stored while the process was down.
    const providerEvents = new PeriodicJob({
      name: 'provider-events',
      logger: deps.logger,
      intervalMs: settings.PAYMENT_WORKER_INTERVAL_MS,
      roundAtStart: true,
      round: async () => {
        const applied = await applyPendingProviderEvents(ctx);
        // An event may have left a refund to send (a capture after the order was cancelled).
        if (applied > 0) refunds.wake();
        return applied;
      },
    });
    const refunds = new PeriodicJob({
      name: 'refunds',
      logger: deps.logger,
      intervalMs: settings.PAYMENT_WORKER_INTERVAL_MS,
      roundAtStart: true,
      round: () => sendDueRefunds(ctx),
    });
    runtime = { ctx, providerEvents, refunds };
    runtimes.set(deps, runtime);
  }
  return runtime;
}

/**
 * payment-service: pays orders by wallet, card, UPI or cash on delivery, through a provider
 * adapter (the sandbox PSP's) and its signed webhooks; refunds; the wallet's double-entry ledger
 * and top-ups (DESIGN §5, issue 14).
 */
export const definition = defineService({
  name: 'payment-service',
  settings: paymentSettings,
  migrations: [IdempotencyKeysTable1764806400000, PaymentTables1764900000000],
  idempotency: () => ({}),
  routes: (deps) => {
    const { ctx } = runtimeOf(deps);
    return [
      paymentsRoutes(ctx, deps.openapi, deps.idempotency),
      walletRoutes(ctx, deps.openapi, deps.idempotency),
      webhooksRoutes(ctx, deps.openapi),
    ];
  },
  consumes: {
    topics: [eventsTopic('order-service'), eventsTopic('delivery-service')],
    // A refund an order.cancelled leaves to send is picked up by the refund worker's next round.
    subscriptions: (deps) => [...orderEventSubscriptions(deps.logger), ...deliveryEventSubscriptions(deps.logger)],
  },
  background: (deps) => {
    const { providerEvents, refunds } = runtimeOf(deps);
    return [providerEvents, refunds];
  },
});
