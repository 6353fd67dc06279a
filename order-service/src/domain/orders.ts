/** Reading orders and reordering: customers see their own orders only (404 for anyone else's). */
import { AppError } from '@qc/shared/http';
import { findOrder, historyOf, listOrders, type OrderQuery, type OrderRecord, type StatusChange } from '../data/orders.repository';
import type { CartLine, OrderContext } from './context';
import { orderNotFound } from './order.errors';

export type { OrderRecord, StatusChange } from '../data/orders.repository';

/** Who is asking: customers are limited to their own orders, admins see all. */
export interface Reader {
  userId: string;
  isAdmin: boolean;
}

export interface OrderWithHistory {
  order: OrderRecord;
  history: StatusChange[];
}

export async function orderFor(ctx: Pick<OrderContext, 'db'>, orderId: string, reader: Reader): Promise<OrderWithHistory> {
  const order = await findOrder(ctx.db, orderId);
  if (!order || (!reader.isAdmin && order.userId !== reader.userId)) throw orderNotFound(orderId);
  return { order, history: await historyOf(ctx.db, order.id) };
}

/** A page of orders, newest first; a customer's query is always narrowed to their own. */
export async function searchOrders(ctx: Pick<OrderContext, 'db'>, reader: Reader, query: OrderQuery): Promise<OrderWithHistory[]> {
  if (!reader.isAdmin && query.userId !== undefined && query.userId !== reader.userId) {
    throw new AppError('forbidden', 'FORBIDDEN_FILTER', 'Only admins may list other users’ orders');
  }
  const orders = await listOrders(ctx.db, reader.isAdmin ? query : { ...query, userId: reader.userId });
  return Promise.all(orders.map(async (order) => ({ order, history: await historyOf(ctx.db, order.id) })));
}

export interface ReorderResult {
  orderId: string;
  added: CartLine[];
  /** Lines the cart would not take, with cart-service's reason (a product no longer sold, say). */
  skipped: (CartLine & { reason: string })[];
}

/**
 * Puts an earlier order's lines into the caller's cart (cart-service, with the caller's token), at
 * today's prices: the cart prices them, and the next order is priced again from the catalog.
 */
export async function reorder(
  ctx: OrderContext,
  orderId: string,
  caller: { userId: string; authorization: string },
): Promise<ReorderResult> {
  const { order } = await orderFor(ctx, orderId, { userId: caller.userId, isAdmin: false });
  const result: ReorderResult = { orderId: order.id, added: [], skipped: [] };
  // One at a time, in the order's own order, so the cart lists them as the order did.
  for (const { productId, quantity } of order.items) {
    const refusal = await ctx.carts.add(caller.authorization, { productId, quantity });
    if (refusal) result.skipped.push({ productId, quantity, reason: refusal });
    else result.added.push({ productId, quantity });
  }
  return result;
}
