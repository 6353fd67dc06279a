/**
 * The provider's webhooks: verified against their raw bytes, stored once by provider event id,
 * acknowledged, then applied by the provider-events worker. Acknowledging before applying keeps the
 * provider's call short (it retries a slow answer as a failure); storing first means nothing
 * acknowledged is ever lost; the provider event id makes a redelivery (or a replay inside the
 * signature's tolerance) a no-op. Applying is safe in any order: each event moves a payment, top-up
 * or refund only from a state it can move on from.
 */
import type { Tx } from '@qc/shared/db';
import type { Emit } from '@qc/shared/events';
import {
  lockPendingProviderEvents,
  markProviderEventProcessed,
  recordProviderEventError,
  storeProviderEvent,
  type StoredProviderEvent,
} from '../data/provider-events.repository';
import type { PaymentContext } from './context';
import { capturePayment, failPayment } from './payments';
import type { ProviderEvent } from './provider';
import { confirmRefund } from './refunds';
import { completeTopup, failTopup } from './wallet';

export interface Receipt {
  eventId: string;
  /** The provider sent this event before; nothing new was stored. */
  duplicate: boolean;
}

/** Verifies and stores a webhook; the caller answers 2xx as soon as this returns. */
export async function receiveWebhook(
  ctx: PaymentContext,
  rawBody: Buffer,
  signature: string | undefined,
  now = new Date(),
): Promise<Receipt> {
  const event = ctx.provider.readWebhook(rawBody, signature, now);
  const stored = await storeProviderEvent(ctx.db, ctx.provider.name, event);
  if (stored) ctx.wake.providerEvents();
  return { eventId: event.eventId, duplicate: !stored };
}

/** What one event did, for the log. */
export async function applyProviderEvent(tx: Tx, emit: Emit, event: ProviderEvent): Promise<string> {
  switch (event.type) {
    case 'payment.succeeded':
      return event.reference.kind === 'payment'
        ? capturePayment(tx, emit, event.reference.id, event.amount)
        : completeTopup(tx, emit, event.reference.id, event.amount);
    case 'payment.failed':
      return event.reference.kind === 'payment'
        ? failPayment(tx, emit, event.reference.id, event.reason)
        : failTopup(tx, event.reference.id, event.reason);
    case 'refund.succeeded':
      return confirmRefund(tx, emit, event.refundId, event.providerRefundId);
    case 'ignored':
      return 'ignored';
  }
}

/**
 * Applies stored events, oldest first, each in its own transaction with the events it emits.
 * Returns how many were applied; stops at the first failure (recorded on the event, tried again
 * next round, left alone after PROVIDER_EVENT_MAX_ATTEMPTS).
 */
export async function applyPendingProviderEvents(ctx: PaymentContext, limit = 50): Promise<number> {
  let applied = 0;
  while (applied < limit) {
    let current: StoredProviderEvent | undefined;
    try {
      const outcome = await ctx.outbox.transaction(async (tx, emit) => {
        [current] = await lockPendingProviderEvents(tx, 1);
        if (!current) return undefined;
        const result = await applyProviderEvent(tx, emit, current.event);
        await markProviderEventProcessed(tx, current.id);
        return result;
      });
      if (!current) break;
      ctx.logger.info({ providerEventId: current.event.eventId, type: current.event.type, outcome }, 'provider event applied');
      applied++;
    } catch (err) {
      if (current) await recordProviderEventError(ctx.db, current.id, err instanceof Error ? err.message : String(err));
      ctx.logger.error({ err, providerEventId: current?.event.eventId }, 'provider event not applied; will retry');
      break;
    }
  }
  return applied;
}
