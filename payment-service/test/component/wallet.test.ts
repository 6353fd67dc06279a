import { randomUUID } from 'node:crypto';
import { outboxEvents, rootQuery } from '@qc/shared/testing';
import { findOrder } from '../../src/data/orders.repository';
import { payFromWallet } from '../../src/domain/payments';
import {
  awaitingPaymentOrder,
  confirmAtPsp,
  fundWallet,
  orderCreatedEvent,
  outboxEventsOf,
  startPaymentService,
  type PaymentServiceUnderTest,
} from '../fixtures';
import { recordOrder } from '../../src/domain/payments';

/** The wallet: a double-entry ledger that never goes negative, top-ups through the PSP, checkout debits. */
describe('wallet', () => {
  let payments: PaymentServiceUnderTest;

  beforeAll(async () => {
    payments = await startPaymentService('payment_wallet');
  }, 60_000);
  afterAll(() => payments?.stop(), 30_000);

  const customer = (userId: string) => payments.issuer.bearer({ userId });
  const walletOf = async (userId: string) => (await payments.api().get('/api/v1/wallet').set('authorization', customer(userId))).body.data;
  const ledgerSum = async (account?: string) =>
    Number(
      (
        (await rootQuery(
          `SELECT COALESCE(SUM(amount), 0) AS total FROM \`${payments.schema.name}\`.ledger_entries ${account ? 'WHERE account = ?' : ''}`,
          account ? [account] : [],
        )) as { total: string }[]
      )[0]!.total,
    );

  it('when a customer who never topped up reads their wallet, then it is empty', async () => {
    const userId = randomUUID();
    expect(await walletOf(userId)).toEqual({ userId, balance: { amount: 0, currency: 'INR' }, entries: [] });
    expect((await payments.api().get('/api/v1/wallet')).status).toBe(401);
  });

  it('when a top-up is confirmed at the PSP, then the wallet is credited once and wallet.topup is emitted', async () => {
    const userId = randomUUID();
    const key = randomUUID();
    const start = () =>
      payments
        .api()
        .post('/api/v1/wallet/topups')
        .set('authorization', customer(userId))
        .set('idempotency-key', key)
        .send({ amount: { amount: 50_000, currency: 'INR' } });
    const res = await start();
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({
      status: 'PENDING',
      amount: { amount: 50_000 },
      provider: 'sandbox',
      nextAction: { type: 'confirm_with_provider' },
    });
    const replay = await start();
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.data.topupId).toBe(res.body.data.topupId);

    const confirmed = await confirmAtPsp(res.body.data.nextAction, res.body.data.clientSecret, { upi: { vpa: 'success@upi' } });
    expect(confirmed.status).toBe(200);
    const [topup] = await outboxEventsOf(payments, 'wallet.topup', userId);
    expect(topup!.data).toEqual({ userId, amount: { amount: 50_000, currency: 'INR' }, balance: { amount: 50_000, currency: 'INR' } });
    const wallet = await walletOf(userId);
    expect(wallet.balance.amount).toBe(50_000);
    expect(wallet.entries).toEqual([
      expect.objectContaining({
        kind: 'TOPUP',
        amount: { amount: 50_000, currency: 'INR' },
        balanceAfter: { amount: 50_000, currency: 'INR' },
        reference: res.body.data.topupId,
      }),
    ]);
    const view = await payments.api().get(`/api/v1/wallet/topups/${res.body.data.topupId}`).set('authorization', customer(userId));
    expect(view.body.data).toMatchObject({ status: 'SUCCEEDED', clientSecret: null });
    expect(
      (await payments.api().get(`/api/v1/wallet/topups/${res.body.data.topupId}`).set('authorization', customer(randomUUID()))).status,
    ).toBe(404);
  });

  it('when a top-up is malformed or has no Idempotency-Key, then it is refused and nothing is created', async () => {
    const userId = randomUUID();
    const post = (body: unknown, key: string | null = randomUUID()) => {
      const req = payments.api().post('/api/v1/wallet/topups').set('authorization', customer(userId));
      return (key ? req.set('idempotency-key', key) : req).send(body as object);
    };
    expect((await post({ amount: { amount: 50_000, currency: 'INR' } }, null)).body.errorCode).toBe('IDEMPOTENCY_KEY_REQUIRED');
    for (const bad of [
      { amount: { amount: -5, currency: 'INR' } },
      { amount: { amount: 99, currency: 'INR' } },
      { amount: { amount: 10.5, currency: 'INR' } },
      { amount: { amount: 1_000_001, currency: 'INR' } },
      { amount: { amount: 500, currency: 'USD' } },
      { amount: { amount: 500, currency: 'INR' }, userId },
    ]) {
      expect((await post(bad)).status).toBe(400);
    }
    const rows = (await rootQuery(`SELECT COUNT(*) AS n FROM \`${payments.schema.name}\`.topups WHERE user_id = ?`, [userId])) as {
      n: number;
    }[];
    expect(Number(rows[0]!.n)).toBe(0);
  });

  it('when a WALLET order waits for payment and the balance covers it, then the wallet is debited and payment.completed is emitted; otherwise payment.failed', async () => {
    const userId = randomUUID();
    await fundWallet(payments, userId, 30_000);
    const paid = await awaitingPaymentOrder(payments, 'WALLET', 20_000, userId);
    const [completed] = await outboxEventsOf(payments, 'payment.completed', paid.orderId);
    expect(completed!.data).toMatchObject({ orderId: paid.orderId, amount: { amount: 20_000 }, method: 'WALLET', userId });

    const refused = await awaitingPaymentOrder(payments, 'WALLET', 20_000, userId);
    const [failed] = await outboxEventsOf(payments, 'payment.failed', refused.orderId);
    expect(failed!.data).toMatchObject({ orderId: refused.orderId, reason: 'INSUFFICIENT_BALANCE', method: 'WALLET' });
    expect((await walletOf(userId)).balance.amount).toBe(10_000);
  });

  it('when 20 orders are paid from one wallet at once with enough for 10, then exactly 10 are paid, the balance is zero and the ledger adds up', async () => {
    const userId = randomUUID();
    await fundWallet(payments, userId, 10 * 1_500);
    const { outbox, dataSource } = payments.service.deps;
    const orders = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const created = orderCreatedEvent('WALLET', 1_500, userId);
        await outbox.transaction((tx) => recordOrder(tx, created.data, created));
        return (await findOrder(dataSource, created.data.orderId))!;
      }),
    );
    const outcomes = await Promise.all(orders.map((order) => outbox.transaction((tx, emit) => payFromWallet(tx, emit, order))));
    expect(outcomes.filter((o) => o === 'paid')).toHaveLength(10);
    expect(outcomes.filter((o) => o === 'insufficient_balance')).toHaveLength(10);

    const wallet = await walletOf(userId);
    expect(wallet.balance.amount).toBe(0);
    expect(await ledgerSum(`wallet:${userId}`)).toBe(0);
    expect(await ledgerSum()).toBe(0); // every ledger transaction balances
    const ids = new Set(orders.map((o) => o.id));
    const completed = (await outboxEvents(payments.schema, 'payment.completed')).filter((e) => ids.has(e.subject));
    expect(completed).toHaveLength(10);
    // Each paying order again (a redelivered event) changes nothing.
    const again = await Promise.all(orders.map((order) => outbox.transaction((tx, emit) => payFromWallet(tx, emit, order))));
    expect(new Set(again)).toEqual(new Set(['already_paid']));
  });
});
