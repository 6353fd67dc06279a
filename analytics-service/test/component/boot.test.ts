import { describeServiceBoot } from '../../../shared/test/service-boot';
import { definition } from '../../src/service';

describeServiceBoot(definition, [
  'raw_events',
  'order_facts',
  'order_lines',
  'payment_facts',
  'refund_facts',
  'delivery_facts',
  'stock_signals',
  'cart_activity',
  'notification_facts',
]);
