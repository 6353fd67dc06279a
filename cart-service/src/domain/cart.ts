/** A sum in minor units (paise), as everywhere in the fleet. */
export interface Money {
  amount: number;
  currency: 'INR';
}

export const inr = (amount: number): Money => ({ amount, currency: 'INR' });

/**
 * One product in a cart, as stored: how many the customer wants, and what the product was called
 * and cost when they last chose that quantity (the baseline every read compares today's price with,
 * and what the line shows once the product is no longer sold).
 */
export interface CartLine {
  productId: string;
  quantity: number;
  name: string;
  price: Money;
  mrp: Money;
  addedAt: string;
}

/**
 * A customer's one active cart. It belongs to the store that delivers to the chosen address
 * (none until an address is chosen); `version` grows by one with every change.
 */
export interface Cart {
  id: string;
  userId: string;
  storeId: string | null;
  addressId: string | null;
  lines: CartLine[];
  version: number;
  updatedAt: string;
}
