import { z } from 'zod';
import type { PaymentProvider } from '../domain/provider';
import type { PaymentRecord } from '../domain/payments';
import type { RefundRecord } from '../domain/refunds';
import type { LedgerEntry, TopupRecord, WalletView } from '../domain/wallet';

export const MoneyView = z.object({ amount: z.number().int(), currency: z.literal('INR') }).openapi('Money');
const money = (amount: number) => ({ amount, currency: 'INR' as const });

/** A positive amount of rupees in paise, as clients send it. */
export const MoneyInput = (max: number) => z.strictObject({ amount: z.number().int().positive().max(max), currency: z.literal('INR') });

export const NextAction = z
  .object({ type: z.literal('confirm_with_provider'), url: z.url() })
  .openapi('NextAction', { description: 'Where the customer’s app confirms the payment with the provider, with the client secret' });

export const RefundView = z
  .object({
    refundId: z.uuid(),
    paymentId: z.uuid(),
    orderId: z.uuid(),
    amount: MoneyView,
    destination: z.enum(['original', 'wallet']),
    status: z.enum(['PENDING', 'SUCCEEDED', 'FAILED']),
    reason: z.string(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('Refund');

export const PaymentView = z
  .object({
    paymentId: z.uuid(),
    orderId: z.uuid(),
    userId: z.uuid(),
    status: z.enum(['PENDING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'PENDING_COLLECTION']),
    amount: MoneyView,
    method: z.enum(['WALLET', 'CARD', 'UPI', 'COD']),
    provider: z.string().nullable(),
    providerPaymentId: z.string().nullable(),
    clientSecret: z.string().nullable(),
    nextAction: NextAction.nullable(),
    capturedAmount: MoneyView,
    refundedAmount: MoneyView,
    failureReason: z.string().nullable(),
    refunds: z.array(RefundView),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('Payment');

export const PaymentParams = z.strictObject({ paymentId: z.uuid() });
export const StartPaymentBody = z.strictObject({ orderId: z.uuid() });
export const RefundBody = z.strictObject({
  /** Everything left to refund when absent. */
  amount: MoneyInput(100_000_000).optional(),
  destination: z.enum(['original', 'wallet']).default('original'),
  reason: z.string().trim().min(1).max(200),
});

export function toRefundView(refund: RefundRecord): z.input<typeof RefundView> {
  return {
    refundId: refund.id,
    paymentId: refund.paymentId,
    orderId: refund.orderId,
    amount: money(refund.amount),
    destination: refund.destination,
    status: refund.status,
    reason: refund.reason,
    createdAt: refund.createdAt,
    updatedAt: refund.updatedAt,
  };
}

export function toPaymentView(payment: PaymentRecord, refunds: RefundRecord[], provider: PaymentProvider): z.input<typeof PaymentView> {
  const awaitingCustomer = payment.status === 'PENDING' && payment.providerPaymentId !== null;
  return {
    paymentId: payment.id,
    orderId: payment.orderId,
    userId: payment.userId,
    status: payment.status,
    amount: money(payment.amount),
    method: payment.method,
    provider: payment.provider,
    providerPaymentId: payment.providerPaymentId,
    clientSecret: awaitingCustomer ? payment.clientSecret : null,
    nextAction: awaitingCustomer ? { type: 'confirm_with_provider', url: provider.confirmUrl(payment.providerPaymentId!) } : null,
    capturedAmount: money(payment.capturedAmount),
    refundedAmount: money(payment.refundedAmount),
    failureReason: payment.failureReason,
    refunds: refunds.map(toRefundView),
    createdAt: payment.createdAt,
    updatedAt: payment.updatedAt,
  };
}

export const LedgerEntryView = z
  .object({
    entryId: z.uuid(),
    kind: z.enum(['TOPUP', 'PAYMENT', 'REFUND']),
    amount: MoneyView.openapi({ description: 'Signed: positive into the wallet, negative out of it' }),
    balanceAfter: MoneyView,
    reference: z.uuid().openapi({ description: 'The top-up, payment or refund' }),
    createdAt: z.iso.datetime(),
  })
  .openapi('WalletEntry');

export const WalletViewSchema = z
  .object({ userId: z.uuid(), balance: MoneyView, entries: z.array(LedgerEntryView) })
  .openapi('Wallet', { description: 'The balance and the 20 most recent entries, newest first' });

export function toWalletView(wallet: WalletView): z.input<typeof WalletViewSchema> {
  return {
    userId: wallet.userId,
    balance: money(wallet.balance),
    entries: wallet.entries.map((entry: LedgerEntry) => ({
      entryId: entry.id,
      kind: entry.kind,
      amount: money(entry.amount),
      balanceAfter: money(entry.balanceAfter ?? 0),
      reference: entry.reference,
      createdAt: entry.createdAt,
    })),
  };
}

/** A top-up: ₹1 to ₹10,000 at a time. */
export const TopupBody = z.strictObject({ amount: MoneyInput(1_000_000).refine((m) => m.amount >= 100, 'at least 100 paise (₹1)') });

export const TopupView = z
  .object({
    topupId: z.uuid(),
    status: z.enum(['PENDING', 'SUCCEEDED', 'FAILED']),
    amount: MoneyView,
    provider: z.string(),
    providerPaymentId: z.string().nullable(),
    clientSecret: z.string().nullable(),
    nextAction: NextAction.nullable(),
    failureReason: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .openapi('Topup');

export const TopupParams = z.strictObject({ topupId: z.uuid() });

export function toTopupView(topup: TopupRecord, provider: PaymentProvider): z.input<typeof TopupView> {
  const awaitingCustomer = topup.status === 'PENDING' && topup.providerPaymentId !== null;
  return {
    topupId: topup.id,
    status: topup.status,
    amount: money(topup.amount),
    provider: topup.provider,
    providerPaymentId: topup.providerPaymentId,
    clientSecret: awaitingCustomer ? topup.clientSecret : null,
    nextAction: awaitingCustomer ? { type: 'confirm_with_provider', url: provider.confirmUrl(topup.providerPaymentId!) } : null,
    failureReason: topup.failureReason,
    createdAt: topup.createdAt,
  };
}
