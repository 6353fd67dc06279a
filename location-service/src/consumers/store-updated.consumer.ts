import { handle } from '@qc/shared/events';
import type { LocationContext } from '../domain/context';
import { recordStore } from '../domain/stores';

/** Keeps the stores read model in step with inventory-service, which owns the stores. */
export const onStoreUpdated = (ctx: LocationContext) =>
  handle('inventory.store_updated', async (event, tx) => {
    const { storeId, ...store } = event.data;
    await recordStore(tx, { id: storeId, ...store }, new Date(event.time));
    // The runner commits after this returns; a reload racing the commit is caught by the refresh interval.
    ctx.serviceArea.invalidate();
  });
