import { newEvent, type CatalogEvent, type CloudEvent } from '@qc/shared/events';
import type { Cart } from './cart';

/** `cart.updated`: what the cart holds now, keyed by the cart's id. */
export function cartUpdated(cart: Cart): CatalogEvent<'cart.updated'> {
  return newEvent(
    'cart-service',
    'cart.updated',
    {
      cartId: cart.id,
      userId: cart.userId,
      items: cart.lines.map(({ productId, quantity }) => ({ productId, quantity })),
      ...(cart.storeId ? { storeId: cart.storeId } : {}),
    },
    { subject: cart.id },
  );
}

/** Why a cart was emptied: the customer emptied it, or the order placed from it was confirmed. */
export type ClearReason = 'CUSTOMER' | 'ORDER_CONFIRMED';

export function cartCleared(cart: Cart, reason: ClearReason, causedBy?: CloudEvent): CatalogEvent<'cart.cleared'> {
  return newEvent(
    'cart-service',
    'cart.cleared',
    { cartId: cart.id, userId: cart.userId, reason },
    { subject: cart.id, ...(causedBy ? { causedBy } : {}) },
  );
}
