import { z } from 'zod';
// Registers zod's .openapi() before the schemas below use it.
import '@qc/shared/openapi';

const uuid = z.uuid().transform((id) => id.toLowerCase());

export const ChooseAddressBody = z.strictObject({
  addressId: uuid.openapi({ description: 'One of your addresses (user-service); the cart goes to the store that delivers there' }),
});

export const AddItemBody = z.strictObject({
  productId: uuid,
  quantity: z.number().int().min(1).max(10_000).openapi({ description: 'Units to add; the line may hold CART_MAX_LINE_QUANTITY in all' }),
});

export const SetQuantityBody = z.strictObject({
  quantity: z.number().int().min(0).max(10_000).openapi({ description: 'Units the line should hold; 0 removes it' }),
});

export const ItemParams = z.strictObject({ productId: uuid });

const Money = z.object({ amount: z.number().int(), currency: z.literal('INR') }).openapi('Money');

const LineChange = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.enum(['PRICE_UP', 'PRICE_DOWN']), from: Money, to: Money }),
    z.object({ kind: z.literal('OUT_OF_STOCK') }),
    z.object({ kind: z.literal('QUANTITY_CAPPED'), requested: z.number().int(), available: z.number().int() }),
    z.object({ kind: z.literal('UNAVAILABLE') }),
  ])
  .openapi('CartLineChange', { description: 'What changed since the line’s quantity was last chosen' });

const CartLineView = z
  .object({
    productId: z.uuid(),
    name: z.string(),
    quantity: z.number().int().openapi({ description: 'Units asked for' }),
    price: Money.openapi({ description: 'Today’s price (the last known one when the product is no longer sold)' }),
    mrp: Money,
    lineTotal: Money.openapi({ description: 'price × the units that can be delivered (0 when none can)' }),
    available: z.boolean().openapi({ description: 'Known to be sold and in stock at the cart’s store now' }),
    availableQuantity: z.number().int().openapi({ description: 'Units in stock at the store (0 when not known)' }),
    availabilityKnown: z.boolean().openapi({ description: 'False with no address chosen, or while inventory-service is not answering' }),
    changes: z.array(LineChange),
    addedAt: z.iso.datetime(),
  })
  .openapi('CartLine');

export const CartView = z
  .object({
    id: z.uuid(),
    userId: z.uuid(),
    storeId: z.uuid().nullable().openapi({ description: 'The store delivering to the chosen address; null until one is chosen' }),
    addressId: z.uuid().nullable(),
    items: z.array(CartLineView),
    itemTotal: Money,
    itemCount: z.number().int().openapi({ description: 'Units in the cart, available or not' }),
    availability: z
      .enum(['LIVE', 'UNKNOWN', 'NO_STORE'])
      .openapi({ description: 'LIVE: stock checked at the store; UNKNOWN: inventory-service did not answer; NO_STORE: no address chosen' }),
    version: z.number().int().openapi({ description: 'Grows by one with every change' }),
    updatedAt: z.iso.datetime(),
  })
  .openapi('Cart');
