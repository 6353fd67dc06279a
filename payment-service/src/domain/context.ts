import type { DataSource } from '@qc/shared/db';
import type { Outbox } from '@qc/shared/events';
import type { Logger } from '@qc/shared/logging';
import type { PaymentProvider } from './provider';

/** What the use cases work with; built once per service (service.ts) and shared by routes, consumers and jobs. */
export interface PaymentContext {
  db: DataSource;
  outbox: Outbox;
  provider: PaymentProvider;
  logger: Logger;
  /** Tells the workers there is something new for them (a stored webhook event, a refund to send). */
  wake: { providerEvents(): void; refunds(): void };
}
