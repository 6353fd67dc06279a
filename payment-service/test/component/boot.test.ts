import { describeServiceBoot } from '../../../shared/test/service-boot';
import { definition } from '../../src/service';

// The provider's secrets have no defaults: the service refuses to start without them.
describeServiceBoot(
  definition,
  ['payments', 'refunds', 'wallets', 'ledger_entries', 'topups', 'provider_events', 'orders', 'idempotency_keys'],
  {
    PAYMENT_PROVIDER_API_KEY: 'sk_test_boot_0123456789abcdef',
    PAYMENT_WEBHOOK_SECRET: 'whsec_boot_0123456789abcdef',
  },
);
