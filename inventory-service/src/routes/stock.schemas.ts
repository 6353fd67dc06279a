import { z } from 'zod';
import { pageQuery } from '@qc/shared/http';
import { ADJUSTMENT_REASONS, availableOf, type MovementRecord, type StockRecord } from '../domain/stock';
import { uuid } from './stores.schemas';

const MAX_UNITS = 1_000_000;
const note = z.string().trim().min(1).max(500);

export const StockItemParams = z.strictObject({ storeId: uuid, productId: uuid });
export const StoreStockParams = z.strictObject({ storeId: uuid });

export const ListStockQuery = z.strictObject({
  ...pageQuery,
  level: z.enum(['IN_STOCK', 'LOW', 'OUT']).optional().describe('Only items at this level'),
});

export const ListMovementsQuery = z.strictObject({ ...pageQuery, productId: uuid.optional() });

export const RestockBody = z.strictObject({ quantity: z.number().int().min(1).max(MAX_UNITS), note: note.optional() });

export const AdjustmentBody = z.strictObject({
  delta: z
    .number()
    .int()
    .min(-MAX_UNITS)
    .max(MAX_UNITS)
    .refine((delta) => delta !== 0, 'must not be 0'),
  reason: z.enum(ADJUSTMENT_REASONS),
  note: note.optional(),
});

export const StockSettingsBody = z.strictObject({ lowStockThreshold: z.number().int().min(0).max(MAX_UNITS) });

export const StockView = z.object({
  storeId: z.uuid(),
  productId: z.uuid(),
  onHand: z.number().int(),
  reserved: z.number().int(),
  available: z.number().int(),
  lowStockThreshold: z.number().int(),
  level: z.enum(['IN_STOCK', 'LOW', 'OUT']),
  updatedAt: z.iso.datetime(),
});

export const MovementView = z.object({
  id: z.uuid(),
  storeId: z.uuid(),
  productId: z.uuid(),
  delta: z.number().int(),
  reason: z.string(),
  note: z.string().nullable(),
  actor: z.string().describe('The admin’s user id, or system:<what> for the order saga and the demo seeder'),
  orderId: z.uuid().nullable(),
  onHandAfter: z.number().int(),
  createdAt: z.iso.datetime(),
});

export function toStockView(stock: StockRecord): z.infer<typeof StockView> {
  const { storeId, productId, onHand, reserved, lowStockThreshold, level, updatedAt } = stock;
  return {
    storeId,
    productId,
    onHand,
    reserved,
    available: availableOf(stock),
    lowStockThreshold,
    level,
    updatedAt: updatedAt.toISOString(),
  };
}

export function toMovementView(movement: MovementRecord): z.infer<typeof MovementView> {
  return { ...movement, createdAt: movement.createdAt.toISOString() };
}
