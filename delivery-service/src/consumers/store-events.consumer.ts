import { handle, type Subscription } from '@qc/shared/events';
import { recordStore } from '../domain/stores';

/** Stores' positions and preparation times, from inventory-service, which owns the stores. */
export function storeEventSubscriptions(): Subscription[] {
  return [
    handle('inventory.store_updated', async (event, tx) => {
      const { storeId, name, lat, lng, preparationMinutes, active } = event.data;
      await recordStore(tx, storeId, { name, lat, lng, preparationMinutes, active }, new Date(event.time));
    }),
  ];
}
