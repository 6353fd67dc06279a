import type { DataSource } from '@qc/shared/db';
import type { Outbox } from '@qc/shared/events';
import type { Logger } from '@qc/shared/logging';
import type { PaymentProvider } from './provider';

/** An order as order-service shows it to its customer right now. */
export interface CurrentOrder {
  orderId: string;
  userId: string;
  status: string;
  paymentMethod: string;
  /** The total to pay, in paise. */
  total: number;
}

/** order-service, asked directly when its events about an order have not reached us yet. */
export interface OrderSource {
  /**
   * The order as the caller may see it, read with their own `Authorization` (so order-service's
   * ownership rule applies); null when it is not theirs or does not exist. An `unavailable`
   * AppError when order-service cannot answer.
   */
  orderOf(orderId: string, authorization: string): Promise<CurrentOrder | null>;
}

/** What the use cases work with; built once per service (service.ts) and shared by routes, consumers and jobs. */
export interface PaymentContext {
  db: DataSource;
  outbox: Outbox;
  provider: PaymentProvider;
  orders: OrderSource;
  logger: Logger;
  /** Tells the workers there is something new for them (a stored webhook event, a refund to send). */
  wake: { providerEvents(): void; refunds(): void };
}
