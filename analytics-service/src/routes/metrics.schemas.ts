import { z } from 'zod';
import { MAX_BUCKETS } from '../domain/time-range';

const count = z.number().int();
const paise = z.number().int().describe('Paise');
const rate = z.number().min(0).max(1).nullable().describe('0 to 1; null when nothing was counted');
const minutes = z.number().nullable();
const bucket = z.iso.datetime().describe('Start of the UTC hour or day');

/** The filters every metric takes. */
export const RangeQuery = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional().describe('Start of the window, inclusive (default: 7 days before `to`)'),
  to: z.iso.datetime({ offset: true }).optional().describe('End of the window, exclusive (default: now)'),
  granularity: z.enum(['hour', 'day']).optional().describe(`Bucket size of series (default day); at most ${MAX_BUCKETS} buckets`),
  storeId: z.uuid().optional().describe('Only this store'),
});

/** The filters of the metrics over orders, which know each order's zone. */
export const OrdersQuery = RangeQuery.extend({
  zoneId: z.uuid().optional().describe('Only orders whose drop-off fell in this location-service zone'),
});

export const SalesQuery = RangeQuery.extend({
  sortBy: z.enum(['units', 'revenue']).default('units'),
  limit: z.coerce.number().int().min(1).max(100).default(10),
});

const Range = z.object({
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  granularity: z.enum(['hour', 'day']),
  storeId: z.uuid().nullable(),
  zoneId: z.uuid().nullable(),
});

/** A metric's answer: the window it covers, its rows, and totals over the window. */
export function metricAnswer(name: string, row: z.ZodObject, totals: z.ZodObject) {
  return z.object({ range: Range, rows: z.array(row), totals }).openapi(name);
}

const OrdersTotals = z.object({ placed: count, delivered: count, gmv: paise, cancelled: count, averageOrderValue: paise.nullable() });
export const OrdersRow = z.object({ bucket, ...OrdersTotals.shape });
export { OrdersTotals };

export const FunnelRow = z.object({
  stage: z.enum(['cart_updated', 'order_created', 'paid', 'delivered']),
  customers: count,
  conversionFromPrevious: rate,
  conversionFromStart: rate,
});
export const FunnelTotals = z.object({ conversion: rate });

export const CancellationRow = z.object({ reason: z.string(), cancelled: count, share: rate });
export const CancellationTotals = z.object({ cancelled: count });

export const PaymentRow = z.object({ method: z.string(), succeeded: count, failed: count, amount: paise, successRate: rate });
export const PaymentTotals = z.object({ succeeded: count, failed: count, successRate: rate });

export const RefundRow = z.object({ bucket, refunds: count, amount: paise, toWallet: paise });
export const RefundTotals = z.object({ refunds: count, amount: paise });

const DeliveryFigures = z.object({
  delivered: count,
  p50Minutes: minutes,
  p90Minutes: minutes,
  promisedP50Minutes: minutes.describe('Median promised time from confirmation'),
  slaBreaches: count.describe('Delivered after the promised time'),
  slaBreachRate: rate,
});
export const DeliveryRow = z.object({ bucket, ...DeliveryFigures.shape });
export { DeliveryFigures };

export const PartnerRow = z.object({
  partnerId: z.uuid(),
  delivered: count,
  failed: count,
  busyMinutes: z.number(),
  utilisation: rate.describe('Share of the window spent on deliveries'),
});
export const PartnerTotals = z.object({ partners: count, delivered: count, utilisation: rate });

export const ProductRow = z.object({
  productId: z.uuid(),
  name: z.string().nullable(),
  categoryId: z.uuid().nullable(),
  category: z.string().nullable(),
  units: count,
  revenue: paise,
});
export const CategoryRow = z.object({
  categoryId: z.uuid().nullable(),
  category: z.string().nullable(),
  units: count,
  revenue: paise,
  products: count,
});
export const SalesTotals = z.object({ units: count, revenue: paise });

export const StockOutRow = z.object({
  storeId: z.uuid(),
  store: z.string().nullable(),
  stockOuts: count,
  ongoing: count,
  totalMinutes: z.number(),
  medianMinutes: minutes,
  longestMinutes: z.number(),
});
export const StockOutTotals = z.object({ stockOuts: count, ongoing: count });

export const CustomerRow = z.object({ bucket, newCustomers: count, returning: count });
export const CustomerTotals = z.object({ newCustomers: count, returning: count });

export const NotificationTotals = z.object({ email: count, sms: count, push: count });
export const NotificationRow = z.object({ bucket, ...NotificationTotals.shape });

/** What a store's and a zone's rows both count. */
const OrderFigures = z.object({
  placed: count,
  delivered: count,
  gmv: paise,
  averageOrderValue: paise.nullable(),
  cancelled: count,
  cancellationRate: rate,
  deliveryP50Minutes: minutes,
  slaBreachRate: rate,
});

export const StoreRow = z.object({
  storeId: z.uuid(),
  store: z.string().nullable(),
  ...OrderFigures.shape,
  stockOuts: count,
});
export const StoreTotals = z.object({ stores: count });

export const ZoneRow = z.object({
  zoneId: z.uuid().describe('The location-service zone'),
  zone: z.string().nullable().describe('Its name from location-service’s zone events; null for a zone never announced'),
  storeId: z.uuid().describe('The store that served the zone’s orders'),
  store: z.string().nullable(),
  ...OrderFigures.shape,
});
export const ZoneTotals = z.object({ zones: count });

export const OverviewTotals = z.object({
  ordersPlaced: count,
  ordersDelivered: count,
  gmv: paise,
  averageOrderValue: paise.nullable(),
  cancelled: count,
  cancellationRate: rate,
  paymentSuccessRate: rate,
  refunded: paise,
  deliveryP50Minutes: minutes,
  deliveryP90Minutes: minutes,
  slaBreachRate: rate,
  newCustomers: count,
  returningCustomers: count,
  stockOuts: count,
});
