import { AppError } from '@qc/shared/http';

export function productNotFound(productId: string): AppError {
  return new AppError('not_found', 'PRODUCT_NOT_FOUND', `Product ${productId} is not sold (unknown, or no longer active)`, {
    details: [{ path: 'body.productId', message: 'no such product in the catalog' }],
  });
}

export function productUnavailable(productId: string): AppError {
  return new AppError('rule_violation', 'PRODUCT_UNAVAILABLE', `Product ${productId} is no longer sold; remove it from the cart`);
}

export function lineNotFound(productId: string): AppError {
  return new AppError('not_found', 'CART_LINE_NOT_FOUND', `Product ${productId} is not in your cart`);
}

export function addressNotFound(addressId: string): AppError {
  return new AppError('not_found', 'ADDRESS_NOT_FOUND', `Address ${addressId} is not one of yours`, {
    details: [{ path: 'body.addressId', message: 'no such address on your account' }],
  });
}

export function addressNotServiceable(addressId: string): AppError {
  return new AppError('rule_violation', 'ADDRESS_NOT_SERVICEABLE', `No dark store delivers to address ${addressId}`);
}

/** The cart moved to another store between the stock check and the change; the client retries. */
export function cartStoreChanged(): AppError {
  return new AppError('conflict', 'CART_STORE_CHANGED', 'The cart moved to another store while this change was made; try again');
}
