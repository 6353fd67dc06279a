import { AppError, type ErrorDetail } from '@qc/shared/http';

export function orderNotFound(orderId: string): AppError {
  return new AppError('not_found', 'ORDER_NOT_FOUND', `Order ${orderId} does not exist`);
}

export function couponNotFound(what: string): AppError {
  return new AppError('not_found', 'COUPON_NOT_FOUND', `Coupon ${what} does not exist`);
}

/** The coupon named on an order cannot be used on it (unknown, expired, exhausted, …). */
export function couponRefused(code: string, errorCode: string, message: string): AppError {
  return new AppError('rule_violation', errorCode, message, { details: [{ path: 'body.couponCode', message, code }] });
}

export function cartEmpty(): AppError {
  return new AppError('rule_violation', 'CART_EMPTY', 'The cart is empty: add items, or send them as items');
}

export function addressNotFound(addressId: string): AppError {
  return new AppError('rule_violation', 'ADDRESS_NOT_FOUND', `You have no address ${addressId}`, {
    details: [{ path: 'body.addressId', message: 'not one of your addresses' }],
  });
}

export function addressNotServiceable(): AppError {
  return new AppError('rule_violation', 'ADDRESS_NOT_SERVICEABLE', 'No dark store delivers to this address yet', {
    details: [{ path: 'body.addressId', message: 'outside every delivery zone' }],
  });
}

export function storeClosed(storeId: string): AppError {
  return new AppError('rule_violation', 'STORE_CLOSED', `The store delivering to this address (${storeId}) is closed now`);
}

export function productsUnavailable(details: ErrorDetail[]): AppError {
  return new AppError('rule_violation', 'PRODUCT_UNAVAILABLE', 'Some products are not for sale', { details });
}

export function tooManyLines(max: number): AppError {
  return new AppError('rule_violation', 'TOO_MANY_LINES', `An order holds at most ${max} different products`);
}

export function couponCodeTaken(code: string): AppError {
  return new AppError('conflict', 'COUPON_CODE_TAKEN', `A coupon with code ${code} exists`);
}

export function couponChanged(couponId: string): AppError {
  return new AppError('conflict', 'COUPON_VERSION_CONFLICT', `Coupon ${couponId} changed since you read it: read it again`);
}

export function orderChanged(orderId: string, version: number): AppError {
  return new AppError(
    'conflict',
    'ORDER_VERSION_CONFLICT',
    `Order ${orderId} changed since you read it (now version ${version}): read it again`,
  );
}
