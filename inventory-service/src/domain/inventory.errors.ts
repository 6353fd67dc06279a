import { AppError } from '@qc/shared/http';

export function storeNotFound(storeId: string): AppError {
  return new AppError('not_found', 'STORE_NOT_FOUND', `Store ${storeId} does not exist`);
}

export function stockNotFound(storeId: string, productId: string): AppError {
  return new AppError('not_found', 'STOCK_NOT_FOUND', `Store ${storeId} holds no stock of product ${productId}`);
}

export function reservationNotFound(reservationId: string): AppError {
  return new AppError('not_found', 'RESERVATION_NOT_FOUND', `Reservation ${reservationId} does not exist`);
}
