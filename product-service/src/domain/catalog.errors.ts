import { AppError } from '@qc/shared/http';

/** The catalog's errors: the domain picks kind and code, the shared HTTP layer the status. */
export const productNotFound = (idOrSlug: string) => new AppError('not_found', 'PRODUCT_NOT_FOUND', `No product ${idOrSlug}`);

export const categoryNotFound = (idOrSlug: string) => new AppError('not_found', 'CATEGORY_NOT_FOUND', `No category ${idOrSlug}`);

/** A store the caller named (or location resolved) that inventory-service does not know. */
export const storeNotFound = (storeId: string) =>
  new AppError('not_found', 'STORE_NOT_FOUND', `No store ${storeId}`, {
    details: [{ path: 'query.storeId', message: 'no such store' }],
  });

export const priceAboveMrp = (price: number, mrp: number) =>
  new AppError('rule_violation', 'PRICE_ABOVE_MRP', 'The price may not be above the MRP', {
    details: [{ path: 'price.amount', message: `price ${price} paise is above the MRP of ${mrp} paise`, price, mrp }],
  });

export const unknownCategories = (ids: string[], path = 'categoryIds') =>
  new AppError('rule_violation', 'UNKNOWN_CATEGORY', 'Some categories do not exist', {
    details: ids.map((id) => ({ path, message: `no category ${id}`, categoryId: id })),
  });

export const versionConflict = (expected: number, current: number) =>
  new AppError('conflict', 'VERSION_CONFLICT', 'The product changed since you read it; read it again and retry', {
    details: [{ path: 'version', message: `you sent version ${expected}, the product is at version ${current}`, currentVersion: current }],
  });

export const taken = (field: 'sku' | 'slug', value: string) =>
  new AppError(
    'conflict',
    field === 'sku' ? 'SKU_TAKEN' : 'SLUG_TAKEN',
    `Another ${field === 'sku' ? 'product has SKU' : 'item has slug'} ${value}`,
    {
      details: [{ path: field, message: `${value} is taken` }],
    },
  );
